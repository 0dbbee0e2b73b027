import * as assert from "node:assert/strict";
import { test } from "node:test";
import { parseEndpointMetadata } from "../../../../core/endpoints/endpointRecords";
import { ConfigurationChooser } from "../../../../extension/endpoints/configurationChooser";
import { askConfiguration } from "../../../../extension/endpoints/configurationForm";
import { checkedConfigurations, EndpointConfigurations } from "../../../../extension/endpoints/endpointConfigurations";
import type { InputOptions } from "../../../../extension/vscode/window";
import { Emitter } from "../../../../core/util/event";
import { userConfigSchemaOf } from "../../../../core/endpoints/userConfigSchema";
import { MEP_SCHEMA } from "../../../emulator/endpointCatalog";
import { memento } from "../fakes";

const MEP = "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0004";
const endpoint = { kind: "cloud" as const, id: MEP, name: "Polaris" };

function fileWith(configurations: Record<string, unknown>) {
  let text: string | undefined = JSON.stringify({ endpoints: { [MEP]: { name: "Polaris", configurations } } });
  const changed = new Emitter<void>();
  return { read: async () => text, write: async (t: string) => void (text = t), onDidChange: changed.event, text: () => text };
}

function chooser(configurations: Record<string, unknown>, picks: unknown[] = [], published: Record<string, unknown> = { user_config_schema: MEP_SCHEMA }) {
  const errors: { message: string; actions?: readonly { command: string }[] }[] = [];
  const shown: unknown[] = [];
  const store = new EndpointConfigurations(fileWith(configurations));
  const c = new ConfigurationChooser({
    configurations: store,
    metadata: async (id) => parseEndpointMetadata({ uuid: id, name: "polaris", multi_user: true, ...published }, id),
    ui: {
      pickOne: async <T>(items: readonly { value: T }[]) => {
        shown.push(items.map((i) => i.value));
        return picks.shift() as T | undefined;
      },
      showError: (message, actions) => void errors.push({ message, actions }),
    },
    storage: memento(),
  });
  return { c, errors, shown };
}

test("one configuration is used; among several the pick is asked once per function and remembered; a re-run names its own", async () => {
  const one = chooser({ debug: { user_endpoint_config: { account: "abc", partition: "debug" } } });
  assert.deepEqual(await one.c.choose(endpoint, "f.py#f"), { name: "debug", userEndpointConfig: { account: "abc", partition: "debug" } });
  assert.equal(await one.c.choose({ kind: "local", id: "local", name: "local" }, "f.py#f"), undefined);

  const two = chooser(
    {
      debug: { user_endpoint_config: { account: "abc", partition: "debug" } },
      big: { user_endpoint_config: { account: "abc", partition: "compute", nodes_per_block: 4 }, resource_specification: { num_nodes: 4 } },
    },
    ["big"],
  );
  assert.equal((await two.c.choose(endpoint, "f.py#f"))?.name, "big");
  assert.equal((await two.c.choose(endpoint, "f.py#f"))?.name, "big", "remembered: not asked again");
  assert.deepEqual(two.shown, [["debug", "big"]]);
  assert.deepEqual((await two.c.choose(endpoint, "f.py#f", "debug"))?.userEndpointConfig, { account: "abc", partition: "debug" });
  assert.equal(await two.c.choose(endpoint, "g.py#g"), null, "another function is asked; dismissed: nothing is sent");
});

test("an invalid configuration is refused with the field and reason; a MEP that needs values refuses to run without one", async () => {
  const bad = chooser({ oops: { user_endpoint_config: { account: "abc", partition: "batch" } } });
  assert.equal(await bad.c.choose(endpoint, "f.py#f"), null);
  assert.match(bad.errors[0].message, /Configuration "oops" of "Polaris" is not valid, so nothing was sent: user_endpoint_config\.partition: must be one of "debug", "compute", "gpu" \(got "batch"\)/);
  assert.equal(bad.errors[0].actions?.[0].command, "globusCompute.openEndpointConfigurations");

  const none = chooser({});
  assert.equal(await none.c.choose(endpoint, "f.py#f"), null);
  assert.match(none.errors[0].message, /multi-user endpoint: it runs tasks only with a configuration that sets account, partition/);
  assert.equal(none.errors[0].actions?.[0].command, "globusCompute.createEndpointConfiguration");
});

test("the guided form asks per schema property, checks typed values, and builds the configuration", async () => {
  const validations: string[] = [];
  const answers: Record<string, string> = { account: "ABC123", walltime: "01:00:00", nodes_per_block: "2", worker_init: "", "MPI: num_nodes": "2", "MPI: ranks_per_node (optional)": "" };
  const picks: unknown[] = ["compute", true];
  const ui = {
    pickOne: async <T>() => picks.shift() as T,
    inputText: async (o: InputOptions) => {
      const key = Object.keys(answers).find((k) => o.title.includes(k)) ?? "name";
      if (key === "nodes_per_block") validations.push(o.validate("two") ?? "", o.validate("99") ?? "", o.validate("") ?? "");
      if (key === "account") validations.push(o.validate("") ?? "");
      return key === "name" ? "production" : answers[key];
    },
  };
  const c = await askConfiguration(ui, { id: MEP, name: "Polaris" }, MEP_SCHEMA, []);
  assert.deepEqual(c, {
    endpointId: MEP,
    name: "production",
    userEndpointConfig: { account: "ABC123", partition: "compute", walltime: "01:00:00", nodes_per_block: 2 },
    resourceSpecification: { num_nodes: 2 },
  });
  assert.deepEqual(validations, ["account is required", 'nodes_per_block: must be an integer (got "two")', "nodes_per_block: must be <= 16 (got 99)", ""]);
});

test("a template's variables never refuse a submission: what it seems to need and is not set is asked about, the person decides", async () => {
  // A scan may find a name wrongly, so it never stops anything by itself; the endpoint is the judge.
  const template = { user_config_template: "account: {{ account }}\n{% if use_gpus %}gpus: 1{% endif %}" };
  const partial = chooser({ cpu: { user_endpoint_config: { account: "abc" } } }, [true], template);
  assert.deepEqual(await partial.c.choose(endpoint, "f.py#f"), { name: "cpu", userEndpointConfig: { account: "abc" } });
  assert.deepEqual(partial.shown, [[true, false]], "asked: use_gpus is tested by the template, so it needs a value");
  assert.deepEqual(partial.errors, []);
  const declined = chooser({ cpu: { user_endpoint_config: { account: "abc" } } }, [false], template);
  assert.equal(await declined.c.choose(endpoint, "f.py#f"), null);
  assert.match(declined.errors[0].message, /Nothing was sent to "Polaris": its template seems to need use_gpus\./);
  assert.equal(declined.errors[0].actions?.[0].command, "globusCompute.openEndpointConfigurations");
  const none = chooser({}, [true], template);
  assert.equal(await none.c.choose(endpoint, "f.py#f"), undefined);
  assert.deepEqual(none.errors, []);
  const dismissed = chooser({}, [undefined], template);
  assert.equal(await dismissed.c.choose(endpoint, "f.py#f"), null, "dismissed: nothing is sent");
  assert.deepEqual(dismissed.errors, []);
  const complete = chooser({ all: { user_endpoint_config: { account: "abc", use_gpus: false } } }, [], template);
  assert.deepEqual((await complete.c.choose(endpoint, "f.py#f"))?.name, "all");
  assert.deepEqual(complete.shown, [], "nothing to ask");
});

test("the guided form asks first for what a template seems to need, and lets it be left out", async () => {
  const titles: string[] = [];
  const ui = {
    pickOne: async <T>() => false as T,
    inputText: async (o: InputOptions) => {
      titles.push(o.title);
      if (o.title.startsWith("Name")) return "cfg";
      assert.equal(o.validate?.(""), undefined, `${o.title}: may be left empty`);
      return o.title.includes("account") ? "abc" : "";
    },
  };
  const schema = userConfigSchemaOf({ userConfigTemplate: "q: {{ queue|default('workq') }}\na: {{ account }}" });
  const c = await askConfiguration(ui, { id: MEP, name: "Polaris" }, schema, []);
  assert.deepEqual(titles.slice(0, 2), [
    "Polaris 1/2: account (the template seems to need it: leave empty to skip)",
    "Polaris 2/2: queue (optional: leave empty to skip)",
  ]);
  assert.deepEqual(c?.userEndpointConfig, { account: "abc" });
});

test("the guided form keeps typed text where a string is allowed, and never rounds nor makes an infinite number", async () => {
  const fill = async (schema: Record<string, unknown>, typed: Record<string, string>) => {
    const refused: Record<string, string> = {};
    const ui = {
      pickOne: async <T>() => false as T,
      inputText: async (o: InputOptions) => {
        const key = Object.keys(typed).find((k) => o.title.includes(`: ${k}`));
        if (!key) return "cfg";
        const problem = o.validate?.(typed[key]);
        if (problem) refused[key] = problem;
        return problem ? "" : typed[key];
      },
    };
    return { saved: (await askConfiguration(ui, { id: MEP, name: "Site" }, schema, []))?.userEndpointConfig, refused };
  };
  const props = (type: unknown, names: string[]) => ({ type: "object", properties: Object.fromEntries(names.map((n) => [n, { type }])) });
  const typed = { account: "0071234", partition: "0x1F", walltime: "1e3", big: "12345678901234567890", inf: "Infinity", n: "42" };
  const names = Object.keys(typed);
  assert.deepEqual((await fill(props(["string", "integer"], names), typed)).saved, typed, "string first: the text as typed");
  assert.deepEqual((await fill(props(["integer", "string"], names), typed)).saved, { ...typed, n: 42 }, "number first: only a number's own spelling");
  const numbers = await fill(props("number", names), typed);
  assert.deepEqual(numbers.saved, { walltime: 1000, n: 42 });
  assert.deepEqual(Object.keys(numbers.refused).sort(), ["account", "big", "inf", "partition"]);
  assert.match(numbers.refused.inf, /inf: must be a number \(got "Infinity"\)/);

  // A template's variable is text, unless the template's default for it is a number.
  const derived = userConfigSchemaOf({ userConfigTemplate: "a: {{ account }}\nn: {{ nodes|default(1) }}" })!;
  assert.deepEqual((await fill(derived, { account: "0071234", nodes: "4" })).saved, { account: "0071234", nodes: 4 });
  assert.deepEqual((await fill(derived, { account: "123", nodes: "04" })).saved, { account: "123", nodes: "04" });
});

/** A form run: answers by title (a function gets the options), picks in order; what each step showed. */
async function runForm(schema: Record<string, unknown> | undefined, answer: (o: InputOptions) => string | undefined, picks: unknown[] = []) {
  const steps: { title: string; prompt?: string; value?: string; items?: unknown[] }[] = [];
  const ui = {
    pickOne: async <T>(items: readonly { label: string; value: T }[], title: string) => {
      steps.push({ title, items: items.map((i) => i.value) });
      return (picks.length ? picks.shift() : false) as T;
    },
    inputText: async (o: InputOptions) => {
      steps.push({ title: o.title, prompt: o.prompt, value: o.value });
      return o.title.startsWith("Name") ? "cfg" : answer(o);
    },
  };
  const c = await askConfiguration(ui, { id: MEP, name: "Site" }, schema, []);
  return { saved: c?.userEndpointConfig, steps };
}

test("the guided form follows a schema's references, checks each value in the whole object and the finished object against the whole schema", async () => {
  const refSchema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    $defs: { partition: { type: "string", enum: ["debug", "compute"] }, account: { type: "string", pattern: "^[a-z]+[0-9]+$" } },
    properties: { partition: { $ref: "#/$defs/partition" }, account: { $ref: "#/$defs/account", description: "Project" } },
    required: ["partition", "account"],
  };
  const checked: (string | undefined)[] = [];
  const refs = await runForm(refSchema, (o) => (checked.push(o.validate?.("abc123"), o.validate?.("ABC")), "abc123"), ["debug"]);
  assert.deepEqual(refs.steps[0].items, ["debug", "compute"], "an enum behind $ref is picked");
  assert.equal(refs.steps[1].prompt, "Project");
  assert.deepEqual(checked, [undefined, 'account: must match the pattern ^[a-z]+[0-9]+$ (got "ABC")']);
  assert.deepEqual(refs.saved, { partition: "debug", account: "abc123" });

  const cross = {
    type: "object",
    properties: { partition: { enum: ["cpu", "gpu"] }, gpus_per_node: { type: "integer", minimum: 1 } },
    required: ["partition"],
    if: { properties: { partition: { const: "gpu" } } },
    then: { required: ["gpus_per_node"] },
  };
  const fixes: (string | undefined)[] = [];
  const fixed = await runForm(cross, (o) => {
    if (!o.title.includes("New configuration")) return ""; // gpus_per_node left out
    fixes.push(o.value, o.validate?.(o.value ?? ""), o.validate?.('{"partition": "gpu", "gpus_per_node": 4}'));
    return '{"partition": "gpu", "gpus_per_node": 4}';
  }, ["gpu"]);
  assert.equal(fixed.steps[2].prompt, "Some settings do not go together: correct user_endpoint_config");
  assert.deepEqual(fixes, ['{"partition":"gpu"}', "gpus_per_node: is required", undefined]);
  assert.deepEqual(fixed.saved, { partition: "gpu", gpus_per_node: 4 });
});

test("a schema the form cannot show is filled as JSON checked against it; object and array defaults are offered as JSON", async () => {
  const wrapped = { $defs: { cfg: { type: "object", properties: { account: { type: "string" } }, required: ["account"] } }, $ref: "#/$defs/cfg" };
  const viaRef = await runForm(wrapped, () => "abc");
  assert.equal(viaRef.steps[0].title, "Site 1/1: account", "a top-level $ref is followed");
  assert.deepEqual(viaRef.saved, { account: "abc" });

  const alternatives = { oneOf: [{ type: "object", required: ["account"] }, { type: "object", required: ["project"] }] };
  const said: (string | undefined)[] = [];
  const json = await runForm(alternatives, (o) => (said.push(o.prompt, o.validate?.('{"acount": 1}'), o.validate?.('{"account": "a"}')), '{"account": "a"}'));
  assert.deepEqual(said, [
    "The endpoint's schema cannot be shown as a form: type user_endpoint_config as a JSON object",
    "account: is required; project: is required; must match exactly one schema in oneOf",
    undefined,
  ]);
  assert.deepEqual(json.saved, { account: "a" });
  assert.equal((await runForm(undefined, () => "{}")).steps[0].prompt, "The endpoint publishes no schema: type user_endpoint_config as a JSON object");

  const withDefaults = {
    type: "object",
    properties: { modules: { type: "array", items: { type: "string" }, default: ["gcc", "mpich"] }, env: { type: "object", default: { OMP_NUM_THREADS: "4" } } },
  };
  const defaults = await runForm(withDefaults, (o) => (assert.equal(o.validate?.(o.value ?? ""), undefined), o.value));
  assert.deepEqual(defaults.steps.slice(0, 2).map((s) => s.value), ['["gcc","mpich"]', '{"OMP_NUM_THREADS":"4"}']);
  assert.deepEqual(defaults.saved, { modules: ["gcc", "mpich"], env: { OMP_NUM_THREADS: "4" } });
});

test("Choose Configuration… changes the remembered choice, or makes the function ask at each submission", async () => {
  const two = chooser(
    { debug: { user_endpoint_config: { account: "abc", partition: "debug" } }, big: { user_endpoint_config: { account: "abc", partition: "compute" } } },
    ["debug", { name: "big" }, null, "debug", "big"],
  );
  assert.equal((await two.c.choose(endpoint, "f.py#f"))?.name, "debug");
  assert.equal(await two.c.changeRemembered(endpoint, "f.py#f", "f"), true);
  assert.equal((await two.c.choose(endpoint, "f.py#f"))?.name, "big", "the new choice, not asked");
  assert.equal(await two.c.changeRemembered(endpoint, "f.py#f", "f"), true);
  assert.equal((await two.c.choose(endpoint, "f.py#f"))?.name, "debug");
  assert.equal((await two.c.choose(endpoint, "f.py#f"))?.name, "big", "always ask: asked again, and the answer not kept");
  assert.equal(two.shown.length, 5);
  assert.deepEqual(two.shown[1], [{ name: "debug" }, { name: "big" }, null], "the configurations, then Always ask");

  const none = chooser({});
  assert.equal(await none.c.changeRemembered(endpoint, "f.py#f", "f"), false);
  assert.match(none.errors[0].message, /"Polaris" has no configurations to choose from/);
});

test("the view's configurations are checked as a submission would, once the endpoint's metadata is known", async () => {
  const store = new EndpointConfigurations(
    fileWith({ debug: { user_endpoint_config: { account: "abc", partition: "debug" } }, oops: { user_endpoint_config: { account: "abc", partition: "batch" } } }),
  );
  await store.ready();
  const metadata = parseEndpointMetadata({ uuid: MEP, name: "polaris", multi_user: true, user_config_schema: MEP_SCHEMA }, MEP);
  let known = false;
  const directory = { entry: () => (known ? { metadata: { value: metadata, at: 0 } } : {}) } as never;
  assert.deepEqual(checkedConfigurations(store, directory, MEP).map((c) => [c.configuration.name, c.issues]), [["debug", undefined], ["oops", undefined]]);
  known = true;
  const checked = checkedConfigurations(store, directory, MEP);
  assert.deepEqual(checked[0].issues, []);
  assert.match(checked[1].issues!.join(), /^user_endpoint_config\.partition: /);
  store.dispose();
});

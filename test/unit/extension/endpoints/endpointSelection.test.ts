import * as assert from "node:assert/strict";
import { test } from "node:test";
import { parseProbe } from "../../../../core/endpoints/environmentProbe";
import { EndpointDirectory, type EndpointApi } from "../../../../core/endpoints/endpointDirectory";
import { EndpointCommands } from "../../../../extension/commands/endpointCommands";
import { EndpointSelection, SELECTED_ENDPOINT_KEY, TUTORIAL_ENDPOINT_ID } from "../../../../extension/endpoints/endpointSelection";
import { EndpointViewModel } from "../../../../extension/endpoints/endpointViewModel";
import { Settings } from "../../../../extension/state/settings";
import { configuration, memento } from "../fakes";

const HPC = "11111111-2222-3333-4444-555555555555";

function setup(values: Record<string, unknown>, remembered?: string) {
  const config = configuration(values);
  const settings = new Settings(config);
  const storage = memento(remembered ? { [SELECTED_ENDPOINT_KEY]: remembered } : {});
  const selection = new EndpointSelection(settings, storage);
  const seen: string[] = [];
  selection.onDidChange((o) => seen.push(o.name));
  return { config, settings, storage, selection, seen };
}

test("offered: local, the configured endpoints, the public tutorial endpoint (once)", () => {
  const { selection, config } = setup({ endpoints: [{ name: "hpc", id: HPC }] });
  assert.deepEqual(selection.options, [
    { kind: "local", name: "local", id: "local" },
    { kind: "cloud", name: "hpc", id: HPC },
    { kind: "cloud", name: "tutorial (public)", id: TUTORIAL_ENDPOINT_ID },
  ]);
  config.set("endpoints", [{ name: "tut", id: TUTORIAL_ENDPOINT_ID.toUpperCase() }]);
  assert.deepEqual(selection.options.map((o) => o.name), ["local", "tut"]);
});

test("the selection: remembered choice, else defaultEndpoint (name or id), else local", () => {
  assert.equal(setup({}).selection.current.name, "local");
  assert.equal(setup({ endpoints: [{ name: "hpc", id: HPC }], defaultEndpoint: "hpc" }).selection.current.id, HPC);
  assert.equal(setup({ defaultEndpoint: TUTORIAL_ENDPOINT_ID.toUpperCase() }).selection.current.name, "tutorial (public)");
  assert.equal(setup({ defaultEndpoint: "hpc" }, "local").selection.current.name, "local");
  // A remembered endpoint that was removed from the settings is no longer offered.
  assert.equal(setup({ defaultEndpoint: "local" }, HPC).selection.current.name, "local");
});

test("a bare UUID as defaultEndpoint is offered and selected; an unknown name is reported", () => {
  const byId = setup({ defaultEndpoint: HPC });
  assert.deepEqual(byId.selection.current, { kind: "cloud", name: HPC, id: HPC });
  assert.equal(byId.selection.defaultProblem, undefined);
  const unknown = setup({ defaultEndpoint: "nowhere" });
  assert.equal(unknown.selection.current.name, "local");
  assert.match(unknown.selection.defaultProblem ?? "", /"nowhere" is not "local", a name in globusCompute.endpoints, or an endpoint id/);
});

test("select remembers the choice in workspace state and fires once per real change", async () => {
  const { selection, storage, seen, config } = setup({ endpoints: [{ name: "hpc", id: HPC }] });
  await selection.select("hpc");
  await selection.select(HPC);
  assert.equal(storage.get(SELECTED_ENDPOINT_KEY), HPC);
  assert.deepEqual(seen, ["hpc"]);
  config.set("endpoints", []);
  assert.deepEqual(seen, ["hpc", "local"], "removing the selected endpoint falls back, and says so");
  await assert.rejects(selection.select("nope"), { name: "RangeError", message: 'no endpoint "nope" is offered' });
});

test("the Select Endpoint command picks from the offered and listed endpoints, with their status, and ignores a dismissed pick", async () => {
  const { selection, settings, directory, api, storage } = setupWithDirectory({ endpoints: [{ name: "hpc", id: HPC }] });
  let answer: string | undefined = LISTED;
  const shown: unknown[] = [];
  const warnings: string[] = [];
  let atCursor: { key: string; name: string } | undefined = undefined;
  const changed: string[] = [];
  const model = new EndpointViewModel(settings, selection, directory);
  const commands = new EndpointCommands({
    selection,
    model,
    directory,
    ui: {
      pickOne: async <T>(items: readonly { value: T }[]) => {
        shown.push(items);
        return answer as T | undefined;
      },
      inputText: async () => undefined,
      copyToClipboard: async () => undefined,
      showInformation: () => undefined,
      showWarning: (m) => void warnings.push(m),
      withProgress: (_title, task) => task({ report: () => undefined }, () => undefined),
    },
    openExternal: async () => undefined,
    configurations: { ready: async () => undefined, forEndpoint: () => [], add: async () => undefined },
    openConfigurationFile: async () => undefined,
    probes: { inspect: async () => assert.fail("not used") },
    chooseConfiguration: async () => undefined,
    functionAtCursor: async () => atCursor,
    changeConfigurationChoice: async (endpoint, key, name) => (changed.push(`${endpoint.name} ${key} ${name}`), true),
  });
  // Choose Configuration… needs a function under the cursor and a cloud endpoint selected.
  await commands.chooseConfiguration();
  atCursor = { key: "file:///w/f.py#f", name: "f" };
  await commands.chooseConfiguration();
  assert.deepEqual(warnings, [
    "Put the cursor inside a function of a Python file to choose the configuration it runs with.",
    "The selected endpoint, local, takes no configuration: select a multi-user endpoint first.",
  ]);
  assert.deepEqual(changed, []);
  await commands.selectEndpoint();
  assert.deepEqual(selection.current, { kind: "cloud", name: "Shared GPU box", id: LISTED });
  assert.deepEqual(shown[0], [
    { label: "local", description: "runs on this machine", detail: "selected", value: "local" },
    { label: "hpc", description: "online · 1 of 2 idle", detail: HPC, value: HPC },
    { label: "tutorial (public)", description: "online · 1 of 2 idle", detail: TUTORIAL_ENDPOINT_ID, value: TUTORIAL_ENDPOINT_ID },
    { label: "Shared GPU box", description: "online · 1 of 2 idle", detail: LISTED, value: LISTED },
  ]);
  // A listed endpoint stays chosen, by name, before the next listing arrives.
  const again = new EndpointSelection(settings, storage);
  assert.deepEqual(again.current, { kind: "cloud", name: "Shared GPU box", id: LISTED });
  answer = undefined;
  await commands.selectEndpoint();
  assert.equal(selection.current.id, LISTED);
  assert.ok(api.calls.includes(`status ${LISTED}`));
  await commands.chooseConfiguration();
  assert.deepEqual(changed, ["Shared GPU box file:///w/f.py#f f"]);
  model.dispose();
  directory.dispose();
});

test("Inspect Endpoint Environment on a configuration row probes the endpoint with that configuration (as a submission would check it)", async () => {
  const { selection, settings, directory } = setupWithDirectory({ endpoints: [{ name: "hpc", id: HPC }] });
  const model = new EndpointViewModel(settings, selection, directory);
  const asked: unknown[] = [];
  const info: string[] = [];
  const commands = new EndpointCommands({
    selection,
    model,
    directory,
    ui: {
      pickOne: async () => undefined,
      inputText: async () => undefined,
      copyToClipboard: async () => undefined,
      showInformation: (m) => void info.push(m),
      showWarning: () => undefined,
      withProgress: (_title, task) => task({ report: () => undefined }, () => undefined),
    },
    openExternal: async () => undefined,
    configurations: { ready: async () => undefined, forEndpoint: () => [], add: async () => undefined },
    openConfigurationFile: async () => undefined,
    probes: {
      inspect: async (endpoint, configuration) => {
        asked.push([endpoint.name, configuration?.name]);
        return { at: 0, probe: parseProbe({ python: { version: "3.11.2", implementation: "CPython" }, platform: { system: "Linux", machine: "x86_64" } }) };
      },
    },
    chooseConfiguration: async (_endpoint, name) => (name === undefined ? null : { name, userEndpointConfig: { account: "a" } }),
    functionAtCursor: async () => undefined,
    changeConfigurationChoice: async () => false,
  });
  const row = model.allRows().find((r) => r.id === HPC)!;
  await commands.inspectEnvironment({ kind: "configuration", row, checked: { configuration: { endpointId: HPC, name: "debug", userEndpointConfig: { account: "a" } } } });
  // Without a configuration named, the choice is the person's (here dismissed): nothing runs.
  await commands.inspectEnvironment({ kind: "endpoint", row });
  assert.deepEqual(asked, [["hpc", "debug"]]);
  assert.deepEqual(info, ["hpc (debug): Python 3.11.2 (CPython) on Linux x86_64 · 0 distributions."]);
  model.dispose();
  directory.dispose();
});

const LISTED = "9a947ba5-f537-4681-acf3-cc66485aadec";

function setupWithDirectory(values: Record<string, unknown>) {
  const settings = new Settings(configuration(values));
  const calls: string[] = [];
  const api: EndpointApi & { calls: string[] } = {
    calls,
    async listEndpoints(role) {
      calls.push(`list ${role}`);
      return role === "any" ? [{ id: LISTED, name: "gpu", displayName: "Shared GPU box" }] : [];
    },
    async getEndpointStatus(id) {
      calls.push(`status ${id}`);
      return { status: "online", details: { total_workers: 2, idle_workers: 1 } };
    },
    async getEndpointMetadata() {
      throw new Error("not used");
    },
  };
  const directory = new EndpointDirectory({ api: async () => api, changeDelayMs: 1 });
  const storage = memento();
  const selection = new EndpointSelection(settings, storage, () =>
    directory.endpoints.map((e) => ({ kind: "cloud" as const, name: e.displayName, id: e.id })),
  );
  return { settings, selection, directory, api, storage };
}

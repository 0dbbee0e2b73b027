import * as assert from "node:assert/strict";
import { test } from "node:test";
import { EndpointCommands } from "../../../../extension/commands/endpointCommands";
import { EndpointSelection, SELECTED_ENDPOINT_KEY, TUTORIAL_ENDPOINT_ID } from "../../../../extension/endpoints/endpointSelection";
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

test("the Select Endpoint command picks from the options, marks the selected one, and ignores a dismissed pick", async () => {
  const { selection } = setup({ endpoints: [{ name: "hpc", id: HPC }] });
  let answer: string | undefined = HPC;
  const shown: unknown[] = [];
  const commands = new EndpointCommands(selection, {
    pickOne: async <T>(items: readonly { value: T }[]) => {
      shown.push(items);
      return answer as T | undefined;
    },
  });
  await commands.selectEndpoint();
  assert.equal(selection.current.id, HPC);
  assert.deepEqual(shown[0], [
    { label: "local", description: "runs on this machine", detail: "selected", value: "local" },
    { label: "hpc", description: HPC, detail: undefined, value: HPC },
    { label: "tutorial (public)", description: TUTORIAL_ENDPOINT_ID, detail: undefined, value: TUTORIAL_ENDPOINT_ID },
  ]);
  answer = undefined;
  await commands.selectEndpoint();
  assert.equal(selection.current.id, HPC);
});

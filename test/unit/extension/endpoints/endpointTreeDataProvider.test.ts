import * as assert from "node:assert/strict";
import { after, test } from "node:test";
import { EndpointDirectory, type BackOff, type EndpointApi } from "../../../../core/endpoints/endpointDirectory";
import { ComputeApiError } from "../../../../core/protocol/apiError";
import { Emitter } from "../../../../core/util/event";
import { EndpointSelection } from "../../../../extension/endpoints/endpointSelection";
import { EndpointTreeDataProvider, type EndpointNode } from "../../../../extension/endpoints/endpointTreeDataProvider";
import type { CheckedConfiguration } from "../../../../extension/endpoints/endpointConfigurations";
import { parseProbe } from "../../../../core/endpoints/environmentProbe";
import type { ProbeEntry } from "../../../../extension/endpoints/environmentProbes";
import type { LocalInterpreter } from "../../../../extension/endpoints/localInterpreter";
import { EndpointViewModel } from "../../../../extension/endpoints/endpointViewModel";
import { Settings } from "../../../../extension/state/settings";
import type { TreeItemData } from "../../../../extension/vscode/treeItemData";
import { configuration, memento } from "../fakes";

const HPC = "11111111-2222-4333-8444-555555555555";
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function setup(
  values: Record<string, unknown>,
  api: EndpointApi,
  pageSize = 50,
  localInterpreter?: () => LocalInterpreter,
  probe?: ProbeEntry,
  inspecting = false,
  configurations?: (endpointId: string) => CheckedConfiguration[],
) {
  const config = configuration(values);
  const settings = new Settings(config);
  const directory = new EndpointDirectory({ api: async () => api, changeDelayMs: 1, pacing: { concurrency: 4, requests: 1000, windowMs: 1000 } });
  const selection = new EndpointSelection(settings, memento(), () =>
    directory.endpoints.map((e) => ({ kind: "cloud" as const, name: e.displayName, id: e.id })),
  );
  const model = new EndpointViewModel(settings, selection, directory, pageSize);
  const tree = new EndpointTreeDataProvider(model, directory, settings, {
    toTreeItem: (d: TreeItemData) => d,
    localStatus: async () => ({ status: "online", details: { total_workers: 2, idle_workers: 1, pending_tasks: 0 } }),
    pollMs: 60_000,
    metadataWaitMs: 500,
    localInterpreter: localInterpreter ?? (() => ({ python: "python3", source: "path", sourceLabel: "PATH" })),
    // The local endpoint's probe, and every configuration's (each its own).
    probe: (eid, configuration) => (eid === "local" || configuration !== undefined ? probe : undefined),
    inspecting: (eid) => eid === "local" && inspecting,
    ...(configurations ? { configurations } : {}),
  });
  const rows = () => tree.getChildren().map((n) => tree.getTreeItem(n));
  const settle = () => new Promise((r) => setTimeout(r, 30));
  const dispose = () => [tree, model, selection, directory, settings].forEach((d) => d.dispose());
  after(dispose);
  return { config, settings, directory, selection, model, tree, rows, settle, dispose };
}

function api(count: number, extra: Partial<EndpointApi> = {}): EndpointApi & { statusCalls: string[] } {
  const statusCalls: string[] = [];
  return {
    statusCalls,
    async listEndpoints(role) {
      const all = Array.from({ length: count }, (_, i) => ({ id: id(i), name: `ep-${i}`, displayName: `Endpoint ${String(i).padStart(4, "0")}` }));
      return role === "owner" ? all.slice(0, 1) : all;
    },
    async getEndpointStatus(eid) {
      statusCalls.push(eid);
      if (eid === id(2)) throw new ComputeApiError({ httpStatus: 404, code: "ENDPOINT_NOT_FOUND", detail: "gone", retryable: false });
      return eid === id(1) ? { status: "offline" } : { status: "online", details: { total_workers: 4, idle_workers: 3, pending_tasks: 2, managers: 1 } };
    },
    async getEndpointMetadata(eid) {
      return { id: eid, name: "x", displayName: "x", multiUser: true, highAssurance: false, public: true, hostname: "login01", pythonVersion: "3.11.4" };
    },
    ...extra,
  };
}

test("the view lists local, configured and listed endpoints by name with status, owned marked, problems explained", async () => {
  const fake = api(3);
  const t = setup({ endpoints: [{ name: "hpc", id: HPC }], "local.workers": 2 }, fake);
  t.tree.setVisible(true);
  await t.settle();
  t.rows();
  await t.settle();
  const rows = t.rows();
  assert.deepEqual(
    rows.map((r) => [r.label, r.description]),
    [
      ["local", "this machine · Python · PATH · 1 of 2 workers idle · selected"],
      ["hpc", "online · 3 of 4 idle · 2 pending"],
      ["tutorial (public)", "online · 3 of 4 idle · 2 pending"],
      ["Endpoint 0000", "yours · online · 3 of 4 idle · 2 pending"],
      ["Endpoint 0001", "offline"],
      ["Endpoint 0002", "deleted, or not visible to you"],
    ],
  );
  assert.equal(rows[4].icon?.id, "cloud-offline");
  assert.equal(rows[5].command?.command, "globusCompute.selectEndpoint", "a deleted endpoint's row offers another");
  assert.match(rows[3].tooltip ?? "", /\(yours\)[\s\S]*4 workers, 3 idle, 2 pending, 1 manager/);
  // Hovering fetches the metadata.
  const hovered = await t.tree.resolveTreeItem(rows[3], t.tree.getChildren()[3] as EndpointNode);
  assert.match(hovered.tooltip ?? "", /multi-user, public[\s\S]*Host: `login01`[\s\S]*Python 3\.11\.4/);
  t.dispose();
});

test("not signed in: a row to sign in, no status requests; a 429 back-off is said in the message", async () => {
  const backOff = new Emitter<BackOff>();
  const fake = api(2, {
    onDidBackOff: backOff.event,
    async listEndpoints() {
      throw Object.assign(new Error("Cloud endpoints need a Globus sign-in"), { code: "NOT_SIGNED_IN" });
    },
  });
  const t = setup({}, fake);
  t.tree.setVisible(true);
  await t.settle();
  const first = t.rows()[0];
  assert.equal(first.label, "Sign in to Globus to list your endpoints");
  assert.equal(first.command?.command, "globusCompute.signIn");
  fake.listEndpoints = async () => {
    backOff.fire({ delayMs: 5000, status: 429 });
    return [];
  };
  t.tree.refresh();
  await t.settle();
  assert.match(t.tree.message ?? "", /rate limiting requests: statuses resume in 5 s/);
  t.dispose();
});

test("a thousand endpoints: one page on screen, statuses only for it; filter and show more", async () => {
  const fake = api(1000);
  const t = setup({}, fake, 25);
  t.tree.setVisible(true);
  await t.settle();
  let nodes = t.tree.getChildren();
  await t.settle();
  assert.equal(nodes.length, 25 + 1);
  assert.deepEqual(nodes[25], { kind: "more", remaining: 1002 - 25 });
  assert.ok(fake.statusCalls.length <= 25, `statuses for the page only, got ${fake.statusCalls.length}`);
  t.model.setFilter("endpoint 09");
  nodes = t.tree.getChildren();
  assert.equal(t.model.page().matching, 100);
  assert.match(t.tree.message ?? "", /Filter "endpoint 09": 100 of 1002 endpoints/);
  t.model.showMore();
  assert.equal(t.tree.getChildren().length, 50 + 1);
  t.dispose();
});

test("the local row says which interpreter runs its workers and where it came from; a skipped workspace venv is explained", async () => {
  let interpreter: LocalInterpreter = { python: "/w/.venv/bin/python", source: "venv", sourceLabel: ".venv" };
  const t = setup({ "local.workers": 2 }, api(0), 50, () => interpreter);
  const local = () => t.rows().find((r) => r.id === "endpoint/local")!;
  assert.match(local().description!, /^this machine · Python · \.venv · /);
  assert.match(String(local().tooltip), /`\/w\/\.venv\/bin\/python` \(from the workspace's virtual environment\)/);
  interpreter = { python: "/usr/bin/python3", source: "setting", sourceLabel: "setting", skippedUntrusted: "/w/.venv/bin/python" };
  assert.match(local().description!, /^this machine · Python · setting · /);
  assert.match(String(local().tooltip), /`\/w\/\.venv\/bin\/python` is not used: this workspace is not trusted\./);
});

test("the local row shows the Python version its probe found, and says while a probe runs", () => {
  const probe: ProbeEntry = {
    at: Date.now(),
    probe: {
      pythonVersion: "3.11.4",
      pythonMajorMinor: [3, 11],
      implementation: "CPython",
      executable: "/w/.venv/bin/python",
      platform: { system: "Linux", release: "6", machine: "x86_64", node: "h" },
      distributions: {},
      modules: new Set(),
    },
  };
  const venv = (): LocalInterpreter => ({ python: "/w/.venv/bin/python", source: "venv", sourceLabel: ".venv" });
  const known = setup({}, api(0), 50, venv, probe);
  assert.match(known.rows().find((r) => r.id === "endpoint/local")!.description!, /^this machine · Python 3\.11 · \.venv · /);
  const running = setup({}, api(0), 50, venv, undefined, true);
  assert.match(running.rows().find((r) => r.id === "endpoint/local")!.description!, /^this machine · Python · \.venv · .* · inspecting environment…/);
});

const probeOf = (version: string): ProbeEntry => ({ at: Date.now(), probe: parseProbe({ python: { version, implementation: "CPython" } }) });

test("a multi-user endpoint's named configurations are its child rows, each valid or not by its schema", () => {
  const configuration = (name: string, userEndpointConfig: Record<string, unknown>) => ({ endpointId: HPC, name, userEndpointConfig });
  const t = setup({ endpoints: [{ name: "hpc", id: HPC }] }, api(0), 50, undefined, probeOf("3.10.4"), false, (eid) =>
    eid === HPC
      ? [
          { configuration: configuration("debug", { account: "abc" }), issues: [] },
          { configuration: configuration("big", { account: 7 }), issues: ["user_endpoint_config.account: must be a string", "x: y"] },
          { configuration: configuration("later", {}) },
        ]
      : [],
  );
  const nodes = t.tree.getChildren();
  const hpc = nodes.find((n) => n.kind === "endpoint" && n.row.id === HPC)!;
  assert.equal(t.tree.getTreeItem(hpc).collapsible, "collapsed");
  assert.equal(t.tree.getTreeItem(nodes.find((n) => n.kind === "endpoint" && n.row.kind === "local")!).collapsible, "none");
  const children = t.tree.getChildren(hpc).map((n) => t.tree.getTreeItem(n));
  assert.deepEqual(
    children.map((c) => [c.label, c.description, c.contextValue]),
    [
      ["debug", "valid · Python 3.10 · account=abc", "endpoint.configuration"],
      ["big", "invalid: user_endpoint_config.account: must be a string · Python 3.10 · account=7", "endpoint.configuration"],
      ["later", "not checked yet · Python 3.10", "endpoint.configuration"],
    ],
  );
  assert.match(String(children[1].tooltip), /Not valid for hpc:\n- user\\_endpoint\\_config\.account: must be a string\n- x: y\n\nEnvironment: Python 3\.10\.4/);
});

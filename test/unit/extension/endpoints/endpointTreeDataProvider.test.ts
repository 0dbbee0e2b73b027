import * as assert from "node:assert/strict";
import { test } from "node:test";
import { EndpointSelection } from "../../../../extension/endpoints/endpointSelection";
import { EndpointTreeDataProvider } from "../../../../extension/endpoints/endpointTreeDataProvider";
import { Settings } from "../../../../extension/state/settings";
import type { TreeItemData } from "../../../../extension/vscode/treeItemData";
import { configuration, memento } from "../fakes";

test("the Endpoints view lists the offered endpoints, marks the selected one, and follows changes", async () => {
  const config = configuration({
    endpoints: [{ name: "hpc", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" }],
    defaultEndpoint: "hpc",
    "local.workers": 3,
  });
  const settings = new Settings(config);
  const selection = new EndpointSelection(settings, memento());
  const tree = new EndpointTreeDataProvider(settings, selection, (d: TreeItemData) => d);
  let refreshes = 0;
  tree.onDidChangeTreeData(() => refreshes++);
  const rows = () => tree.getChildren().map((n) => tree.getTreeItem(n));

  assert.deepEqual(
    rows().map((r) => [r.label, r.description, r.icon?.id, r.contextValue]),
    [
      ["local", "this machine · 3 workers", "vm", "endpoint.local"],
      ["hpc", "4b116d3c-1703-4f8f-9f6f-39921e5864df · selected", "pass-filled", "endpoint.cloud"],
    ],
  );
  assert.match(rows()[0].tooltip ?? "", /3 workers of `python3`/);

  await selection.select("local");
  assert.equal(refreshes, 1);
  assert.deepEqual(rows().map((r) => r.description), ["this machine · 3 workers · selected", "4b116d3c-1703-4f8f-9f6f-39921e5864df"]);

  config.set("endpoints", []);
  assert.equal(refreshes, 2);
  assert.deepEqual(rows().map((r) => r.label), ["local", "tutorial (public)"]);
  assert.deepEqual(tree.getChildren(tree.getChildren()[0]), []);
  tree.dispose();
  selection.dispose();
  settings.dispose();
});

test("statuses from the service appear when they arrive: local workers, cloud online/offline, or why unknown", async () => {
  const config = configuration({ endpoints: [{ name: "hpc", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" }], "local.workers": 2 });
  const settings = new Settings(config);
  const selection = new EndpointSelection(settings, memento());
  let round = 0;
  const tree = new EndpointTreeDataProvider(settings, selection, (d: TreeItemData) => d, async (option) => {
    if (option.kind === "local") return { status: "online", details: { total_workers: 2, idle_workers: 1, pending_tasks: 0 } };
    round++;
    if (round === 1) throw new Error('Cloud endpoints need a Globus sign-in: run "Globus Compute: Sign In to Globus".');
    return { status: "offline", details: { total_workers: 0 } };
  });
  const changed = () => new Promise<void>((resolve) => tree.onDidChangeTreeData(() => resolve()));
  const rows = () => tree.getChildren().map((n) => tree.getTreeItem(n));
  rows();
  await changed();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rows().map((r) => r.description), ["this machine · 1 of 2 workers idle · selected", "4b116d3c-1703-4f8f-9f6f-39921e5864df"]);
  assert.match(rows()[1].tooltip ?? "", /Status unknown: Cloud endpoints need a Globus sign-in/);

  tree.refresh();
  rows();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rows()[1].description, "offline · 0 workers · 4b116d3c-1703-4f8f-9f6f-39921e5864df");
  assert.equal(rows()[1].icon?.id, "cloud-offline");
  tree.dispose();
  selection.dispose();
  settings.dispose();
});

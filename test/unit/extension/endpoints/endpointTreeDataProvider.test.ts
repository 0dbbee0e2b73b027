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

/** Runs inside VS Code's extension host (code-server), against the extension loaded from the repo. */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { before, describe, it } from "mocha";
import { COMMAND_IDS } from "../../../extension/commands/commandIds";
import { Settings, readSettings } from "../../../extension/state/settings";
import { TaskGroupModel } from "../../../extension/tasks/taskGroupModel";
import { TaskTreeDataProvider } from "../../../extension/tasks/taskTreeDataProvider";
import { vscodeConfigurationSource } from "../../../extension/vscode/configurationSource";
import { toTreeItem } from "../../../extension/vscode/treeItem";

const EXTENSION_ID = "globus-compute-community.globus-compute-vscode";

describe("the extension in VS Code", () => {
  let extension: vscode.Extension<unknown>;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not loaded`);
    extension = found;
    await extension.activate();
  });

  it("activates", () => {
    assert.equal(extension.isActive, true);
  });

  it("registers every contributed command, and contributes every command it has a handler for", async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
    assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort());
  });

  it("shows the Tasks and Endpoints views in the Globus Compute container", async () => {
    // VS Code creates `<view id>.focus` for every view it knows; running it reveals the container.
    await vscode.commands.executeCommand("globusCompute.tasks.focus");
    await vscode.commands.executeCommand("globusCompute.endpoints.focus");
    await vscode.commands.executeCommand("globusCompute.showOutput");
  });

  it("reads the workspace's settings, reporting the invalid ones", () => {
    const source = vscodeConfigurationSource("globusCompute");
    try {
      const { settings, problems } = readSettings(source);
      assert.deepEqual(settings.endpoints, [{ name: "tutorial", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" }]);
      assert.equal(settings.defaultEndpoint, "tutorial");
      assert.deepEqual(settings.local, { pythonPath: "/usr/bin/python3", workers: 2 });
      assert.equal(settings.environment, "production", "package.json default");
      assert.equal(settings.batchSize, 1024, "0 is invalid: the default is used");
      assert.deepEqual(problems.map((p) => p.key).sort(), ["globusCompute.batchSize", "globusCompute.endpoints"]);
    } finally {
      source.dispose();
    }
  });

  it("sees a settings change", async () => {
    const source = vscodeConfigurationSource("globusCompute");
    const settings = new Settings(source);
    const config = vscode.workspace.getConfiguration("globusCompute");
    try {
      const changed = new Promise<number>((resolve) => settings.onDidChange((s) => resolve(s.local.workers)));
      await config.update("local.workers", 3, vscode.ConfigurationTarget.Workspace);
      assert.equal(await changed, 3);
      assert.equal(settings.current.local.workers, 3);
    } finally {
      await config.update("local.workers", 2, vscode.ConfigurationTarget.Workspace);
      settings.dispose();
      source.dispose();
    }
  });

  it("renders task rows as real TreeItems: codicons, theme colors, markdown tooltips, collapsible groups", () => {
    const model = new TaskGroupModel();
    const tree = new TaskTreeDataProvider(model, { toTreeItem });
    try {
      model.add({
        key: "g",
        functionName: "double",
        endpoint: { name: "local", id: "local" },
        createdAt: Date.now(),
        tasks: [
          { call: "double(7)", state: "success", taskId: "t-1", resultPreview: "14", submittedAt: 0, finishedAt: 1200 },
          { call: "double(8)", state: "running", submittedAt: 0 },
        ],
      });
      const [group] = tree.getChildren();
      const groupItem = tree.getTreeItem(group);
      assert.equal(groupItem.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
      assert.match(String(groupItem.description), /^local · \d\d:\d\d · 1 running, 1 succeeded$/);
      const [done, running] = tree.getChildren(group).map((n) => tree.getTreeItem(n));
      assert.ok(done.iconPath instanceof vscode.ThemeIcon);
      assert.equal(done.iconPath.id, "pass");
      assert.ok(done.iconPath.color instanceof vscode.ThemeColor);
      assert.ok(done.tooltip instanceof vscode.MarkdownString);
      assert.match(done.tooltip.value, /Task: `t-1`/);
      assert.equal(done.contextValue, "task.success.withId");
      assert.equal(done.description, "14 · 1.2 s");
      assert.equal((running.iconPath as vscode.ThemeIcon).id, "loading~spin");
      assert.equal(running.collapsibleState, vscode.TreeItemCollapsibleState.None);
    } finally {
      tree.dispose();
      model.dispose();
    }
  });
});

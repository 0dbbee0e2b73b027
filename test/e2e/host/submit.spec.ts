/**
 * Inside VS Code's extension host: the submit command (as a CodeLens calls it) runs a function on the real
 * local endpoint and its result reaches the task groups; a forgotten group comes back by its id.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { after, before, describe, it } from "mocha";
import type { GlobusComputeApi } from "../../../extension/extension";
import { activateWithLocalFile, restoreDefaultEndpoint, when } from "./hostSetup";
import type { TaskGroupRecord } from "../../../extension/tasks/taskGroupModel";

const SOURCE = "def answer():\n    return 6 * 7\n";

describe("submitting through the local endpoint", () => {
  let api: GlobusComputeApi;
  let uri: vscode.Uri;

  before(async () => {
    ({ api, uri } = await activateWithLocalFile("host_answer.py", SOURCE));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });

  after(restoreDefaultEndpoint);

  let group: TaskGroupRecord;

  it("Submit Function with a lens's arguments: the result arrives in the task groups", async () => {
    const before = api.taskGroups.groups.length;
    await vscode.commands.executeCommand("globusCompute.submitFunction", {
      uri: uri.toString(),
      name: "answer",
      offset: SOURCE.indexOf("answer"),
    });
    group = await when(
      api,
      () => {
        const g = api.taskGroups.groups[0];
        return api.taskGroups.groups.length > before && g?.tasks[0]?.resultPreview !== undefined && g.taskGroupId ? g : undefined;
      },
      "answer() to finish",
    );
    assert.equal(group.functionName, "answer");
    assert.equal(group.endpoint.name, "local");
    assert.deepEqual(
      group.tasks.map((t) => [t.call, t.state, t.resultPreview]),
      [["answer()", "success", "42"]],
    );
  });

  it("Submit Function from the editor: the cursor right of the function's last line counts as inside it", async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const end = editor.document.lineAt(1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const before = api.taskGroups.groups.length;
    await vscode.commands.executeCommand("globusCompute.submitFunction");
    // This session's submissions of answer() to the local endpoint share its task group.
    const second = await when(
      api,
      () => {
        const task = api.taskGroups.get(group.key)?.tasks[1];
        return task?.resultPreview === undefined ? undefined : task;
      },
      "the second answer()",
    );
    assert.deepEqual([second.call, second.resultPreview], ["answer()", "42"]);
    assert.equal(api.taskGroups.groups.length, before);
  });

  it("Open Result shows the whole result in a read-only Python document", async () => {
    await vscode.commands.executeCommand("globusCompute.openResult", { kind: "task", groupKey: group.key, index: 0 });
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc);
    assert.equal(doc.uri.scheme, "globus-compute-result");
    assert.equal(doc.languageId, "python");
    assert.equal(doc.getText(), `# answer()  ·  task ${group.tasks[0].taskId}\n42\n`);
  });

  it("a forgotten task group comes back by its id (Reload Task Group…)", async () => {
    const id = group.taskGroupId as string;
    await vscode.commands.executeCommand("globusCompute.forgetTaskGroup", { kind: "group", groupKey: group.key });
    assert.equal(api.taskGroups.get(group.key), undefined);
    await vscode.commands.executeCommand("globusCompute.reloadTaskGroup", id);
    const back = await when(api, () => (api.taskGroups.get(id)?.tasks[0]?.resultPreview ? api.taskGroups.get(id) : undefined), "the reload");
    assert.deepEqual(
      back.tasks.map((t) => [t.state, t.resultPreview, t.taskId]).sort(),
      group.tasks.map((t) => ["success", "42", t.taskId]).sort(),
    );
  });
});

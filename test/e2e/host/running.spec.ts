/**
 * Inside VS Code's extension host: a task on the local endpoint shows as running (the spinning codicon)
 * while its worker executes it, not "received" until the result arrives.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { after, before, describe, it } from "mocha";
import type { GlobusComputeApi } from "../../../extension/extension";
import { activateWithLocalFile, restoreDefaultEndpoint } from "./hostSetup";
import type { TaskRecord } from "../../../extension/tasks/taskGroupModel";
import { taskItem } from "../../../extension/tasks/taskTreeNodes";

const SOURCE = "def nap():\n    import time\n    time.sleep(3)\n    return 'rested'\n";

describe("a running task in the Tasks view", () => {
  let api: GlobusComputeApi;
  let uri: vscode.Uri;

  before(async () => {
    ({ api, uri } = await activateWithLocalFile("host_nap.py", SOURCE));
  });

  after(restoreDefaultEndpoint);

  it("a sleeping function's row spins while it runs, then passes", async () => {
    const before = api.taskGroups.groups.length;
    // Every icon the row shows, in order, as the model changes (the tree renders rows with taskItem).
    const icons: string[] = [];
    let task: Readonly<TaskRecord> | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`nap() did not finish; icons seen: ${icons.join(" → ")}`));
      }, 30_000);
      const sub = api.taskGroups.onDidChange(() => {
        const group = api.taskGroups.groups[0];
        if (api.taskGroups.groups.length <= before || group?.functionName !== "nap") return;
        task = group.tasks[0];
        const icon = taskItem(group, 0, task).icon?.id ?? "(none)";
        if (icons[icons.length - 1] !== icon) icons.push(icon);
        if (task.resultPreview !== undefined) {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    });
    await vscode.commands.executeCommand("globusCompute.submitFunction", { uri: uri.toString(), name: "nap", offset: SOURCE.indexOf("nap") });
    await finished;
    assert.match(task?.resultPreview ?? "", /rested/);
    assert.ok(icons.includes("loading~spin"), `the row spun while the task ran: ${icons.join(" → ")}`);
    assert.equal(icons[icons.length - 1], "pass");
    assert.ok(icons.indexOf("loading~spin") < icons.indexOf("pass"));
  });
});

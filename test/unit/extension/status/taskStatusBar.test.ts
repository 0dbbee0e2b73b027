import * as assert from "node:assert/strict";
import { test } from "node:test";
import { statusBarText, TaskStatusBar, type StatusBarItemLike } from "../../../../extension/status/taskStatusBar";
import { TaskGroupModel } from "../../../../extension/tasks/taskGroupModel";

test("the status bar says how many tasks are running or queued, and opens the Tasks view", () => {
  const model = new TaskGroupModel();
  const item = { text: "", tooltip: "", shown: false, disposed: false } as StatusBarItemLike & { shown: boolean; disposed: boolean };
  item.show = () => void (item.shown = true);
  item.dispose = () => void (item.disposed = true);
  const bar = new TaskStatusBar(item, model, "globusCompute.tasks.focus");
  assert.deepEqual([item.text, item.tooltip, item.command, item.shown], [
    "$(globe) Globus Compute",
    "Globus Compute: no tasks yet",
    "globusCompute.tasks.focus",
    true,
  ]);
  model.add({
    key: "g",
    functionName: "f",
    endpoint: { name: "local", id: "local" },
    createdAt: 0,
    tasks: [
      { call: "f(1)", state: "running", submittedAt: 0 },
      { call: "f(2)", state: "waiting-for-ep", submittedAt: 0 },
      { call: "f(3)", state: "success", submittedAt: 0 },
    ],
  });
  assert.equal(item.text, "$(sync~spin) Globus Compute: 2 running");
  assert.equal(item.tooltip, "Globus Compute tasks: 1 queued, 1 running, 1 succeeded");
  bar.dispose();
  assert.equal(item.disposed, true);
  model.updateTask("g", 0, { state: "success" });
  assert.equal(item.text, "$(sync~spin) Globus Compute: 2 running", "no updates after dispose");
});

test("statusBarText when everything finished", () => {
  assert.deepEqual(statusBarText({ queued: 0, running: 0, success: 2, failed: 1, cancelled: 0 }), {
    text: "$(globe) Globus Compute",
    tooltip: "Globus Compute tasks: 2 succeeded, 1 failed",
  });
});

test("statusBarText says how results arrive while tasks are pending: the worst stream state wins", () => {
  const pending = { queued: 1, running: 1, success: 0, failed: 0, cancelled: 0 };
  assert.equal(statusBarText(pending, ["streaming"]).text, "$(sync~spin) Globus Compute: 2 running");
  assert.match(statusBarText(pending, ["streaming"]).tooltip, /Results are streaming\.$/);
  assert.equal(statusBarText(pending, ["streaming", "polling"]).text, "$(history) Globus Compute: polling · 2 running");
  assert.equal(statusBarText(pending, ["polling", "reconnecting"]).text, "$(debug-disconnect) Globus Compute: reconnecting · 2 running");
  // A local stream reconnects without polling: the tooltip claims nothing it cannot know.
  assert.doesNotMatch(statusBarText(pending, ["reconnecting"]).tooltip, /poll/);
  assert.equal(statusBarText(pending, ["closed"]).text, "$(cloud-offline) Globus Compute: offline · 2 running");
  const failed = statusBarText(pending, ["streaming", "failed", "reconnecting"]);
  assert.equal(failed.text, "$(error) Globus Compute: results stopped · 2 running");
  assert.match(failed.tooltip, /sign in again, then reload the task group/);
  const done = { queued: 0, running: 0, success: 1, failed: 0, cancelled: 0 };
  assert.equal(statusBarText(done, ["reconnecting"]).text, "$(globe) Globus Compute", "nothing pending: nothing to say about streams");
});

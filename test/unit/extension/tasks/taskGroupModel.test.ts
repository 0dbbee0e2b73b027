import * as assert from "node:assert/strict";
import { test } from "node:test";
import { displayStateOf, TaskGroupModel, type TaskGroupChange } from "../../../../extension/tasks/taskGroupModel";

const endpoint = { name: "local", id: "local" };

function model() {
  const m = new TaskGroupModel();
  const changes: TaskGroupChange[] = [];
  m.onDidChange((c) => changes.push(c));
  return { m, changes };
}

test("the service's finer states fold into five display states", () => {
  assert.deepEqual(
    ["queued", "submitting", "received", "waiting-for-ep", "running", "success", "failed", "cancelled", "some-new-state"].map(
      displayStateOf,
    ),
    ["queued", "queued", "queued", "queued", "running", "success", "failed", "cancelled", "queued"],
  );
});

test("groups are listed newest first, and each change names its group", () => {
  const { m, changes } = model();
  const a = m.add({ key: "a", functionName: "double", endpoint, createdAt: 1 });
  const b = m.add({ key: "b", functionName: "triple", endpoint, createdAt: 2 });
  assert.deepEqual(m.groups.map((g) => g.key), ["b", "a"]);
  m.updateGroup(a.key, { taskGroupId: "tg-1" });
  assert.equal(m.get("a")?.taskGroupId, "tg-1");
  assert.equal(m.remove(b.key), true);
  assert.equal(m.remove(b.key), false);
  assert.deepEqual(changes, [
    { kind: "added", groupKey: "a" },
    { kind: "added", groupKey: "b" },
    { kind: "changed", groupKey: "a" },
    { kind: "removed", groupKey: "b" },
  ]);
});

test("a generated key is unique; an explicit duplicate key is refused", () => {
  const { m } = model();
  const g1 = m.add({ functionName: "f", endpoint, createdAt: 1 });
  const g2 = m.add({ functionName: "f", endpoint, createdAt: 1 });
  assert.notEqual(g1.key, g2.key);
  assert.throws(() => m.add({ key: g1.key, functionName: "f", endpoint, createdAt: 1 }), /already in the model/);
});

test("counts per display state follow every task update, per group and in total", () => {
  const { m } = model();
  m.add({ key: "a", functionName: "f", endpoint, createdAt: 1, tasks: [{ call: "f(1)", state: "queued", submittedAt: 1 }] });
  assert.equal(m.addTasks("a", [{ call: "f(2)", state: "submitting", submittedAt: 1 }]), 1);
  m.add({ key: "b", functionName: "g", endpoint, createdAt: 2, tasks: [{ call: "g()", state: "running", submittedAt: 2 }] });
  m.updateTask("a", 0, { state: "running", taskId: "t1" });
  m.updateTask("a", 0, { state: "success", resultPreview: "2", finishedAt: 5 });
  m.updateTask("a", 1, { state: "failed", error: "ZeroDivisionError: division by zero" });
  assert.deepEqual(m.countsOf("a"), { queued: 0, running: 0, success: 1, failed: 1, cancelled: 0 });
  assert.deepEqual(m.totalCounts(), { queued: 0, running: 1, success: 1, failed: 1, cancelled: 0 });
  assert.deepEqual(m.get("a")?.tasks[0], {
    call: "f(1)",
    state: "success",
    taskId: "t1",
    resultPreview: "2",
    submittedAt: 1,
    finishedAt: 5,
  });
});

test("updating what is not there is an error that says what is missing", () => {
  const { m } = model();
  m.add({ key: "a", functionName: "f", endpoint, createdAt: 1 });
  assert.throws(() => m.updateTask("a", 3, { state: "running" }), { name: "RangeError", message: "task group a has no task 3" });
  assert.throws(() => m.updateTask("zz", 0, { state: "running" }), { name: "RangeError", message: "no task group zz in the model" });
});

test("the model copies what it is given, so callers cannot change it behind its back", () => {
  const { m } = model();
  const task = { call: "f(1)", state: "queued", submittedAt: 1 };
  m.add({ key: "a", functionName: "f", endpoint, createdAt: 1, tasks: [task] });
  task.state = "success";
  assert.equal(m.get("a")?.tasks[0].state, "queued");
  assert.equal(m.countsOf("a").queued, 1);
});

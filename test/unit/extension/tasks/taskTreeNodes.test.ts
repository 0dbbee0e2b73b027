import * as assert from "node:assert/strict";
import { test } from "node:test";
import { TaskGroupModel } from "../../../../extension/tasks/taskGroupModel";
import { childrenOf, formatCounts, groupItem, moreItem, taskItem } from "../../../../extension/tasks/taskTreeNodes";
import { codeSpan, formatDuration, oneLine } from "../../../../extension/util/format";

const endpoint = { name: "tutorial", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" };
const T0 = Date.UTC(2026, 10, 26, 9, 30, 0);

function groupWith(states: string[]) {
  const m = new TaskGroupModel();
  const g = m.add({
    key: "g",
    functionName: "double",
    endpoint,
    createdAt: T0,
    tasks: states.map((state, i) => ({ call: `double(${i})`, state, submittedAt: T0 })),
  });
  return { m, g };
}

test("root children are the groups, newest first; a group's children are one page of tasks plus a 'more' row", () => {
  const { m } = groupWith(["queued", "running", "success", "failed", "cancelled"]);
  m.add({ key: "h", functionName: "triple", endpoint, createdAt: T0 + 1 });
  assert.deepEqual(childrenOf(m, undefined, () => 2), [
    { kind: "group", groupKey: "h" },
    { kind: "group", groupKey: "g" },
  ]);
  assert.deepEqual(childrenOf(m, { kind: "group", groupKey: "g" }, () => 2), [
    { kind: "task", groupKey: "g", index: 0 },
    { kind: "task", groupKey: "g", index: 1 },
    { kind: "more", groupKey: "g", shown: 2 },
  ]);
  assert.equal(childrenOf(m, { kind: "group", groupKey: "g" }, () => 5).length, 5, "no 'more' row when all fit");
  assert.deepEqual(childrenOf(m, { kind: "task", groupKey: "g", index: 0 }, () => 5), []);
  assert.deepEqual(childrenOf(m, { kind: "group", groupKey: "gone" }, () => 5), []);
});

test("a task row: the call as label, a codicon per state, result or error with duration, contextValue for menus", () => {
  const { m, g } = groupWith(["queued", "running", "success", "failed", "cancelled", "waiting-for-ep"]);
  m.updateTask("g", 2, { taskId: "t-2", resultPreview: "4", finishedAt: T0 + 1500 });
  m.updateTask("g", 3, { taskId: "t-3", error: "ZeroDivisionError: division by zero", finishedAt: T0 + 20 });
  const rows = g.tasks.map((t, i) => taskItem(g, i, t));
  assert.deepEqual(
    rows.map((r) => [r.label, r.icon?.id, r.description, r.contextValue]),
    [
      ["double(0)", "clock", "queued", "task.queued"],
      ["double(1)", "loading~spin", "running", "task.running"],
      ["double(2)", "pass", "4 · 1.5 s", "task.success.withId"],
      ["double(3)", "error", "ZeroDivisionError: division by zero · 20 ms", "task.failed.withId"],
      ["double(4)", "circle-slash", "cancelled", "task.cancelled"],
      ["double(5)", "clock", "waiting-for-ep", "task.queued"],
    ],
  );
  assert.deepEqual(rows.map((r) => r.id), ["g/0", "g/1", "g/2", "g/3", "g/4", "g/5"]);
  assert.equal(rows[2].icon?.color, "testing.iconPassed");
  assert.equal(rows[3].icon?.color, "testing.iconFailed");
});

test("a map chunk whose task ran but some items failed says so before its results", () => {
  const { m, g } = groupWith(["success"]);
  m.updateTask("g", 0, { resultPreview: "[4, 5, 6, None]", error: "1 of 4 items failed: item 7: ValueError: 7 is over 2", finishedAt: T0 + 20 });
  const row = taskItem(g, 0, g.tasks[0]);
  assert.equal(row.description, "⚠ 1 of 4 items failed: item 7: ValueError… · [4, 5, 6, None] · 20 ms");
  assert.equal(row.icon?.id, "pass", "the task itself succeeded");
});

test("a task's tooltip has its ids, endpoint, timestamps and transitions timeline", () => {
  const { m, g } = groupWith(["success"]);
  m.updateGroup("g", { taskGroupId: "tg-9" });
  m.updateTask("g", 0, {
    taskId: "t-1",
    resultPreview: "0",
    finishedAt: T0 + 2000,
    transitions: [
      { timestamp: 1_000_000_000n, state: "waiting-for-launch", actor: "interchange" },
      { timestamp: 1_250_000_000n, state: "running", actor: "worker" },
    ],
  });
  assert.equal(
    taskItem(g, 0, g.tasks[0]).tooltip,
    [
      "**`double(0)`** — success",
      "",
      "- Task: `t-1`",
      "- Task group: `tg-9`",
      "- Endpoint: `tutorial` (`4b116d3c-1703-4f8f-9f6f-39921e5864df`)",
      "- Submitted: 2026-11-26T09:30:00.000Z",
      "- Finished: 2026-11-26T09:30:02.000Z (2.0 s)",
      "",
      "Result: `0`",
      "",
      "| state | actor | after |",
      "| --- | --- | --- |",
      "| waiting-for-launch | interchange | 0 ms |",
      "| running | worker | 250 ms |",
    ].join("\n"),
  );
});

test("a group row: function name, endpoint, time and counts; spins while tasks are pending", () => {
  const { m, g } = groupWith(["running", "success", "success", "failed"]);
  const item = groupItem(g, m.countsOf("g"), true);
  assert.equal(item.label, "double");
  assert.match(item.description ?? "", /^tutorial · \d\d:\d\d · 1 running, 2 succeeded, 1 failed$/);
  assert.deepEqual(item.icon, { id: "sync~spin" });
  assert.equal(item.collapsible, "expanded");
  assert.equal(item.contextValue, "taskGroup");
  m.updateTask("g", 0, { state: "success" });
  m.updateGroup("g", { taskGroupId: "tg" });
  const done = groupItem(g, m.countsOf("g"), false);
  assert.deepEqual(done.icon, { id: "layers" });
  assert.equal(done.contextValue, "taskGroup.withId");
  assert.equal(done.collapsible, "collapsed");
});

test("the 'more' row says how many are hidden and pages with a command", () => {
  const { g } = groupWith(Array.from({ length: 1250 }, () => "queued"));
  const item = moreItem(g, 200, 1000);
  assert.equal(item.label, "Show 1,000 more…");
  assert.equal(item.description, "1,050 not shown");
  assert.deepEqual(item.command?.arguments, [{ kind: "more", groupKey: "g", shown: 200 }]);
  assert.equal(item.command?.command, "globusCompute.showMoreTasks");
});

test("formatting helpers", () => {
  assert.equal(formatCounts({ queued: 0, running: 0, success: 0, failed: 0, cancelled: 0 }), "no tasks");
  assert.deepEqual([0, 999, 1000, 59_949, 61_000, 3_723_000].map(formatDuration), ["0 ms", "999 ms", "1.0 s", "59.9 s", "1 min 1 s", "1 h 2 min"]);
  assert.equal(oneLine("Traceback:\n  line 1\nValueError: x"), "Traceback: ⏎ line 1 ⏎ ValueError: x");
  assert.equal(oneLine("x".repeat(100), 10), "xxxxxxxxx…");
  assert.equal(codeSpan("a`b"), "``a`b``");
  assert.equal(codeSpan("`a"), "`` `a ``");
});

test("a state filter lists only tasks in those states, pages them, and hides groups with none", () => {
  const model = new TaskGroupModel();
  const endpoint = { name: "local", id: "local" };
  model.add({ key: "ok", functionName: "f", endpoint, createdAt: 0, tasks: [{ call: "f(0)", state: "success", submittedAt: 0 }] });
  const tasks = Array.from({ length: 7 }, (_, i) => ({ call: `g(${i})`, state: i % 2 ? "failed" : "success", submittedAt: 0 }));
  model.add({ key: "mixed", functionName: "g", endpoint, createdAt: 1, tasks });
  const failed = new Set(["failed"] as const);
  assert.deepEqual(childrenOf(model, undefined, () => 2, failed), [{ kind: "group", groupKey: "mixed" }]);
  assert.deepEqual(childrenOf(model, { kind: "group", groupKey: "mixed" }, () => 2, failed), [
    { kind: "task", groupKey: "mixed", index: 1 },
    { kind: "task", groupKey: "mixed", index: 3 },
    { kind: "more", groupKey: "mixed", shown: 2, total: 3 },
  ]);
  const group = model.get("mixed");
  assert.equal(group && moreItem(group, 2, 2, 3).label, "Show 1 more…");
});

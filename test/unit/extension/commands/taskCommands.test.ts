import * as assert from "node:assert/strict";
import { test } from "node:test";
import { TaskCommands } from "../../../../extension/commands/taskCommands";
import { TaskGroupModel, type TaskDisplayState } from "../../../../extension/tasks/taskGroupModel";
import type { TaskTreeNode } from "../../../../extension/tasks/taskTreeNodes";
import type { TaskGrouping } from "../../../../extension/tasks/taskGrouping";

function setup() {
  const model = new TaskGroupModel();
  model.add({
    key: "g",
    functionName: "f",
    endpoint: { name: "local", id: "local" },
    createdAt: 0,
    tasks: [
      { call: "f(1)", state: "running", taskId: "task-1", submittedAt: 0 },
      { call: "f(2)", state: "queued", submittedAt: 0 },
    ],
  });
  const clipboard: string[] = [];
  const warnings: string[] = [];
  const paged: TaskTreeNode[] = [];
  const infos: string[] = [];
  const opened: string[] = [];
  const picks: (number | undefined)[] = [];
  const typed: (string | undefined)[] = [];
  const offered: { label: string; description?: string; value: unknown }[][] = [];
  const ui = {
    showInformation: (m: string) => void infos.push(m),
    showWarning: (m: string) => void warnings.push(m),
    copyToClipboard: async (text: string) => void clipboard.push(text),
    pickOne: async <T>(items: readonly { label: string; description?: string; value: T }[]) => {
      offered.push([...items]);
      const i = picks.shift();
      return i === undefined ? undefined : items[i].value;
    },
    inputText: async () => typed.shift(),
  };
  const revealed: TaskTreeNode[] = [];
  const tree = {
    showMore: (n: TaskTreeNode) => void paged.push(n),
    stateFilter: undefined as ReadonlySet<TaskDisplayState> | undefined,
    groupBy: "none" as TaskGrouping,
    reveal: async (n: TaskTreeNode) => void revealed.push(n),
  };
  const commands = new TaskCommands(model, tree, ui, {
    future: () => undefined,
    openResult: async (path) => void opened.push(path),
  });
  return { model, commands, clipboard, warnings, paged, infos, opened, picks, typed, tree, revealed, offered };
}

test("copy task id / task group id put the id on the clipboard, or say why there is none", async () => {
  const { model, commands, clipboard, warnings } = setup();
  await commands.copyTaskId({ kind: "task", groupKey: "g", index: 0 });
  await commands.copyTaskId({ kind: "task", groupKey: "g", index: 1 });
  await commands.copyTaskGroupId({ kind: "group", groupKey: "g" });
  model.updateGroup("g", { taskGroupId: "tg-1" });
  await commands.copyTaskGroupId({ kind: "group", groupKey: "g" });
  assert.deepEqual(clipboard, ["task-1", "tg-1"]);
  assert.deepEqual(warnings, [
    "This task has no id yet: it has not reached the service.",
    "This task group has no id yet: no task has reached the service.",
  ]);
});

test("forget removes the group; show more pages the tree", () => {
  const { model, commands, paged } = setup();
  commands.showMoreTasks({ kind: "more", groupKey: "g", shown: 1 });
  commands.forgetTaskGroup({ kind: "group", groupKey: "g" });
  assert.equal(model.get("g"), undefined);
  assert.deepEqual(paged, [{ kind: "more", groupKey: "g", shown: 1 }]);
});

test("a row command run without its row (e.g. from a keybinding) is a clear usage error", async () => {
  const { commands } = setup();
  assert.throws(() => commands.forgetTaskGroup(undefined), {
    name: "TypeError",
    message: "this command acts on a task group row of the Tasks view",
  });
  await assert.rejects(commands.copyTaskId({ kind: "group", groupKey: "g" }), /acts on a task row/);
});

test("open result opens the task's result document; cancel on a task without a future says it is finished", async () => {
  const { commands, opened, infos } = setup();
  await commands.openResult({ kind: "task", groupKey: "g", index: 1 });
  assert.deepEqual(opened, ["/g/1/f(2).py"]);
  commands.cancelTask({ kind: "task", groupKey: "g", index: 0 });
  assert.deepEqual(infos, ["f(1) has already finished."]);
});

test("with several rows selected, Copy Task ID copies every id and Forget forgets every group", async () => {
  const { model, commands, clipboard } = setup();
  model.add({ key: "h", functionName: "h", endpoint: { name: "local", id: "local" }, createdAt: 1, tasks: [{ call: "h()", state: "success", taskId: "task-9", submittedAt: 0 }] });
  const rows = [
    { kind: "task", groupKey: "g", index: 0 },
    { kind: "task", groupKey: "h", index: 0 },
    { kind: "group", groupKey: "g" },
  ];
  await commands.copyTaskId(rows[1], rows);
  assert.deepEqual(clipboard, ["task-1\ntask-9"]);
  commands.forgetTaskGroup({ kind: "group", groupKey: "g" }, [{ kind: "group", groupKey: "g" }, { kind: "group", groupKey: "h" }]);
  assert.deepEqual(model.groups, []);
});

test("Clear Finished forgets only groups with nothing to wait for and none marked unavailable", () => {
  const { model, commands, infos } = setup();
  const done = { call: "d()", state: "success", submittedAt: 0 };
  model.add({ key: "done", functionName: "d", endpoint: { name: "local", id: "local" }, createdAt: 1, tasks: [done] });
  model.add({ key: "kept", functionName: "k", endpoint: { name: "local", id: "local" }, createdAt: 2, tasks: [done] });
  model.updateGroup("kept", { note: "not found by the service now (kept)" });
  commands.clearFinished();
  assert.deepEqual(model.groups.map((g) => g.key), ["kept", "g"]);
  assert.deepEqual(infos, ["Cleared 1 finished task group."]);
});

test("Filter Tasks by State sets the tree's filter; Find Task by ID reveals the row of an id or unique prefix", async () => {
  const { commands, picks, typed, tree, revealed, warnings } = setup();
  picks.push(1);
  await commands.filterTasks();
  assert.deepEqual([...(tree.stateFilter ?? [])], ["failed"]);
  picks.push(0);
  await commands.filterTasks();
  assert.equal(tree.stateFilter, undefined);
  typed.push("TASK-1");
  await commands.findTask();
  assert.deepEqual(revealed, [{ kind: "task", groupKey: "g", index: 0 }]);
  await commands.findTask("nope");
  assert.deepEqual(warnings, ["No task in the Tasks view has an id starting with nope."]);
});

test("Group Tasks By offers the four groupings, marks the current one, and sets the pick; dismissing changes nothing", async () => {
  const { commands, tree, picks, offered } = setup();
  picks.push(2);
  await commands.groupTasks();
  assert.deepEqual(offered[0].map((i) => [i.label, i.value, i.description]), [
    ["Task Group", "none", "(current)"],
    ["Function", "function", undefined],
    ["Endpoint", "endpoint", undefined],
    ["Day", "day", undefined],
  ]);
  assert.equal(tree.groupBy, "endpoint");
  picks.push(undefined);
  await commands.groupTasks();
  assert.equal(offered[1][2].description, "(current)");
  assert.equal(tree.groupBy, "endpoint", "dismissed: unchanged");
});

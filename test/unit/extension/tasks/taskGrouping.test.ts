import * as assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { TaskGroupModel } from "../../../../extension/tasks/taskGroupModel";
import { bucketOf, isTaskGrouping } from "../../../../extension/tasks/taskGrouping";
import { TaskTreeDataProvider } from "../../../../extension/tasks/taskTreeDataProvider";
import type { TaskTreeNode } from "../../../../extension/tasks/taskTreeNodes";
import { rememberedGrouping, taskTreeControls } from "../../../../extension/vscode/taskTreeControls";

const local = { name: "local", id: "local-id" };
const hpc = { name: "polaris", id: "polaris-id" };
const DAY1 = new Date(2026, 11, 5, 10, 0).getTime();
const DAY2 = new Date(2026, 11, 6, 9, 0).getTime();

function setup(t: TestContext) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const model = new TaskGroupModel();
  const task = (call: string, state = "success") => ({ call, state, submittedAt: 0 });
  // Oldest first: the model lists newest first.
  model.add({ key: "a", functionName: "collatz", endpoint: local, createdAt: DAY1, tasks: [task("collatz(27)"), task("collatz(9)", "failed")] });
  model.add({ key: "b", functionName: "double", endpoint: hpc, createdAt: DAY1 + 1000, tasks: [task("double(2)")] });
  model.add({ key: "c", functionName: "collatz", endpoint: hpc, createdAt: DAY2, tasks: [task("collatz(7)", "running")] });
  const tree = new TaskTreeDataProvider(model, { toTreeItem: (d) => d, refreshDelayMs: 100 });
  const fired: (TaskTreeNode | TaskTreeNode[] | undefined)[] = [];
  tree.onDidChangeTreeData((e) => fired.push(e));
  t.after(() => tree.dispose());
  tree.flush();
  fired.length = 0;
  return { model, tree, fired };
}

/** The tree as nested labels, two levels (headings → groups), and the tasks' labels under each group. */
function outline(tree: TaskTreeDataProvider<unknown>, nodes = tree.getChildren()): unknown[] {
  return nodes.map((n) => {
    const label = tree.describe(n).label;
    return n.kind === "task" || n.kind === "more" ? label : [label, outline(tree, tree.getChildren(n))];
  });
}

test("by function, by endpoint, by day: headings (ordered by their newest group) above the task groups, calls as task labels", (t) => {
  const { tree } = setup(t);
  tree.groupBy = "function";
  assert.deepEqual(outline(tree), [
    ["collatz", [["collatz", ["collatz(7)"]], ["collatz", ["collatz(27)", "collatz(9)"]]]],
    ["double", [["double", ["double(2)"]]]],
  ]);
  tree.groupBy = "endpoint";
  assert.deepEqual(outline(tree), [
    ["polaris", [["collatz", ["collatz(7)"]], ["double", ["double(2)"]]]],
    ["local", [["collatz", ["collatz(27)", "collatz(9)"]]]],
  ]);
  tree.groupBy = "day";
  const days = tree.getChildren().map((n) => tree.describe(n).label);
  assert.equal(days.length, 2);
  assert.match(days[0], /2026-12-06/);
  assert.match(days[1], /2026-12-05/);
  tree.groupBy = "none";
  assert.deepEqual(tree.getChildren().map((n) => n.kind), ["group", "group", "group"]);
});

test("a heading's row sums its groups' tasks; the newest heading is expanded; the full call stays in the task tooltip", (t) => {
  const { tree } = setup(t);
  tree.groupBy = "endpoint";
  const [polaris, localRow] = tree.getChildren();
  const item = tree.describe(polaris);
  assert.equal(item.id, "bucket/endpoint/polaris-id");
  assert.equal(item.description, "2 task groups · 1 running, 1 succeeded");
  assert.equal(item.icon?.id, "sync~spin", "something still runs under it");
  assert.equal(item.collapsible, "expanded");
  assert.match(item.tooltip ?? "", /polaris-id/);
  assert.equal(tree.describe(localRow).collapsible, "collapsed");
  assert.equal(tree.describe(localRow).description, "1 task group · 1 succeeded, 1 failed");
  const [group] = tree.getChildren(localRow);
  const [task] = tree.getChildren(group);
  assert.match(tree.describe(task).tooltip ?? "", /collatz\(27\)/);
});

test("the state filter applies under headings: headings and groups without a matching task are left out", (t) => {
  const { tree } = setup(t);
  tree.groupBy = "function";
  tree.stateFilter = new Set(["failed"]);
  assert.deepEqual(outline(tree), [["collatz", [["collatz", ["collatz(9)"]]]]]);
  assert.equal(tree.describe(tree.getChildren()[0]).description, "1 task group · 1 succeeded, 1 failed", "counts are the groups' own");
});

test("parents chain task → group → heading, so revealing a task opens its heading", (t) => {
  const { tree } = setup(t);
  tree.groupBy = "day";
  const [today] = tree.getChildren();
  const [group] = tree.getChildren(today);
  const [task] = tree.getChildren(group);
  assert.equal(tree.getParent(task), group);
  assert.equal(tree.getParent(group), today, "the same element object VS Code was given");
  assert.equal(tree.getParent(today), undefined);
  tree.groupBy = "none";
  assert.equal(tree.getParent(tree.getChildren()[0]), undefined);
});

test("a changed group refreshes its heading (whose counts include it); a group moved to another heading refreshes the root", (t) => {
  const { model, tree, fired } = setup(t);
  tree.groupBy = "function";
  t.mock.timers.tick(100);
  assert.deepEqual(fired, [undefined], "changing the grouping re-renders the whole tree");
  const [collatz] = tree.getChildren();
  tree.getChildren(collatz);
  model.updateTask("c", 0, { state: "success" });
  model.updateTask("a", 1, { state: "success" });
  t.mock.timers.tick(100);
  assert.deepEqual(fired[1], [collatz]);
  assert.equal((fired[1] as TaskTreeNode[])[0], collatz, "the same element object");
  model.updateGroup("c", { functionName: "collatz2" });
  t.mock.timers.tick(100);
  assert.equal(fired[2], undefined);
  assert.equal(fired.length, 3);
  tree.groupBy = "function";
  t.mock.timers.tick(100);
  assert.equal(fired.length, 3, "setting the same grouping again does nothing");
});

test("days are local calendar days, named Today and Yesterday near now", () => {
  const model = new TaskGroupModel();
  const g = model.add({ functionName: "f", endpoint: local, createdAt: DAY1 });
  assert.deepEqual(bucketOf(g, "day", DAY1 + 3600_000), { by: "day", key: "2026-12-05", label: "Today (2026-12-05)" });
  assert.equal(bucketOf(g, "day", DAY2).label, "Yesterday (2026-12-05)");
  assert.equal(bucketOf(g, "day", DAY2 + 5 * 86400_000).label, "Sat 2026-12-05");
});

test("the grouping is remembered in workspace state and read back; an unknown stored value means none", () => {
  const state = new Map<string, unknown>();
  const storage = {
    get: <T>(key: string) => state.get(key) as T | undefined,
    update: async (key: string, value: unknown) => void state.set(key, value),
  };
  assert.equal(rememberedGrouping(storage), "none");
  const model = new TaskGroupModel();
  const tree = new TaskTreeDataProvider(model, { toTreeItem: (d) => d, groupBy: rememberedGrouping(storage) });
  const view = { description: undefined as string | undefined, reveal: async () => undefined };
  const controls = taskTreeControls(tree, view as never, storage);
  controls.groupBy = "day";
  assert.equal(tree.groupBy, "day");
  assert.equal(view.description, "by day");
  controls.stateFilter = new Set(["failed"]);
  assert.equal(view.description, "by day · only failed");
  assert.equal(rememberedGrouping(storage), "day");
  const reopened = new TaskTreeDataProvider(model, { toTreeItem: (d) => d, groupBy: rememberedGrouping(storage) });
  assert.equal(reopened.groupBy, "day");
  state.set("globusCompute.tasks.groupBy", "weekday");
  assert.equal(rememberedGrouping(storage), "none");
  assert.equal(isTaskGrouping("endpoint"), true);
  tree.dispose();
  reopened.dispose();
});

import * as assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { TaskGroupModel } from "../../../../extension/tasks/taskGroupModel";
import { TaskTreeDataProvider } from "../../../../extension/tasks/taskTreeDataProvider";
import type { TaskTreeNode } from "../../../../extension/tasks/taskTreeNodes";

const endpoint = { name: "local", id: "local" };

function setup(t: TestContext, pageSize = 2) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const model = new TaskGroupModel();
  const tree = new TaskTreeDataProvider(model, { toTreeItem: (d) => d, pageSize, refreshDelayMs: 100 });
  const fired: (TaskTreeNode | TaskTreeNode[] | undefined)[] = [];
  tree.onDidChangeTreeData((e) => fired.push(e));
  t.after(() => tree.dispose());
  return { model, tree, fired };
}

const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ call: `f(${i})`, state: "queued", submittedAt: 0 }));

test("a burst of task updates becomes one refresh of the changed group, after the delay", (t) => {
  const { model, tree, fired } = setup(t);
  model.add({ key: "a", functionName: "f", endpoint, createdAt: 0, tasks: tasks(3) });
  t.mock.timers.tick(100);
  assert.deepEqual(fired, [undefined], "a new group refreshes the root");
  const [groupNode] = tree.getChildren();
  for (let i = 0; i < 3; i++) model.updateTask("a", i, { state: "success" });
  assert.equal(fired.length, 1, "nothing before the delay");
  t.mock.timers.tick(100);
  assert.equal(fired.length, 2);
  assert.deepEqual(fired[1], [groupNode]);
  assert.equal((fired[1] as TaskTreeNode[])[0], groupNode, "the same element object VS Code was given");
});

test("rows render through the injected factory, with counts in the group's description", (t) => {
  const { model, tree } = setup(t);
  model.add({ key: "a", functionName: "f", endpoint, createdAt: 0, tasks: tasks(3) });
  model.updateTask("a", 0, { state: "success", resultPreview: "1", finishedAt: 10 });
  const [group] = tree.getChildren();
  assert.match(tree.getTreeItem(group).description ?? "", / · 2 queued, 1 succeeded$/);
  const rows = tree.getChildren(group);
  assert.deepEqual(rows.map((r) => tree.getTreeItem(r).label), ["f(0)", "f(1)", "Show 1 more…"]);
  assert.equal(tree.getParent(rows[0]), group);
  assert.equal(tree.getParent(group), undefined);
});

test("'show more' grows the page of that group and refreshes it", (t) => {
  const { model, tree, fired } = setup(t);
  model.add({ key: "a", functionName: "f", endpoint, createdAt: 0, tasks: tasks(5) });
  tree.flush();
  const [group] = tree.getChildren();
  const more = tree.getChildren(group).at(-1);
  assert.equal(more?.kind, "more");
  tree.showMore(more as TaskTreeNode);
  t.mock.timers.tick(100);
  assert.deepEqual(fired.at(-1), [group]);
  assert.equal(tree.getChildren(group).length, 5, "4 tasks + 'more'");
  tree.showMore(more as TaskTreeNode);
  assert.equal(tree.getChildren(group).length, 5, "all 5 tasks, no 'more'");
});

test("removing a group refreshes the root and forgets its paging", (t) => {
  const { model, tree, fired } = setup(t);
  model.add({ key: "a", functionName: "f", endpoint, createdAt: 0, tasks: tasks(5) });
  tree.flush();
  model.updateTask("a", 0, { state: "running" });
  model.remove("a");
  t.mock.timers.tick(100);
  assert.deepEqual(fired, [undefined, undefined]);
  assert.deepEqual(tree.getChildren(), []);
  assert.equal(tree.describe({ kind: "task", groupKey: "a", index: 0 }).label, "(forgotten)");
});

test("dispose cancels a pending refresh and stops listening", (t) => {
  const { model, tree, fired } = setup(t);
  model.add({ key: "a", functionName: "f", endpoint, createdAt: 0 });
  tree.dispose();
  t.mock.timers.tick(1000);
  model.remove("a");
  t.mock.timers.tick(1000);
  assert.deepEqual(fired, []);
});

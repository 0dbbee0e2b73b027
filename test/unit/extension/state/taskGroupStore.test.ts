import * as assert from "node:assert/strict";
import { test } from "node:test";
import { TASK_GROUPS_KEY, TaskGroupStore, type StoredTaskGroup } from "../../../../extension/state/taskGroupStore";
import { memento } from "../fakes";

const group = (id: string, createdAt = 1): StoredTaskGroup => ({
  taskGroupId: id,
  endpoint: { name: "local", id: "local" },
  service: "local",
  functionName: "double",
  createdAt,
  calls: [{ call: "double(7)", taskId: `${id}-t1` }],
});

test("saved groups survive a reload (a new store over the same storage), newest first", async () => {
  const storage = memento();
  const store = new TaskGroupStore(storage, 10);
  await store.save(group("a"));
  await store.save(group("b"));
  await store.addCalls("a", [{ call: "double(8)" }]);
  const reopened = new TaskGroupStore(storage, 10);
  assert.deepEqual(reopened.list().map((g) => g.taskGroupId), ["b", "a"]);
  assert.deepEqual(reopened.get("a")?.calls, [{ call: "double(7)", taskId: "a-t1" }, { call: "double(8)" }]);
  assert.deepEqual(reopened.loadProblems, []);
});

test("saving an id again replaces it and makes it the newest", async () => {
  const store = new TaskGroupStore(memento(), 10);
  await store.save(group("a"));
  await store.save(group("b"));
  await store.save({ ...group("a"), functionName: "triple" });
  assert.deepEqual(store.list().map((g) => [g.taskGroupId, g.functionName]), [["a", "triple"], ["b", "double"]]);
});

test("retention keeps the newest maxGroups; lowering the bound forgets the oldest", async () => {
  const storage = memento();
  const store = new TaskGroupStore(storage, 3);
  for (const id of ["a", "b", "c", "d"]) await store.save(group(id));
  assert.deepEqual(store.list().map((g) => g.taskGroupId), ["d", "c", "b"]);
  await store.setMaxGroups(1);
  assert.deepEqual(new TaskGroupStore(storage, 10).list().map((g) => g.taskGroupId), ["d"]);
});

test("forget removes a group, and says whether there was one", async () => {
  const store = new TaskGroupStore(memento(), 10);
  await store.save(group("a"));
  assert.equal(await store.forget("a"), true);
  assert.equal(await store.forget("a"), false);
  assert.deepEqual(store.list(), []);
  await assert.rejects(store.addCalls("a", []), { name: "RangeError", message: "task group a is not stored" });
});

test("very long calls are shortened before they are stored", async () => {
  const store = new TaskGroupStore(memento(), 10);
  await store.save({ ...group("a"), calls: [{ call: `f(${"x".repeat(2000)})` }] });
  assert.equal(store.get("a")?.calls[0].call.length, 500);
});

test("malformed stored data is dropped entry by entry, with a reason, never thrown", () => {
  const store = new TaskGroupStore(
    memento({
      [TASK_GROUPS_KEY]: [
        group("ok"),
        "junk",
        { ...group("x"), endpoint: { name: "local" } },
        { ...group("y"), calls: [{ call: 3 }] },
        { ...group("z"), createdAt: "yesterday" },
      ],
    }),
    10,
  );
  assert.deepEqual(store.list().map((g) => g.taskGroupId), ["ok"]);
  assert.deepEqual(store.loadProblems, [
    "stored task group 2 dropped: not an object",
    "stored task group 3 dropped: x: no endpoint name and id",
    "stored task group 4 dropped: y: call 1 is malformed",
    "stored task group 5 dropped: z: no createdAt",
  ]);
  assert.deepEqual(new TaskGroupStore(memento({ [TASK_GROUPS_KEY]: { a: 1 } }), 10).loadProblems, [
    "stored task groups are not a list (object); starting empty",
  ]);
});

test("an origin keeps its line map through a reload; an origin stored before maps existed still loads; a bad map drops its group", async () => {
  const origin = { uri: "file:///w/a.py", name: "f", offset: 40 };
  const storage = memento({
    [TASK_GROUPS_KEY]: [
      { ...group("old"), origin },
      { ...group("bad"), origin: { ...origin, lineMap: [[1, "2", 3]] } },
    ],
  });
  const store = new TaskGroupStore(storage, 10);
  await store.save({ ...group("new"), origin: { ...origin, lineMap: [[1, 2, 3], [6, 9, 2]] } });
  const reopened = new TaskGroupStore(storage, 10);
  assert.deepEqual(reopened.get("new")?.origin?.lineMap, [[1, 2, 3], [6, 9, 2]]);
  assert.deepEqual(reopened.get("old")?.origin, origin);
  assert.deepEqual(store.loadProblems, ["stored task group 2 dropped: bad: origin is malformed"]);
});

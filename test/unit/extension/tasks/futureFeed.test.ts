/** Futures driven the way the Executor drives them (taskId/taskGroupId on acknowledgement, then _setState/_resolve/_reject). */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ComputeFuture } from "../../../../core/executor/computeFuture";
import { TaskCancelledError, TaskExecutionFailed } from "../../../../core/executor/errors";
import { PyTuple } from "../../../../core/protocol/pyValue";
import type { SettledTask } from "../../../../extension/output/resultOutput";
import { feedFutures } from "../../../../extension/tasks/futureFeed";
import { TaskGroupModel } from "../../../../extension/tasks/taskGroupModel";

const tick = () => new Promise((r) => setImmediate(r));

function setup() {
  const model = new TaskGroupModel();
  model.add({ key: "g", functionName: "double", endpoint: { name: "local", id: "local" }, createdAt: 0 });
  return model;
}

test("rows follow their futures: ids on acknowledgement, states, the result's repr and completion time", async () => {
  const model = setup();
  const ok = new ComputeFuture(undefined);
  const bad = new ComputeFuture(undefined);
  const settled: SettledTask[] = [];
  const feed = feedFutures(
    model,
    "g",
    [
      { call: "double(7)", future: ok },
      { call: "divide(1, 0)", future: bad },
    ],
    { now: () => 1000, onSettled: (s) => settled.push(s) },
  );
  assert.deepEqual(model.get("g")?.tasks.map((t) => [t.call, t.state, t.taskId]), [
    ["double(7)", "queued", undefined],
    ["divide(1, 0)", "queued", undefined],
  ]);

  ok.taskId = "t-1";
  ok.taskGroupId = "tg-1";
  ok._setState("received");
  assert.equal(model.get("g")?.taskGroupId, "tg-1");
  assert.deepEqual(model.countsOf("g"), { queued: 2, running: 0, success: 0, failed: 0, cancelled: 0 });
  const transitions = [{ timestamp: 1n, state: "running", actor: "worker" }];
  ok._setState("running", transitions);
  assert.equal(model.get("g")?.tasks[0].transitions, transitions);
  ok.completionT = "1764150000.5";
  ok._resolve(new PyTuple([14n, "x"]));
  bad._reject(new TaskExecutionFailed("Traceback (most recent call last):\n  ...\nZeroDivisionError: division by zero\n", "0"));
  await tick();

  const [t0, t1] = model.get("g")?.tasks ?? [];
  assert.deepEqual([t0.state, t0.taskId, t0.resultPreview, t0.finishedAt], ["success", "t-1", "(14, 'x')", 1764150000500]);
  assert.deepEqual([t1.state, t1.error, t1.finishedAt], ["failed", "ZeroDivisionError: division by zero", 1000]);
  assert.deepEqual(model.countsOf("g"), { queued: 0, running: 0, success: 1, failed: 1, cancelled: 0 });
  assert.deepEqual(
    settled.map((s) => [s.call, s.taskId, s.durationMs, "value" in s.outcome ? "value" : "error"]),
    [
      ["double(7)", "t-1", 1764150000500 - 1000, "value"],
      ["divide(1, 0)", undefined, 0, "error"],
    ],
  );
  feed.dispose();
});

test("a future already settled is shown settled; a cancelled one says what cancelling did", async () => {
  const model = setup();
  const done = new ComputeFuture(undefined, "t-9");
  done._resolve(null);
  const cancelled = new ComputeFuture(undefined);
  feedFutures(model, "g", [
    { call: "f()", future: done },
    { call: "g()", future: cancelled },
  ]);
  cancelled._reject(new TaskCancelledError(false, undefined), "cancelled");
  await tick();
  const [a, b] = model.get("g")?.tasks ?? [];
  assert.deepEqual([a.state, a.resultPreview], ["success", "None"]);
  assert.deepEqual([b.state, b.error], ["cancelled", "Task cancelled before it was submitted; it never left this process."]);
});

test("after dispose, or once the group is forgotten, futures no longer touch the model", async () => {
  const model = setup();
  const f = new ComputeFuture(undefined);
  const feed = feedFutures(model, "g", [{ call: "f()", future: f }]);
  feed.dispose();
  f._setState("running");
  assert.equal(model.get("g")?.tasks[0].state, "queued");

  const h = new ComputeFuture(undefined);
  feedFutures(model, "g", [{ call: "h()", future: h }]);
  model.remove("g");
  h._resolve(1n);
  await tick();
  assert.equal(model.get("g"), undefined);
});

test("a map chunk's row shows its items: their results in order and the failed ones by index, settled live or before feeding", async () => {
  const model = setup();
  const live = new ComputeFuture(undefined);
  const reloaded = new ComputeFuture(undefined, "t-2");
  const malformed = new ComputeFuture(undefined, "t-3");
  const lost = new ComputeFuture(undefined, "t-4");
  const traceback = (line: string) => `Traceback (most recent call last):\n  File "<x>", line 2, in double\n${line}\n`;
  reloaded._resolve([[10, 12, 14], []]);
  const chunks: unknown[] = [];
  feedFutures(
    model,
    "g",
    [
      { call: "double ← items 1250–1253 of range(2500)", future: live, items: { first: 1250, count: 4 } },
      { call: "double ← items 5–7 of range(8)", future: reloaded, items: { first: 5, count: 3 } },
      { call: "double ← items 0–1 of range(2)", future: malformed, items: { first: 0, count: 2 } },
      { call: "double ← items 2–6 of range(8)", future: lost, items: { first: 2, count: 5 } },
    ],
    { onSettled: (_task, { index, chunk }) => void chunks.push([index, chunk]) },
  );
  lost._reject(new Error("worker lost"));
  live._resolve([
    [2500, null, 2504, null],
    [
      [1, traceback("ZeroDivisionError: division by zero")],
      [3, traceback("ValueError: bad")],
    ],
  ]);
  malformed._resolve("not a chunk's pair");
  await tick();
  const [a, b, c] = model.get("g")?.tasks ?? [];
  assert.deepEqual([a.resultPreview, a.error], [
    "[2500, None, 2504, None]",
    "2 of 4 items failed: item 1251: ZeroDivisionError: division by zero; item 1253: ValueError: bad",
  ]);
  assert.deepEqual([b.resultPreview, b.error], ["[10, 12, 14]", undefined]);
  assert.equal(c.resultPreview, "[None, None]");
  assert.match(c.error ?? "", /^2 of 2 items failed: item 0: Map chunk task t-3 returned "not a chunk's pair", not the 2 results of its items\.; item 1: /);
  // Each chunk's count of items and of failures, for the map's lens (a failed task: all its items).
  assert.deepEqual(
    chunks.sort((x, y) => (x as number[])[0] - (y as number[])[0]),
    [
      [0, { count: 4, failed: 2 }],
      [1, { count: 3, failed: 0 }],
      [2, { count: 2, failed: 2 }],
      [3, { count: 5, failed: 5 }],
    ],
  );
});

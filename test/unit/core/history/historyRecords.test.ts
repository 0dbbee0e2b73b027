import * as assert from "node:assert/strict";
import { test } from "node:test";
import { applyRetention, type HistoryGroup, type HistoryTask } from "../../../../core/history/historyRecords";

function groupOf(id: string, createdAt: number, tasks: Partial<HistoryTask>[], extra: Partial<HistoryGroup> = {}): HistoryGroup {
  const full = tasks.map((t) => ({ call: "f()", state: "success", submittedAt: createdAt, finishedAt: createdAt + 1, taskId: `${id}-t`, ...t }));
  return { id, functionName: "f", endpoint: { name: "hpc", id: "e" }, service: "https://compute.api.globus.org", createdAt, tasks: full, ...extra };
}

test("retention drops the oldest finished groups, never one still waiting for an acknowledged task or marked unavailable", () => {
  const groups = new Map<string, HistoryGroup>();
  // Oldest first: a job queued for days, one the service could not be asked about, a finished one, an unacknowledged one.
  groups.set("queued", groupOf("queued", 1, [{ state: "waiting-for-launch", finishedAt: undefined }]));
  groups.set("gone", groupOf("gone", 2, [{}], { unavailable: { reason: "not found by the service now (kept)", at: 5 } }));
  groups.set("done", groupOf("done", 3, [{}]));
  groups.set("unsent", groupOf("unsent", 4, [{ state: "queued", finishedAt: undefined, taskId: undefined }]));
  for (let i = 0; i < 3; i++) groups.set(`new${i}`, groupOf(`new${i}`, 10 + i, [{}]));
  const dropped = applyRetention(groups, { maxTaskGroups: 3, maxTasks: 1000 });
  assert.deepEqual(dropped.sort(), ["done", "unsent"]);
  assert.deepEqual([...groups.keys()].sort(), ["gone", "new0", "new1", "new2", "queued"]);
  // The task bound likewise.
  const many = new Map([["queued", groupOf("queued", 1, [{ finishedAt: undefined }])], ["recent", groupOf("recent", 2, [{}])]]);
  assert.deepEqual(applyRetention(many, { maxTaskGroups: 50, maxTasks: 1 }), []);
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ComputeApiError } from "../../../../../core/protocol";
import type { ResultEvent, TaskStateEvent, TaskStatusRecord, WatchStateEvent } from "../../../../../core/service/computeService";
import { ResultWatcher } from "../../../../../core/service/globus/resultWatcher";
import { until } from "../../../../support/until";

describe("ResultWatcher polling", () => {
  it("while the broker is away, unfinished batch_status records become task states and finished ones results", async () => {
    const polls: string[][] = [];
    let finished = false;
    const watcher = new ResultWatcher({
      taskGroupId: "g",
      // No broker at all: the watcher falls back to polling after the first retry.
      connectionInfo: async () => Promise.reject(new Error("broker unreachable")),
      taskStatuses: async (ids) => {
        polls.push([...ids]);
        const record: TaskStatusRecord = finished
          ? { task_id: "t1", status: "success", result: "11\n1", completion_t: "1700000000.5" }
          : { task_id: "t1", status: "Running" };
        return new Map([["t1", record]]);
      },
      pendingTaskIds: () => ["t1"],
      reconnectMinMs: 1,
      reconnectMaxMs: 5,
      pollIntervalMs: 10,
    });
    const states: TaskStateEvent[] = [];
    const results: ResultEvent[] = [];
    watcher.onTaskState((e) => states.push(e));
    watcher.onResult((e) => results.push(e));
    try {
      await until(() => states.length > 0, "a polled task state");
      assert.equal(watcher.state, "polling");
      assert.deepEqual(states[0], { taskId: "t1", state: "running" }, "lower-cased, no transition (batch_status has none)");
      assert.equal(results.length, 0);
      finished = true;
      await until(() => results.length > 0, "the polled result");
      assert.equal(results[0].result.data, "11\n1");
    } finally {
      watcher.dispose();
    }
    assert.ok(polls.every((ids) => ids.join() === "t1"));
  });

  it("a polled failure carries the code and transitions its result message would (MaxResultSizeExceeded, not RemoteExecutionError)", async () => {
    const watcher = new ResultWatcher({
      taskGroupId: "g",
      connectionInfo: async () => Promise.reject(new Error("broker unreachable")),
      taskStatuses: async () =>
        new Map([
          [
            "t1",
            {
              task_id: "t1",
              status: "failed",
              exception: "MaxResultSizeExceeded(11534348, 10485760)",
              completion_t: "1700000003.5",
              details: { task_transitions: { "execution-start": 1700000002, "execution-end": 1700000003 } },
            },
          ],
        ]),
      pendingTaskIds: () => ["t1"],
      reconnectMinMs: 1,
      reconnectMaxMs: 5,
      pollIntervalMs: 10,
    });
    const results: ResultEvent[] = [];
    watcher.onResult((e) => results.push(e));
    try {
      await until(() => results.length > 0, "the polled result");
    } finally {
      watcher.dispose();
    }
    assert.equal(results[0].result.error_details?.code, "MaxResultSizeExceeded");
    assert.deepEqual(results[0].result.task_statuses?.map((t) => t.state), ["execution-start", "execution-end"]);
  });

  it("polls from the moment the stream is lost, while a reconnect hangs in the service; the hanging call is bounded", async () => {
    let infoCalls = 0;
    let polls = 0;
    const watcher = new ResultWatcher({
      taskGroupId: "g",
      // The first attempt fails at once; later ones hang (a service slow to hand out broker credentials).
      connectionInfo: () => (++infoCalls === 1 ? Promise.reject(new Error("connection reset")) : new Promise<never>(() => undefined)),
      taskStatuses: async () => {
        polls++;
        return new Map();
      },
      pendingTaskIds: () => ["t1"],
      reconnectMinMs: 1,
      reconnectMaxMs: 5,
      pollIntervalMs: 10,
      connectTimeoutMs: 100,
    });
    try {
      await until(() => polls > 0, "a poll while the reconnect hangs", 1000);
      assert.equal(infoCalls, 2, "polling did not wait for the reconnect");
      await until(() => infoCalls > 2, "another reconnect once the hanging one timed out", 1000);
    } finally {
      watcher.dispose();
    }
  });

  const refused = () => ComputeApiError.fromResponse(401, JSON.stringify({ code: "INVALID_AUTH_TOKEN", detail: "Token is not active" }));
  const unavailable = () => ComputeApiError.fromResponse(503, JSON.stringify({ code: "SERVICE_UNAVAILABLE", detail: "down" }));

  it("a sign-in refused again and again ends the watch (failed, SIGN_IN_REFUSED); polls stop and were reported once", async () => {
    let requests = 0;
    const errors: Error[] = [];
    const watcher = new ResultWatcher({
      taskGroupId: "g1",
      connectionInfo: async () => {
        requests++;
        throw refused();
      },
      taskStatuses: async () => {
        requests++;
        throw refused();
      },
      pendingTaskIds: () => ["t1"],
      reconnectMinMs: 1,
      reconnectMaxMs: 5,
      pollIntervalMs: 5,
      onError: (e) => errors.push(e),
    });
    const states: WatchStateEvent[] = [];
    watcher.onStateChange((e) => states.push(e));
    try {
      await until(() => watcher.state === "failed", "the watch to give up");
      const failed = states.at(-1);
      assert.equal(failed?.error?.code, "SIGN_IN_REFUSED");
      assert.match(failed?.error?.message ?? "", /Sign in again, then reload task group g1/);
      assert.match(failed?.error?.message ?? "", /INVALID_AUTH_TOKEN/);
      const asked = requests;
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(requests, asked, "nothing asked after giving up");
      assert.ok(errors.length <= 1, `reported once: ${errors.length}`);
    } finally {
      watcher.dispose();
    }
  });

  it("transient errors never end the watch, and a failing poll is reported once until one works", async () => {
    let polls = 0;
    const errors: Error[] = [];
    const watcher = new ResultWatcher({
      taskGroupId: "g2",
      connectionInfo: async () => Promise.reject(unavailable()),
      taskStatuses: async () => {
        // Fails, works once, then fails again: two reports.
        if (++polls === 20) return new Map();
        throw unavailable();
      },
      pendingTaskIds: () => ["t1"],
      reconnectMinMs: 1,
      reconnectMaxMs: 5,
      pollIntervalMs: 2,
      onError: (e) => errors.push(e),
    });
    try {
      await until(() => polls >= 40, "40 polls");
      assert.notEqual(watcher.state, "failed");
      assert.equal(errors.length, 2);
    } finally {
      watcher.dispose();
    }
  });
});

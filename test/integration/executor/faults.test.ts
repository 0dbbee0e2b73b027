/**
 * Faults between the Executor and the (emulated) cloud: every one must end with zero results lost and
 * zero duplicated, and with clear per-task errors where a task really failed.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import * as amqp from "amqplib";
import {
  Executor,
  ExecutorError,
  TaskCancelledError,
  TaskExecutionFailed,
  type ComputeFuture,
  type PythonFunction,
} from "../../../core/executor";
import { packMessage } from "../../../core/protocol";
import type { ResultEvent, WatchState } from "../../../core/service/computeService";
import { ResultWatcher } from "../../../core/service/globus/resultWatcher";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { double } from "../../demo/seedFunctions";
import { cloudService } from "./cloudSupport";
import { turnCounter } from "../../support/turnCounter";

const identity: PythonFunction = { name: "identity", source: "def identity(x):\n    return x\n" };
const sleepy: PythonFunction = {
  name: "sleepy",
  source: "def sleepy(x, s=0.3):\n    import time\n    time.sleep(s)\n    return x\n",
};
const huge: PythonFunction = { name: "huge", source: "def huge():\n    return 'x' * (11 * 1024 * 1024)\n" };

/** Submits `n` identity tasks and counts how often each future settles (must be exactly once). */
function stream(gce: Executor, n: number) {
  const settled = new Map<ComputeFuture, number>();
  let successes = 0;
  const sub = gce.onFutureChange((f) => {
    if (!f.done()) return;
    settled.set(f, (settled.get(f) ?? 0) + 1);
    if (f.state === "success") successes++;
  });
  const futures = Array.from({ length: n }, (_, i) => gce.submit(identity, i));
  return {
    futures,
    successes: () => successes,
    async check(): Promise<void> {
      const values = await Promise.all(futures);
      sub.dispose();
      values.forEach((v, i) => assert.equal(v, i, `task ${i} got its own result`));
      assert.equal(settled.size, n, "every future settled");
      assert.ok([...settled.values()].every((c) => c === 1), "no future settled twice");
    },
  };
}

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("Executor under faults (emulator + real RabbitMQ)", { timeout: 400_000 }, () => {
  let em: Emulator;
  before(async () => {
    em = await startEmulator({ rateLimit: null, endpoints: [{ workers: 2 }], onError: () => undefined });
  });
  after(async () => {
    await em?.stop();
  });

  it("every AMQP connection killed 20 times during a 10k-task stream: nothing lost or duplicated", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service, batchSize: 512 });
    const states: WatchState[] = [];
    gce.onWatchStateChange((s) => states.push(s.state));
    const n = 10_000;
    const s = stream(gce, n);
    for (let kill = 1; kill <= 20; kill++) {
      await until(() => s.successes() >= Math.floor((kill * n) / 22), `result ${kill}/22 of the stream`);
      await em.control.closeAmqpConnections();
    }
    await s.check();
    assert.ok(states.filter((x) => x === "streaming").length >= 10, `reconnected after kills: ${states.join(",")}`);
    service.dispose();
  });

  it("the broker restarted mid-stream: nothing lost or duplicated", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const states = new Set<WatchState>();
    gce.onWatchStateChange((s) => states.add(s.state));
    const s = stream(gce, 2000);
    await until(() => s.successes() >= 500, "a quarter of the stream");
    await em.control.restartBroker();
    await s.check();
    assert.ok(states.has("reconnecting"), [...states].join(","));
    service.dispose();
  });

  it("a 429 storm and 5xx bursts are retried; a burst beyond the retries fails only its batch", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service, batchSize: 50 });
    em.control.failNext({ count: 4, status: 429, retryAfterS: 0, route: "/submit" });
    em.control.failNext({ count: 2, status: 503, route: "/v3/functions" });
    const s = stream(gce, 200);
    await s.check();
    em.control.failNext({ count: 3, status: 502, route: "/submit" });
    em.control.failNext({ count: 2, status: 500, route: "/get_amqp_result_connection_url" });
    const t = stream(gce, 100);
    await t.check();
    em.control.failNext({ count: 6, status: 504, route: "/submit" });
    const doomed = gce.submit(double, 1);
    const err = await doomed.exception();
    assert.ok(err instanceof ExecutorError && err.code === "SUBMIT_FAILED", String(err));
    assert.match(err.message, /504/);
    assert.equal(await gce.submit(double, 2), 4, "the executor stays usable");
    service.dispose();
  });

  it("batches refused as too large (413) go again in halves, the rest keep to that size: nothing lost", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service, batchSize: 64 });
    const splits: [number, number, string][] = [];
    gce.onBatchSplit((x) => splits.push([x.refused, x.batchSize, x.error.code]));
    em.control.failNext({ count: 2, status: 413, code: "BATCH_RUN_TOO_LARGE", route: "/submit" });
    const s = stream(gce, 200);
    await s.check();
    assert.deepEqual(splits, [
      [64, 32, "BATCH_RUN_TOO_LARGE"],
      [32, 16, "BATCH_RUN_TOO_LARGE"],
    ]);
    assert.ok(s.futures.every((f) => f.taskGroupId === gce.taskGroupId), "one task group");
    service.dispose();
  });

  it("an endpoint offline, then online: tasks wait, then complete", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    await em.control.setEndpointOnline(em.endpoints[0], false);
    const futures = [1, 2, 3].map((x) => gce.submit(double, x));
    await until(() => futures.every((f) => f.taskId !== undefined), "acknowledgement");
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(futures.every((f) => !f.done()), "nothing runs while the endpoint is offline");
    await em.control.setEndpointOnline(em.endpoints[0], true);
    assert.deepEqual(await Promise.all(futures), [2, 4, 6]);
    service.dispose();
  });

  it("a malformed message is dropped once (no requeue loop) and the stream goes on", async () => {
    const { service, errors } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    assert.equal(await gce.submit(double, 1), 2);
    await em.control.publishMalformed(gce.taskGroupId as string);
    assert.equal(await gce.submit(double, 2), 4);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(errors.filter((e) => /malformed/.test(e.message)).length, 1, errors.map(String).join("\n"));
    service.dispose();
  });

  it("a well-formed result message with undecodable data settles nothing: the real result still wins", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const reported: string[] = [];
    // Reported while the future is still open: a settled one would not hear of later messages at all.
    gce.onMalformedResult(({ taskId, error }) => reported.push(`${taskId} ${error.code} ${f.done() ? "settled" : "waiting"}`));
    const f = gce.submit(sleepy, { args: [7], kwargs: { s: 5 } });
    await until(() => f.taskId !== undefined, "acknowledgement");
    const taskId = f.taskId as string;
    for (const data of ["00\nnot a pickle", "11\n{not json", "99\nno such strategy"]) {
      const forged = packMessage({ message_type: "result", data: { task_id: taskId, data, details: null, error_details: null, task_statuses: null } });
      await em.control.publishMalformed(gce.taskGroupId as string, forged);
    }
    await until(() => reported.length === 3, "the three bad results reported", 30_000);
    assert.deepEqual(reported, [1, 2, 3].map(() => `${taskId} MALFORMED_RESULT waiting`));
    assert.equal(await f.result(60_000), 7);
    service.dispose();
  });

  it("a result over the size limit fails that task with a clear error", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const big = gce.submit(huge);
    const small = gce.submit(double, 21);
    const err = await big.exception();
    assert.ok(err instanceof TaskExecutionFailed, String(err));
    assert.equal(err.errorCode, "MaxResultSizeExceeded");
    assert.match(err.message, /limit/);
    assert.equal(await small, 42);
    service.dispose();
  });

  it("high-assurance endpoints: results are fetched over REST", async () => {
    const { service } = cloudService(em);
    em.control.setHighAssurance(em.endpoints[0], true);
    try {
      await using gce = new Executor({ endpointId: em.endpoints[0], service });
      assert.deepEqual(await Promise.all([1, 2, 3].map((x) => gce.submit(double, x))), [2, 4, 6]);
    } finally {
      em.control.setHighAssurance(em.endpoints[0], false);
      service.dispose();
    }
  });

  it("ResultWatcher: amqpPort overrides the URL's port; acks only what it delivered; survives a poison message", async () => {
    const queuePrefix = `watcher-test-${randomUUID()}-`;
    const group = randomUUID();
    const admin = await amqp.connect(em.amqpUrl);
    const ch = await admin.createChannel();
    await ch.assertQueue(queuePrefix + group, { durable: true });
    const wrongPort = new URL(em.amqpUrl);
    wrongPort.port = "1"; // nothing listens there: only the override can connect
    const received: ResultEvent[] = [];
    const errors: Error[] = [];
    const watcher = new ResultWatcher({
      taskGroupId: group,
      connectionInfo: async () => ({ queue_prefix: queuePrefix, connection_url: wrongPort.toString() }),
      taskStatuses: async () => new Map(),
      amqpPort: em.broker.port,
      prefetch: 4,
      onError: (e) => errors.push(e),
    });
    watcher.onResult((e) => received.push(e));
    try {
      const result = (i: number) =>
        Buffer.from(
          packMessage({
            message_type: "result",
            data: { task_id: randomUUID(), data: `11\n${i}`, details: null, error_details: null, task_statuses: null },
          }),
        );
      ch.sendToQueue(queuePrefix + group, Buffer.from("not an envelope"));
      for (let i = 0; i < 20; i++) ch.sendToQueue(queuePrefix + group, result(i), { timestamp: 1700000000, headers: { high_assurance: i === 0 } });
      await until(() => received.length === 20, "20 results through a prefetch of 4");
      assert.deepEqual(received.map((e) => e.result.data), Array.from({ length: 20 }, (_, i) => `11\n${i}`));
      assert.equal(received[0].highAssurance, true);
      assert.equal(received[1].completionT, "1700000000");
      assert.equal(watcher.state, "streaming");
      await until(async () => (await ch.checkQueue(queuePrefix + group)).messageCount === 0, "queue drained");
      assert.equal(errors.length, 1, "the poison message was dropped once");
    } finally {
      watcher.dispose();
      await ch.deleteQueue(queuePrefix + group);
      await admin.close();
    }
    assert.equal(watcher.state, "closed");
  });

  it("ResultWatcher: a burst of results is recorded a few milliseconds per turn, in order, and all of it acked", async () => {
    const queuePrefix = `watcher-burst-${randomUUID()}-`;
    const group = randomUUID();
    const admin = await amqp.connect(em.amqpUrl);
    const ch = await admin.createChannel();
    await ch.assertQueue(queuePrefix + group, { durable: true });
    // Queued before the watcher connects, so they arrive together, as a burst of chunk results would.
    for (let i = 0; i < 40; i++) {
      const data = { task_id: randomUUID(), data: `11\n${i}`, details: null, error_details: null, task_statuses: null };
      ch.sendToQueue(queuePrefix + group, Buffer.from(packMessage({ message_type: "result", data })), { timestamp: 1700000000 });
    }
    const turns = turnCounter();
    const recorded: { data: string; turn: number }[] = [];
    const watcher = new ResultWatcher({
      taskGroupId: group,
      connectionInfo: async () => ({ queue_prefix: queuePrefix, connection_url: em.amqpUrl }),
      taskStatuses: async () => new Map(),
      prefetch: 100,
    });
    watcher.onResult((e) => {
      recorded.push({ data: e.result.data as string, turn: turns.turn });
      const end = performance.now() + 3; // a listener that decodes and records a big result
      while (performance.now() < end);
    });
    try {
      await until(() => recorded.length === 40, "40 results");
      assert.deepEqual(recorded.map((r) => r.data), Array.from({ length: 40 }, (_, i) => `11\n${i}`));
      // 3 ms each within a 5 ms budget: at most 2 per turn (fewer when the OS takes the CPU away).
      const most = turns.mostInOneTurn(recorded.map((r) => r.turn));
      assert.ok(most <= 2, `${most} results recorded in one turn`);
      await until(async () => (await ch.checkQueue(queuePrefix + group)).messageCount === 0, "queue drained");
    } finally {
      turns.stop();
      watcher.dispose();
      await ch.deleteQueue(queuePrefix + group);
      await admin.close();
    }
  });

  it("shutdown: wait blocks until results are in; cancelFutures cancels only unsent tasks", async () => {
    const { service } = cloudService(em);
    const gce = new Executor({ endpointId: em.endpoints[0], service });
    const running = [1, 2].map((x) => gce.submit(sleepy, x));
    await until(() => running.every((f) => f.taskId !== undefined), "acknowledgement");
    const queued = gce.submit(sleepy, 3);
    await gce.shutdown({ wait: true, cancelFutures: true });
    assert.ok(running.every((f) => f.state === "success"), "wait=true returned after the sent tasks finished");
    assert.equal(queued.state, "cancelled");
    assert.equal(((await queued.exception()) as TaskCancelledError).remoteMayRun, false);
    assert.throws(() => gce.submit(double, 1), (e: ExecutorError) => e.code === "EXECUTOR_SHUT_DOWN");
    service.dispose();
  });
});

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { ComputeApiError } from "../../../../core/protocol/apiError";
import { PyDict, type PyValue } from "../../../../core/protocol/pyValue";
import {
  asCompleted,
  ComputeFuture,
  Executor,
  ExecutorError,
  TaskCancelledError,
  TaskExecutionFailed,
  type BatchSplit,
  type ExecutorOptions,
} from "../../../../core/executor";
import { MAX_BATCH_PAYLOAD_BYTES } from "../../../../core/executor/taskSubmitter";
import { taskArgs, MemoryComputeService } from "../../../support/memoryComputeService";

const ENDPOINT = "4b116d3c-1703-4f8f-9f6f-39921e5864df";
const double = { name: "double", source: "def double(x):\n    return x * 2\n" };
const identity = { name: "identity", source: "def identity(x):\n    return x\n" };
const echo = { name: "echo", source: "def echo(*args, **kwargs):\n    return [args, kwargs]\n" };

function setup(options: Partial<ExecutorOptions> = {}) {
  const service = new MemoryComputeService();
  service.respond = (t) => (t.functionName === "double" ? { value: (taskArgs(t.payload)[0] as number) * 2 } : undefined);
  const executor = new Executor({ endpointId: ENDPOINT, service, ...options });
  return { service, executor };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("Executor: submit and results", () => {
  it("runs double(7) and registers the function once", async () => {
    const { service, executor } = setup();
    const futures = [executor.submit(double, 7), executor.submit(double, 8)];
    assert.equal(futures[0].state, "queued");
    assert.equal(futures[0].taskId, undefined);
    assert.deepEqual(await Promise.all(futures), [14, 16]);
    assert.equal(service.registerCalls, 1);
    const [reg] = service.functions.values();
    assert.equal(reg.function_code, "42\nst\ndouble:def double(x):\n    return x * 2\n");
    assert.deepEqual(reg.meta.serde_identifier, "st");
    assert.equal(service.submits.length, 1, "both tasks went in one batch");
    const req = service.submits[0];
    assert.equal(req.createQueue, true);
    assert.deepEqual(req.resultSerializers, [
      "globus_compute_sdk.serialize.concretes.DillDataBase64",
      "globus_compute_sdk.serialize.concretes.JSONData",
    ]);
    assert.deepEqual(Object.values(req.tasks)[0], ["6\n11\n[7]5\n11\n{}", "6\n11\n[8]5\n11\n{}"]);
    assert.ok(futures[0].taskId && service.tasks.has(futures[0].taskId));
    assert.equal(executor.taskCountSubmitted, 2);
    assert.equal(futures[0].taskGroupId, executor.taskGroupId);
    await executor.shutdown();
  });

  it("a second Executor on a group whose results already stream to another gets a result that overtakes its acknowledgement", async () => {
    const { service, executor: first } = setup();
    assert.equal(await first.submit(double, 1), 2);
    // Results now go out before the submit is answered, to the group's watches open at that moment.
    service.asyncDelivery = false;
    const second = new Executor({ endpointId: ENDPOINT, service, taskGroupId: first.taskGroupId });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, 2000, "never settled")));
    try {
      assert.deepEqual(await Promise.race([Promise.all([second.submit(double, 7), first.submit(double, 8)]), late]), [14, 16]);
    } finally {
      clearTimeout(timer);
    }
    assert.equal(second.taskGroupId, first.taskGroupId);
    await Promise.all([first.shutdown(), second.shutdown()]);
  });

  it("keeps no result of another Executor's task on a shared group while none of its own requests awaits an answer", async () => {
    const { service, executor: first } = setup();
    assert.equal(await first.submit(double, 1), 2);
    const second = new Executor({ endpointId: ENDPOINT, service, taskGroupId: first.taskGroupId });
    assert.equal(await second.submit(double, 2), 4); // its stream is open, its request answered
    service.respond = () => undefined;
    const other = first.submit(double, 3);
    while (other.taskId === undefined) await tick();
    const streamed = service.complete(other.taskId, { value: 6 }); // to both Executors' watches
    assert.equal(await other, 6);
    // What the service records from now on differs from what streamed: a kept copy would show.
    service.results.set(other.taskId, { ...streamed, result: { ...streamed.result, data: "11\n60" } });
    const reloaded = await second.reloadTasks();
    assert.equal(await reloaded.find((f) => f.taskId === other.taskId), 60, "read from the service, not from a result kept on the way");
    await Promise.all([first.shutdown(), second.shutdown()]);
  });

  it("moves a future through queued → submitting → received → success, firing change events", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const f = executor.submit(double, 1);
    const seen: string[] = [];
    f.onDidChange((x) => seen.push(x.state));
    const all: string[] = [];
    executor.onFutureChange((x) => all.push(x.state));
    await tick();
    await tick();
    assert.equal(f.state, "received");
    assert.equal(f.done(), false, "done() answers at once while pending");
    service.complete(f.taskId as string, { value: 2 });
    assert.equal(await f, 2);
    assert.deepEqual(seen, ["submitting", "received", "success"]);
    assert.deepEqual(all, seen);
    assert.equal(f.done(), true);
    await executor.shutdown();
  });

  it("a future is a native promise: awaited and collected as it is; a failure nobody awaits is no unhandled rejection", async () => {
    const { service, executor } = setup();
    service.respond = () => ({ error: "boom" });
    const f = executor.submit(double, 1);
    assert.ok(f instanceof Promise && f instanceof ComputeFuture);
    assert.equal(Promise.resolve(f), f, "no wrapper promise per await or Promise.all");
    assert.ok(!(f.then(() => 0, () => 0) instanceof ComputeFuture), "derived promises are plain");
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const ignored = executor.submit(double, 2);
      await executor.shutdown();
      for (let i = 0; i < 3; i++) await tick();
      assert.equal(ignored.state, "failed");
      assert.deepEqual(unhandled, []);
      await assert.rejects(f, TaskExecutionFailed, "awaiting a failed future still throws");
      await assert.rejects(ignored.result(), TaskExecutionFailed);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("passes keyword arguments and picks JSON for JSON-exact values", async () => {
    const { service, executor } = setup();
    executor.submit(echo, { args: [1, "a"], kwargs: { k: [true, null] } });
    executor.submit(echo, { kwargs: new PyDict([["x", 1.5]]) });
    await tick();
    assert.deepEqual(Object.values(service.submits[0].tasks)[0], [
      '11\n11\n[1, "a"]22\n11\n{"k": [true, null]}',
      "5\n11\n[]13\n11\n{\"x\": 1.5}",
    ]);
    await executor.shutdown({ wait: false, cancelFutures: true });
    executor.dispose();
  });

  it("rejects remote failures with TaskExecutionFailed carrying the traceback and completion time", async () => {
    const { service, executor } = setup();
    const tb = "Traceback (most recent call last):\n  File \"x\", line 1\nValueError: Sequence not terminated in 100 steps\n";
    service.respond = () => ({ error: tb });
    const f = executor.submit(double, 1234567890);
    const err = await f.exception();
    assert.ok(err instanceof TaskExecutionFailed);
    assert.equal(err.remoteTraceback, tb);
    assert.equal(err.errorCode, "RemoteExecutionError");
    assert.match(err.message, /ValueError: Sequence not terminated in 100 steps/);
    assert.match(err.completionT, /^\d+\.\d+$/);
    await assert.rejects(f.result(), TaskExecutionFailed);
    await executor.shutdown();
  });

  it("explains an over-size result per task", async () => {
    const { service, executor } = setup();
    service.respond = () => ({ error: "remote error: result too large", code: "MaxResultSizeExceeded" });
    const err = (await executor.submit(double, 1).exception()) as TaskExecutionFailed;
    assert.equal(err.errorCode, "MaxResultSizeExceeded");
    assert.match(err.message, /larger than the endpoint's limit/);
    await executor.shutdown();
  });

  it("fails with MALFORMED_RESULT when the service's own record of the result cannot be decoded", async () => {
    const { service, executor } = setup();
    service.respond = () => ({ data: "11\n{not json" });
    const err = await executor.submit(double, 1).exception();
    assert.ok(err instanceof ExecutorError);
    assert.equal(err.code, "MALFORMED_RESULT");
    await executor.shutdown();
  });

  it("a malformed result message does not settle the future: it is reported, and a later good result wins", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const reported: string[] = [];
    executor.onMalformedResult(({ taskId, error }) => reported.push(`${taskId} ${error.code}`));
    const f = executor.submit(double, 1);
    await tick();
    await tick();
    const taskId = f.taskId as string;
    const bad = (data: string) => ({ result: { task_id: taskId, data, details: null, error_details: null, task_statuses: null }, completionT: "1.0", highAssurance: false });
    for (const data of ["11\n{not json", "00\nnot base64 pickle!", "99\nunknown strategy", ""]) service.publish(f.taskGroupId as string, bad(data));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(f.done(), false, "still waiting");
    assert.deepEqual(reported, [1, 2, 3, 4].map(() => `${taskId} MALFORMED_RESULT`));
    service.complete(taskId, { value: 2 });
    assert.equal(await f.result(1000), 2);
    await executor.shutdown();
  });

  it("result(timeoutMs) gives up waiting without settling the future", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const f = executor.submit(double, 1);
    await assert.rejects(f.result(20), (e: ExecutorError) => e.code === "RESULT_TIMEOUT");
    assert.equal(f.done(), false);
    service.complete(f.taskId as string, { value: 2 });
    assert.equal(await f.result(1000), 2);
    await executor.shutdown();
  });

  it("matches results that arrive before the acknowledgement and ignores duplicates", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const submit = service.submit.bind(service);
    service.submit = async (req) => {
      const resp = await submit(req);
      const [ids] = Object.values(resp.tasks);
      for (const id of ids) service.complete(id, { value: "early" }); // before the executor sees the response
      return resp;
    };
    await executor.submit(double, 2); // the first batch opens the result stream
    const f = executor.submit(double, 3);
    assert.equal(await f, "early");
    service.publish(f.taskGroupId as string, service.results.get(f.taskId as string)!);
    assert.equal(await f, "early");
    await executor.shutdown();
  });

  it("shows a task running (with its transition) when the service announces the start, before the result", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const f = executor.submit(double, 1);
    await tick();
    await tick();
    assert.equal(f.state, "received");
    const seen: string[] = [];
    f.onDidChange((x) => seen.push(x.state));
    const start = { timestamp: 1_700_000_000_123_456_789n, state: "execution-start", actor: "worker" };
    service.startTask(f.taskId as string, start);
    assert.equal(f.state, "running");
    assert.deepEqual(f.transitions, [start]);
    service.startTask(f.taskId as string, undefined, "running"); // a repeat changes nothing
    assert.deepEqual(f.transitions, [start]);
    service.complete(f.taskId as string, { value: 2 });
    assert.equal(await f, 2);
    service.startTask(f.taskId as string, start); // a late announcement cannot un-finish it
    assert.equal(f.state, "success");
    assert.deepEqual(seen, ["running", "success"]);
    await executor.shutdown();
  });

  it("keeps a start announced before the acknowledgement until the future is tracked", async () => {
    const { service, executor } = setup();
    assert.equal(await executor.submit(double, 2), 4); // the first batch opens the result stream
    service.respond = () => undefined;
    const submit = service.submit.bind(service);
    service.submit = async (req) => {
      const resp = await submit(req);
      for (const id of Object.values(resp.tasks)[0]) service.startTask(id); // before the executor sees the response
      return resp;
    };
    const f = executor.submit(double, 3);
    await tick();
    await tick();
    assert.equal(f.state, "running");
    service.complete(f.taskId as string, { value: 6 });
    assert.equal(await f, 6);
    await executor.shutdown();
  });
});

describe("Executor: batching and the burst limit", () => {
  it("coalesces a loop of submits into batches of batchSize", async () => {
    const { service, executor } = setup({ batchSize: 128 });
    const futures = Array.from({ length: 300 }, (_, i) => executor.submit(double, i));
    await Promise.all(futures);
    assert.deepEqual(
      service.submits.map((s) => Object.values(s.tasks)[0].length),
      [128, 128, 44],
    );
    assert.equal(executor.taskCountSubmitted, 300);
    assert.equal(new Set(service.submits.map((s) => s.taskGroupId)).size, 2, "first batch creates the group, the rest reuse it");
    assert.equal(service.submits[0].taskGroupId, undefined);
    assert.equal(service.submits[1].taskGroupId, executor.taskGroupId);
    await executor.shutdown();
  });

  it("splits a batch before its payloads pass MAX_BATCH_PAYLOAD_BYTES, and such a batch is not held back as a small one", async () => {
    // A 32 s burst window: a byte-split batch counted as small would hold the next one back for it.
    const { service, executor } = setup({ batchSize: 128, apiBurstLimit: 1, apiBurstWindowS: 32 });
    service.respond = () => ({ value: null });
    const big = "x".repeat(0.4 * MAX_BATCH_PAYLOAD_BYTES); // two fit in a request, three do not
    const started = performance.now();
    await Promise.all(Array.from({ length: 5 }, () => executor.submit(identity, big)));
    assert.deepEqual(
      service.submits.map((s) => Object.values(s.tasks)[0].length),
      [2, 2, 1],
    );
    assert.ok(service.submits.every((s) => Object.values(s.tasks)[0].join("").length <= MAX_BATCH_PAYLOAD_BYTES));
    assert.ok(performance.now() - started < 10_000, "no batch waited for the 32 s window");
    await executor.shutdown();
  });

  it("sends a batch the service refuses as too large (413) again in smaller requests; only a count refusal lowers the batch size", async () => {
    const { service, executor } = setup({ batchSize: 8 });
    const attempts: number[] = [];
    const submit = service.submit.bind(service);
    // A service that takes at most 3 tasks per request, and no task bigger than 1,000 characters.
    service.submit = async (request) => {
      const payloads = Object.values(request.tasks).flat();
      attempts.push(payloads.length);
      if (payloads.length > 3) throw ComputeApiError.fromResponse(413, '{"code":"BATCH_RUN_TOO_LARGE","detail":"too many tasks"}');
      if (payloads.some((p) => p.length > 1000)) throw ComputeApiError.fromResponse(413, '{"code":"TASK_PAYLOAD_TOO_LARGE"}');
      return submit(request);
    };
    const splits: BatchSplit[] = [];
    executor.onBatchSplit((s) => splits.push(s));
    // Too many tasks in a request: split until the parts pass, and later batches keep to that size.
    assert.deepEqual(await Promise.all(Array.from({ length: 8 }, (_, i) => executor.submit(double, i))), [0, 2, 4, 6, 8, 10, 12, 14]);
    // 8 refused, then its first half (4) refused too; then pairs.
    assert.deepEqual(attempts, [8, 4, 2, 2, 2, 2]);
    assert.deepEqual(
      splits.map((s) => [s.refused, s.batchSize, s.error.code]),
      [
        [8, 4, "BATCH_RUN_TOO_LARGE"],
        [4, 2, "BATCH_RUN_TOO_LARGE"],
      ],
    );
    attempts.length = 0;
    assert.deepEqual(await Promise.all(Array.from({ length: 5 }, (_, i) => executor.submit(double, i))), [0, 2, 4, 6, 8]);
    assert.deepEqual(attempts, [2, 2, 1], "later batches keep to the size that went through");
    // One task too big on its own: only it fails, with the service's reason; its batch-mate runs, and the
    // batch size stays (bytes, not the number of tasks, were refused).
    attempts.length = 0;
    const [big, small] = [executor.submit(identity, "x".repeat(2000)), executor.submit(double, 21)];
    await assert.rejects(big, (err: unknown) => {
      assert.ok(err instanceof ExecutorError && err.code === "SUBMIT_FAILED");
      assert.match(err.message, /^Submitting 1 task\(s\) to endpoint \S+ failed: TASK_PAYLOAD_TOO_LARGE \(HTTP 413\)/, "a 413 is not retried");
      assert.equal((err.cause as ComputeApiError).code, "TASK_PAYLOAD_TOO_LARGE");
      return true;
    });
    assert.equal(await small, 42);
    assert.deepEqual(attempts, [2, 1, 1]);
    assert.equal(splits.length, 2, "no split event: the batch size is unchanged");
    // Tasks at least as large as the one refused alone fail without a request; smaller ones still go.
    attempts.length = 0;
    const later = [executor.submit(identity, "y".repeat(2000)), executor.submit(double, 1), executor.submit(identity, "z".repeat(3000))];
    const outcomes = await Promise.allSettled(later);
    assert.deepEqual(
      outcomes.map((o) => (o.status === "fulfilled" ? o.value : ((o.reason as ExecutorError).cause as ComputeApiError).code)),
      ["TASK_PAYLOAD_TOO_LARGE", 2, "TASK_PAYLOAD_TOO_LARGE"],
    );
    assert.deepEqual(attempts, [1], "only the small task was sent");
    await executor.shutdown();
  });

  it("groups tasks by resource specification", async () => {
    const { service, executor } = setup();
    executor.submit(double, 1);
    executor.resourceSpecification = { num_nodes: 2 };
    executor.submit(double, 2);
    executor.submit(double, 3);
    await executor.shutdown();
    assert.equal(service.submits.length, 2);
    assert.deepEqual(service.submits[1].resourceSpecification, { num_nodes: 2 });
    assert.equal(Object.values(service.submits[1].tasks)[0].length, 2);
  });

  it("holds back small batches beyond the burst limit, and tasks queued meanwhile join one batch", async () => {
    const { service, executor } = setup({ apiBurstLimit: 1, apiBurstWindowS: 1 });
    const started = performance.now();
    await executor.submit(double, 1);
    const later: ComputeFuture[] = [];
    for (let i = 0; i < 5; i++) {
      later.push(executor.submit(double, i)); // submit() itself never waits
      await tick();
    }
    assert.equal(service.submits.length, 1, "all five submit() calls returned while the limiter held their batch");
    await Promise.all(later);
    assert.equal(service.submits.length, 2, "the five later submits were held back and sent together");
    assert.equal(Object.values(service.submits[1].tasks)[0].length, 5);
    assert.ok(performance.now() - started >= 900, "the second batch waited for the window");
    await executor.shutdown();
  });

  it("does not hold back small batches to the local endpoint (no web service to protect)", async () => {
    const service = new MemoryComputeService();
    Object.defineProperty(service, "kind", { value: "local" });
    service.respond = (t) => ({ value: (taskArgs(t.payload)[0] as number) * 2 });
    const executor = new Executor({ endpointId: ENDPOINT, service, apiBurstLimit: 1, apiBurstWindowS: 32 });
    const started = performance.now();
    for (let i = 0; i < 5; i++) assert.equal(await executor.submit(double, i), 2 * i);
    assert.equal(service.submits.length, 5);
    assert.ok(performance.now() - started < 10_000, "no batch waited for the 32 s window");
    await executor.shutdown();
  });
});

describe("Executor: failures, cancel and shutdown", () => {
  it("a task group the service no longer knows (pruned by a local endpoint) does not lose the tasks: they go in a new group, and so do later ones", async () => {
    const gone = randomUUID();
    const service = new MemoryComputeService();
    service.kind = "local";
    service.respond = (t) => ({ value: (taskArgs(t.payload)[0] as number) * 2 });
    const executor = new Executor({ endpointId: ENDPOINT, service, taskGroupId: gone, batchSize: 2 });
    const changes: string[] = [];
    executor.onTaskGroupChange((g) => changes.push(g));
    // Two batches queued for the gone group: both are sent again, into the one new group.
    const results = await Promise.all([1, 2, 3].map((x) => executor.submit(double, x)));
    assert.deepEqual(results, [2, 4, 6]);
    const group = executor.taskGroupId!;
    assert.notEqual(group, gone);
    assert.deepEqual(changes, [group]);
    assert.equal(await executor.submit(double, 4), 8);
    assert.equal(executor.taskGroupId, group);
    const sentTo = service.submits.map((s) => s.taskGroupId);
    assert.deepEqual(sentTo.slice(0, 2), [gone, undefined], "the first batch tried the gone group, then a new one");
    assert.ok(sentTo.slice(2).every((g) => g === gone || g === group), JSON.stringify(sentTo));
    assert.equal(sentTo.at(-1), group);
    await executor.shutdown();
  });

  it("a task group the cloud does not know fails the batch (as in the SDK): its tasks do not go into a new group", async () => {
    const unknown = randomUUID();
    const { service, executor } = setup({ taskGroupId: unknown });
    const err = await executor.submit(double, 1).exception();
    assert.ok(err instanceof ExecutorError);
    assert.equal(err.code, "SUBMIT_FAILED");
    assert.equal((err.cause as ComputeApiError).code, "TASK_GROUP_NOT_FOUND");
    assert.match(err.message, /not found/);
    assert.deepEqual(
      service.submits.map((s) => s.taskGroupId),
      [unknown],
    );
    assert.equal(executor.taskGroupId, unknown);
    await executor.shutdown();
  });

  it("a failed submit fails only its batch; the executor stays usable", async () => {
    const { service, executor } = setup();
    service.submitErrors.push(new Error("HTTP 503 after 5 retries"));
    const first = executor.submit(double, 1);
    const err = await first.exception();
    assert.ok(err instanceof ExecutorError);
    assert.equal(err.code, "SUBMIT_FAILED");
    assert.match(err.message, /503/);
    assert.equal(await executor.submit(double, 2), 4);
    await executor.shutdown();
  });

  it("a failed registration fails those tasks and is retried on the next submit", async () => {
    const { service, executor } = setup();
    service.registerErrors.push(new Error("403 FUNCTION_ACCESS_FORBIDDEN"));
    const err = await executor.submit(double, 1).exception();
    assert.equal((err as ExecutorError).code, "REGISTRATION_FAILED");
    assert.equal(await executor.submit(double, 2), 4);
    assert.equal(service.registerCalls, 2);
    await executor.shutdown();
  });

  it("cancel() before submission cancels; after it only stops waiting, and says so", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const a = executor.submit(double, 1);
    const b = executor.submit(double, 2);
    assert.equal(a.cancel(), "cancelled");
    assert.equal(a.cancel(), "already-done");
    await tick();
    await tick();
    assert.equal(Object.values(service.submits[0].tasks)[0].length, 1, "the cancelled task was never sent");
    assert.ok(b.taskId);
    assert.equal(b.cancel(), "stopped-waiting");
    const err = await b.exception();
    assert.ok(err instanceof TaskCancelledError);
    assert.equal(err.remoteMayRun, true);
    assert.equal(((await a.exception()) as TaskCancelledError).remoteMayRun, false);
    service.complete(b.taskId, { value: 4 }); // arrives after the cancel: ignored
    assert.equal(b.state, "cancelled");
    await executor.shutdown();
  });

  it("a task taken off the queue, held back by the burst limit and cancelled meanwhile, is never sent", async () => {
    const { service, executor } = setup({ batchSize: 2, apiBurstLimit: 1, apiBurstWindowS: 1 });
    service.respond = () => undefined;
    executor.submit(double, 0);
    while (service.submits.length < 1) await tick();
    // A small batch of one specification and a full one of another, taken off the queue together: the
    // small one waits for the burst window.
    executor.resourceSpecification = { num_nodes: 2 };
    const held = executor.submit(double, 1);
    executor.resourceSpecification = undefined;
    executor.submit(double, 2);
    executor.submit(double, 3);
    await new Promise((resolve) => setTimeout(resolve, 200)); // taken off the queue, the window not over
    assert.equal(service.submits.length, 1);
    assert.equal(held.state, "queued");
    assert.equal(held.cancel(), "cancelled");
    await executor.shutdown({ wait: false });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(service.submits.map((s) => Object.values(s.tasks)[0].length), [1, 2], "the cancelled task was never sent");
    assert.equal(((await held.exception()) as TaskCancelledError).remoteMayRun, false);
  });

  it("shutdown({ cancelFutures }) and dispose() cancel tasks taken off the queue but held back by the burst limit: they are never sent", async () => {
    for (const stop of ["shutdown", "dispose"] as const) {
      const { service, executor } = setup({ batchSize: 2, apiBurstLimit: 1, apiBurstWindowS: 60 });
      service.respond = () => undefined;
      const first = executor.submit(double, 0);
      while (first.taskId === undefined) await tick();
      service.complete(first.taskId, { value: 0 });
      // Two specifications taken off the queue together: the small batch waits for the burst window, and
      // the full one after it.
      executor.resourceSpecification = { num_nodes: 2 };
      const held = [executor.submit(double, 1)];
      executor.resourceSpecification = undefined;
      held.push(executor.submit(double, 2), executor.submit(double, 3));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(
        held.map((f) => f.state),
        ["queued", "queued", "queued"],
      );
      // (Waiting for nothing: not for the burst window.)
      if (stop === "shutdown") await executor.shutdown({ cancelFutures: true, wait: true });
      else executor.dispose();
      for (const f of held) assert.equal(((await f.exception()) as TaskCancelledError).remoteMayRun, false, stop);
      for (let i = 0; i < 5; i++) await tick();
      assert.equal(service.submits.length, 1, `${stop}: the held tasks were never sent`);
      executor.dispose();
    }
  });

  it("cancelAll() cancels what was not sent and stops waiting for the rest, a few ms per turn, sending nothing meanwhile", async () => {
    const { service, executor } = setup({ batchSize: 1000 });
    service.respond = () => undefined;
    const sent = Array.from({ length: 20_000 }, (_, i) => executor.submit(double, i));
    while (executor.taskCountSubmitted < sent.length) await tick();
    const requests = service.submits.length;
    const queued = Array.from({ length: 5000 }, (_, i) => executor.submit(double, i));
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const outcomes = await ComputeFuture.cancelAll([...sent, ...queued]);
    clearInterval(counting);
    assert.deepEqual(new Set(outcomes.slice(0, sent.length)), new Set(["stopped-waiting"]));
    assert.deepEqual(new Set(outcomes.slice(sent.length)), new Set(["cancelled"]));
    assert.ok(turns > 0, "the event loop ran while 25k futures were cancelled");
    const errors = new Set(await Promise.all([...sent, ...queued].map((f) => f.exception())));
    assert.equal(errors.size, 2, "one error per outcome, shared");
    const [stopped, cancelled] = [...errors] as TaskCancelledError[];
    assert.equal(stopped.remoteMayRun, true);
    assert.match(stopped.message, /Stopped waiting for this task: it was cancelled together with others\. It was already sent/);
    assert.equal(cancelled.remoteMayRun, false);
    await executor.shutdown();
    assert.equal(service.submits.length, requests, "none of the queued tasks was sent");
  });

  it("shutdown() waits for every result; submit afterwards is refused", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const f = executor.submit(double, 1);
    let finished = false;
    const done = executor.shutdown().then(() => (finished = true));
    assert.throws(() => executor.submit(double, 1), (e: ExecutorError) => e.code === "EXECUTOR_SHUT_DOWN");
    await tick();
    await tick();
    assert.equal(finished, false);
    service.complete(f.taskId as string, { value: 2 });
    await done;
    assert.equal(f.state, "success");
    assert.equal(service.watches.size, 0, "result stream closed");
  });

  it("shutdown({cancelFutures}) cancels only what was not sent; shutdown({wait:false}) returns at once", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const sent = executor.submit(double, 1);
    await tick();
    await tick();
    const queued = executor.submit(double, 2);
    await executor.shutdown({ wait: false, cancelFutures: true });
    assert.equal(queued.state, "cancelled");
    assert.equal(sent.state, "received");
    service.complete(sent.taskId as string, { value: 2 });
    assert.equal(await sent, 2, "results still arrive after shutdown(wait=false)");
    await tick();
    assert.equal(service.watches.size, 0, "released once nothing is left to wait for");
  });

  it("dispose() stops waiting for everything (no future hangs)", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const sent = executor.submit(double, 1);
    await tick();
    await tick();
    const queued = executor.submit(double, 2);
    executor.dispose();
    assert.equal(((await queued.exception()) as TaskCancelledError).remoteMayRun, false);
    assert.equal(((await sent.exception()) as TaskCancelledError).remoteMayRun, true);
    assert.equal(service.watches.size, 0);
  });

  it("works with await using", async () => {
    const { service } = setup();
    let f: ComputeFuture;
    {
      await using executor = new Executor({ endpointId: ENDPOINT, service });
      service.respond = () => ({ value: "ok" });
      f = executor.submit(double, 1);
    }
    assert.equal(f.state, "success");
  });
});

describe("Executor: asCompleted, map, reload", () => {
  it("asCompleted yields futures in completion order, failures included", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const futures = [0, 1, 2, 3].map((i) => executor.submit(double, i));
    await tick();
    await tick();
    const order = [2, 0, 3, 1];
    setImmediate(() => {
      for (const i of order) {
        if (i === 3) service.complete(futures[i].taskId as string, { error: "Traceback\nZeroDivisionError" });
        else service.complete(futures[i].taskId as string, { value: i * 2 });
      }
    });
    const seen: ComputeFuture[] = [];
    for await (const done of asCompleted(futures)) {
      seen.push(done.future);
      if (done.ok) assert.equal(done.value, futures.indexOf(done.future) * 2);
      else assert.ok(done.error instanceof TaskExecutionFailed);
    }
    assert.deepEqual(seen, order.map((i) => futures[i]));
    await executor.shutdown();
  });

  it("asCompleted with a timeout throws RESULT_TIMEOUT", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const it = asCompleted([executor.submit(double, 1)], { timeoutMs: 30 });
    await assert.rejects(it.next(), (e: ExecutorError) => e.code === "RESULT_TIMEOUT");
    executor.dispose();
  });

  it("map yields results in input order, also with chunks", async () => {
    const { service, executor } = setup();
    service.respond = (t) => {
      const [x] = taskArgs(t.payload);
      if (t.functionName === "double") return { value: (x as number) * 2 };
      return { value: [(x as number[]).map((v) => v * 2), []] }; // the chunk wrapper: [results, failures]
    };
    const items = Array.from({ length: 10 }, (_, i) => i);
    const out: PyValue[] = [];
    for await (const v of executor.map(double, items)) out.push(v);
    assert.deepEqual(out, items.map((i) => i * 2));
    const chunked = executor.map(double, items, { chunk: 4 });
    assert.equal(chunked.futures.length, 3);
    const out2: PyValue[] = [];
    for await (const v of chunked) out2.push(v);
    assert.deepEqual(out2, out);
    const wrapper = [...service.functions.values()].find((r) => r.function_name === "_gc_map_chunk_double");
    assert.ok(wrapper?.function_code.includes("call = double\n"));
    assert.ok(wrapper?.function_code.includes("append(call(item))"));
    const auto = executor.map(double, Array.from({ length: 100 }, (_, i) => i));
    assert.equal(auto.chunk, 7, "auto: ceil(100 / (4 × 4 default workers))");
    assert.equal(auto.futures.length, 15);
    assert.equal(auto.length, 100);
    let n = 0;
    for await (const v of auto) assert.equal(v, 2 * n++);
    assert.equal(n, 100);
    await executor.shutdown();
  });

  it("reloadTasks rebuilds futures from the task group: finished ones at once, the rest when they finish", async () => {
    const { service, executor } = setup();
    service.respond = (t) => ((taskArgs(t.payload)[0] as number) < 3 ? { value: "done" } : undefined);
    const originals = [0, 1, 2, 3, 4].map((i) => executor.submit(double, i));
    await Promise.all(originals.slice(0, 3));
    const group = executor.taskGroupId as string;
    executor.dispose(); // the first "process" dies

    const second = new Executor({ endpointId: ENDPOINT, service });
    const reloaded = await second.reloadTasks(group);
    assert.equal(second.taskGroupId, group);
    assert.deepEqual(
      reloaded.map((f) => f.taskId),
      originals.map((f) => f.taskId),
    );
    assert.deepEqual(
      reloaded.map((f) => f.done()),
      [true, true, true, false, false],
    );
    const again = await second.reloadTasks();
    assert.deepEqual(
      again.map((f) => f.taskId),
      originals.slice(0, 3).map((f) => f.taskId),
      "tasks this executor still waits for are skipped, as in the SDK",
    );
    service.complete(originals[3].taskId as string, { value: "late" });
    service.complete(originals[4].taskId as string, { error: "Traceback\nValueError: no" });
    assert.equal(await reloaded[3], "late");
    await assert.rejects(reloaded[4].result(), TaskExecutionFailed);
    await second.shutdown();
  });

  it("a reload whose status fetch fails stops waiting for its futures: a retry returns every task, shutdown waits for none", async () => {
    const { service, executor } = setup();
    service.respond = (t) => ((taskArgs(t.payload)[0] as number) < 3 ? { value: "done" } : undefined);
    const originals = [0, 1, 2, 3, 4].map((i) => executor.submit(double, i));
    await Promise.all(originals.slice(0, 3));
    const group = executor.taskGroupId as string;
    executor.dispose();
    const statuses = service.getTaskStatuses.bind(service);
    let calls = 0;
    // Statuses come two tasks at a time (batchSize 2): the second request fails once.
    service.getTaskStatuses = async (ids) => {
      if (++calls === 2) throw new Error("502 Bad Gateway");
      return statuses(ids);
    };
    const second = new Executor({ endpointId: ENDPOINT, service, batchSize: 2 });
    await assert.rejects(second.reloadTasks(group), /502 Bad Gateway/);
    const again = await second.reloadTasks();
    assert.deepEqual(
      again.map((f) => f.taskId),
      originals.map((f) => f.taskId),
    );
    second.dispose();

    calls = 0;
    const third = new Executor({ endpointId: ENDPOINT, service, batchSize: 2, taskGroupId: group });
    await assert.rejects(third.reloadTasks(), /502 Bad Gateway/);
    // Tasks 3 and 4 never finish: nothing of this Executor waits for them.
    await third.shutdown({ wait: true });
  });

  it("a reload while a submission of its own awaits its answer: the task's two futures both settle, and neither is left behind", async () => {
    const { service, executor } = setup();
    assert.equal(await executor.submit(double, 1), 2); // the group exists
    service.respond = () => undefined;
    const submit = service.submit.bind(service);
    let answer = Promise.resolve();
    // The service creates the tasks at once; its answer comes when the test lets it.
    service.submit = async (req) => {
      const response = await submit(req);
      await answer;
      return response;
    };
    /** Submits `x` and reloads while its request is unanswered; returns its future and the reloaded one. */
    const twins = async (x: number) => {
      let answered = () => {};
      answer = new Promise<void>((resolve) => (answered = resolve));
      const before = service.tasks.size;
      const submitted = executor.submit(double, x);
      while (service.tasks.size === before) await tick();
      const reloaded = await executor.reloadTasks();
      answered();
      while (submitted.taskId === undefined) await tick();
      const twin = reloaded.find((f) => f.taskId === submitted.taskId);
      assert.ok(twin && twin !== submitted);
      return [submitted, twin] as const;
    };
    const [submitted, reloaded] = await twins(21);
    service.complete(submitted.taskId as string, { value: 42 });
    assert.deepEqual(await Promise.all([submitted, reloaded]), [42, 42]);

    // One of them cancelled (stopped waiting): the other still gets the result.
    const [kept, dropped] = await twins(5);
    dropped.cancel();
    service.complete(kept.taskId as string, { value: 10 });
    assert.equal(await kept, 10);

    // Shut down without waiting: neither is left unsettled.
    const last = await twins(7);
    await executor.shutdown({ wait: false });
    executor.dispose();
    for (const f of last) await assert.rejects(f, TaskCancelledError);
  });

  it("reloadTasks without a group or for a group the service does not know fails clearly", async () => {
    const { executor } = setup();
    await assert.rejects(executor.reloadTasks(), (e: ExecutorError) => e.code === "NO_TASK_GROUP");
    await assert.rejects(executor.reloadTasks(randomUUID()), /not found/);
    await executor.shutdown();
  });

  it("fetches high-assurance results over REST", async () => {
    const { service, executor } = setup();
    service.respond = () => undefined;
    const f = executor.submit(double, 5);
    await tick();
    await tick();
    const event = service.complete(f.taskId as string, { value: 10 }, { highAssurance: true });
    assert.ok(event.highAssurance);
    assert.equal(await f, 10);
    await executor.shutdown();
  });
});

describe("Executor: validation", () => {
  const service = new MemoryComputeService();
  const bad = (options: Record<string, unknown>, code: string) =>
    assert.throws(
      () => new Executor({ endpointId: ENDPOINT, service, ...options } as ExecutorOptions),
      (e: ExecutorError) => e.code === code,
    );

  it("rejects unknown options and wrong types with typed errors", () => {
    bad({ container_id: "x" }, "UNKNOWN_OPTION");
    bad({ endpointId: "not-a-uuid" }, "INVALID_OPTION");
    bad({ batchSize: 1.5 }, "INVALID_OPTION");
    bad({ amqpPort: 1234 }, "INVALID_OPTION");
    bad({ resourceSpecification: { f: () => 1 } }, "INVALID_OPTION");
    bad({ resourceSpecification: [1] }, "INVALID_OPTION");
    bad({ userEndpointConfig: { x: NaN } }, "INVALID_OPTION");
    bad({ resultSerializers: ["not a path"] }, "INVALID_OPTION");
    bad({ argumentSerialization: "yaml" }, "INVALID_OPTION");
  });

  it("clamps like the SDK and deep-copies dict options", () => {
    const spec = { num_nodes: 1 };
    const ex = new Executor({
      endpointId: ENDPOINT.toUpperCase(),
      service,
      batchSize: -5,
      resourceSpecification: spec,
    });
    spec.num_nodes = 99;
    assert.equal(ex.batchSize, 1);
    assert.equal(ex.endpointId, ENDPOINT);
    assert.deepEqual(ex.resourceSpecification, { num_nodes: 1 });
    ex.dispose();
  });

  it("rejects bad functions and arguments at submit time", () => {
    const ex = new Executor({ endpointId: ENDPOINT, service });
    const code = (fn: () => unknown, c: string) => assert.throws(fn, (e: ExecutorError) => e.code === c);
    code(() => ex.submit({ name: "double", source: "def other(x): pass" }), "INVALID_ARGUMENTS");
    code(() => ex.submit({ name: "not valid", source: "" }), "INVALID_ARGUMENTS");
    code(() => ex.submit(double, { args: "x" } as never), "INVALID_ARGUMENTS");
    code(() => ex.submit(echo, { kwargs: new PyDict([[1, 2]]) }), "INVALID_ARGUMENTS");
    code(() => ex.submitToRegisteredFunction("nope"), "INVALID_OPTION");
    code(() => ex.map(double, [1], { chunk: 0 }), "INVALID_ARGUMENTS");
    code(() => ex.map(double, [1], { chunk: "big" as unknown as number }), "INVALID_ARGUMENTS");
    ex.dispose();
  });

  it("a lone plain object is the call form or refused, never silently no arguments: submit(fn, {}) throws as submit(fn, { a: 1 }) does", async () => {
    const svc = new MemoryComputeService();
    svc.respond = (t) => ({ value: taskArgs(t.payload) });
    const ex = new Executor({ endpointId: ENDPOINT, service: svc });
    for (const bad of [{}, { a: 1 }, { args: [1], kw: 2 }])
      assert.throws(
        () => ex.submit(echo, bad as never),
        (e: ExecutorError) => e.code === "INVALID_ARGUMENTS" && /plain object .* keyword arguments as submit\(fn, \{ kwargs: \{\.\.\.\} \}\)/.test(e.message),
        JSON.stringify(bad),
      );
    assert.deepEqual(await ex.submit(echo, { args: [5] }), [5]);
    assert.deepEqual(await ex.submit(echo, { kwargs: { a: 1 } }), []);
    assert.deepEqual(await ex.submit(echo, PyDict.fromObject({ a: 1 })), [PyDict.fromObject({ a: 1 })]);
    await ex.shutdown();
  });

  it("map names an item that cannot be sent, by index and value, before queueing anything", async () => {
    const svc = new MemoryComputeService();
    const ex = new Executor({ endpointId: ENDPOINT, service: svc });
    const refused = (items: unknown[], pattern: RegExp, options: { chunk?: number } = {}) =>
      assert.throws(
        () => ex.map(double, items as PyValue[], options),
        (e: ExecutorError) => e.code === "INVALID_ARGUMENTS" && pattern.test(e.message),
      );
    refused([0, 1, 2, 3, 4, 5, 6, undefined, 8, 9], /^map item 7 \(undefined\) cannot be sent: a JavaScript undefined is not a Python value\.$/, {
      chunk: 5,
    });
    // eslint-disable-next-line no-sparse-arrays
    refused([1, , 3], /^map item 1 \(undefined\)/, { chunk: 1 });
    refused([1, { a: 1 }], /^map item 1 \(\{ a: 1 \}\) cannot be sent: a JavaScript Object is not a Python value \(use PyDict for dicts\)/);
    refused([[1], [2, [3, () => 4]]], /^map item 1 .*a JavaScript function is not a Python value/);
    refused([new PyDict([["k", Symbol("s") as unknown as PyValue]])], /^map item 0 .*a JavaScript symbol/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(svc.submits.length + svc.registerCalls, 0, "nothing registered or sent");
    ex.dispose();
  });

  it("checks a function object again once its name or source changed", async () => {
    const svc = new MemoryComputeService();
    svc.respond = () => ({ value: null });
    const ex = new Executor({ endpointId: ENDPOINT, service: svc });
    const fn = { name: "f", source: "def f(x):\n    return x\n" };
    await ex.submit(fn, 1);
    await ex.submit(fn, 2); // same object, same source: one registration
    assert.equal(svc.functions.size, 1);
    fn.source = "def g(x):\n    return x\n";
    assert.throws(() => ex.submit(fn, 3), (e: ExecutorError) => e.code === "INVALID_ARGUMENTS");
    fn.source = "def f(x):\n    return -x\n";
    await ex.submit(fn, 4);
    assert.equal(svc.functions.size, 2, "the changed source is registered as a new function");
    await ex.shutdown();
  });
});

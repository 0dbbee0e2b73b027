import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { after, describe, it, type TestContext } from "node:test";
import { ComputeApiError, deserializeData, packTaskPayload } from "../../../core/protocol";
import type { ResultEvent, TaskStateEvent, TaskStatusRecord } from "../../../core/service/computeService";
import { RESTARTED_REASON } from "../../../core/local/resultStore";
import { LOCAL_ENDPOINT_ID, LocalComputeService } from "../../../core/service/local/localComputeService";
import { childPythonProcesses, functionCode, isAlive, PYTHON, tempDir, waitFor } from "./support";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JSON_SERIALIZER = "globus_compute_sdk.serialize.concretes.JSONData";
const META = { python_version: "3.11.2", sdk_version: "4.15.0", serde_identifier: "st" };
const DOUBLE = "def double(x):\n    print('doubling', x)\n    return x * 2\n";
const NAP = "def nap(s):\n    import time\n    time.sleep(s)\n    return s\n";

async function createService(t: TestContext, storageDir = tempDir(t), workers = 2): Promise<LocalComputeService> {
  const service = await LocalComputeService.create({ storageDir, python: PYTHON, workers });
  t.after(() => service.dispose());
  return service;
}

async function register(service: LocalComputeService, name: string, source: string): Promise<string> {
  return service.registerFunction({ function_name: name, function_code: functionCode(name, source), meta: META });
}

async function finished(service: LocalComputeService, taskIds: string[]): Promise<Map<string, TaskStatusRecord>> {
  let statuses = new Map<string, TaskStatusRecord>();
  await waitFor(async () => {
    statuses = await service.getTaskStatuses(taskIds);
    return taskIds.every((id) => statuses.get(id)?.completion_t);
  }, "tasks to finish");
  return statuses;
}

function collect(service: LocalComputeService, taskGroupId: string, count: number): Promise<ResultEvent[]> {
  const watch = service.watchResults(taskGroupId);
  const events: ResultEvent[] = [];
  return new Promise((resolve) => {
    watch.onResult((e) => {
      events.push(e);
      if (events.length === count) {
        watch.dispose();
        resolve(events);
      }
    });
  });
}

const isApiError = (status: number, code: string) => (e: unknown) =>
  e instanceof ComputeApiError && e.httpStatus === status && e.code === code;

describe("LocalComputeService", () => {
  it("runs a submitted batch and streams its results, with prints and task transitions", async (t) => {
    const service = await createService(t);
    const fid = await register(service, "double", DOUBLE);
    assert.match(fid, UUID);
    const response = await service.submit({
      endpointId: LOCAL_ENDPOINT_ID,
      tasks: { [fid]: [packTaskPayload([7], {}, "json"), packTaskPayload([21], {}, "dill")] },
      createQueue: true,
      resultSerializers: [JSON_SERIALIZER],
    });
    assert.match(response.requestId, UUID);
    assert.match(response.taskGroupId, UUID);
    assert.equal(response.endpointId, LOCAL_ENDPOINT_ID);
    const ids = response.tasks[fid];
    assert.equal(ids.length, 2);
    ids.forEach((id) => assert.match(id, UUID));

    const events = await collect(service, response.taskGroupId, 2);
    const byId = new Map(events.map((e) => [e.result.task_id, e]));
    assert.equal(byId.get(ids[0])?.result.data, "11\n14");
    assert.equal(byId.get(ids[1])?.result.data, "11\n42");
    assert.equal(byId.get(ids[0])?.stdout, "doubling 7\n");
    assert.equal(byId.get(ids[0])?.highAssurance, false);
    assert.match(byId.get(ids[0])!.completionT, /^\d{10}\.\d{6}$/);

    const statuses = await finished(service, ids);
    const record = statuses.get(ids[1])!;
    assert.equal(record.status, "success");
    assert.equal(record.result, "11\n42");
    assert.equal(record.stdout, "doubling 21\n");
    assert.equal(record.details?.endpoint_id, LOCAL_ENDPOINT_ID);
    const transitions = record.details?.task_transitions as Record<string, number>;
    const order = ["received", "waiting-for-launch", "running", "execution-start", "execution-end", "success"];
    assert.deepEqual(Object.keys(transitions), order);
    assert.ok(transitions.received <= transitions["execution-start"] && transitions["execution-start"] <= transitions["execution-end"]);
  });

  it("reports a failing function as failed, with the traceback as exception", async (t) => {
    const service = await createService(t);
    const fid = await register(service, "divide", "def divide(a, b):\n    return a / b\n");
    const { tasks } = await service.submit({ endpointId: LOCAL_ENDPOINT_ID, tasks: { [fid]: [packTaskPayload([1, 0], {}, "json")] }, createQueue: true });
    const record = (await finished(service, tasks[fid])).get(tasks[fid][0])!;
    assert.equal(record.status, "failed");
    assert.equal(record.exception, 'Traceback (most recent call last):\n  File "<string>", line 2, in divide\nZeroDivisionError: division by zero\n');
    assert.equal(record.reason, "An error occurred during the execution of this task");
    assert.equal(record.result, undefined);
  });

  it("adds to an existing task group and lists its tasks in order", async (t) => {
    const service = await createService(t);
    const fid = await register(service, "double", DOUBLE);
    const payload = packTaskPayload([1], {}, "json");
    const first = await service.submit({ endpointId: LOCAL_ENDPOINT_ID, tasks: { [fid]: [payload] }, createQueue: true });
    const second = await service.submit({
      endpointId: LOCAL_ENDPOINT_ID,
      taskGroupId: first.taskGroupId,
      tasks: { [fid]: [payload, payload] },
      createQueue: true,
    });
    assert.equal(second.taskGroupId, first.taskGroupId);
    const group = await service.getTaskGroup(first.taskGroupId);
    assert.deepEqual(group.tasks.map((x) => x.id), [...first.tasks[fid], ...second.tasks[fid]]);
    group.tasks.forEach((x) => assert.match(x.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/));
  });

  it("answers unknown ids and oversized submissions with the service's errors", async (t) => {
    const service = await createService(t);
    const fid = await register(service, "double", DOUBLE);
    const unknown = "6f1c0f0e-0000-4000-8000-000000000000";
    const payload = packTaskPayload([1], {}, "json");
    await assert.rejects(
      service.submit({ endpointId: LOCAL_ENDPOINT_ID, taskGroupId: unknown, tasks: { [fid]: [payload] }, createQueue: true }),
      isApiError(404, "TASK_GROUP_NOT_FOUND"),
    );
    await assert.rejects(service.submit({ endpointId: LOCAL_ENDPOINT_ID, tasks: { [unknown]: [payload] }, createQueue: true }), isApiError(404, "FUNCTION_NOT_FOUND"));
    await assert.rejects(service.submit({ endpointId: unknown, tasks: { [fid]: [payload] }, createQueue: true }), isApiError(404, "ENDPOINT_NOT_FOUND"));
    await assert.rejects(service.getTaskGroup(unknown), isApiError(404, "TASK_GROUP_NOT_FOUND"));
    await assert.rejects(service.getEndpointStatus(unknown), isApiError(404, "ENDPOINT_NOT_FOUND"));
    const huge = packTaskPayload(["x".repeat(10_000_001)], {}, "json");
    await assert.rejects(service.submit({ endpointId: LOCAL_ENDPOINT_ID, tasks: { [fid]: [huge] }, createQueue: true }), isApiError(413, "TASK_PAYLOAD_TOO_LARGE"));
    assert.equal((await service.getTaskStatuses([unknown])).size, 0);
  });

  it("replays results that finished before the watch was opened", async (t) => {
    const service = await createService(t);
    const fid = await register(service, "double", DOUBLE);
    const payloads = [1, 2, 3].map((x) => packTaskPayload([x], {}, "json"));
    const { taskGroupId, tasks } = await service.submit({ endpointId: LOCAL_ENDPOINT_ID, tasks: { [fid]: payloads }, createQueue: true });
    await finished(service, tasks[fid]);
    const events = await collect(service, taskGroupId, 3);
    assert.deepEqual(events.map((e) => deserializeData(e.result.data)).sort(), [2, 4, 6]);
  });

  it("announces a started task to its watchers, and replays it to a watch opened later", async (t) => {
    const service = await createService(t);
    const fid = await register(service, "nap", NAP);
    const { taskGroupId, tasks } = await service.submit({
      endpointId: LOCAL_ENDPOINT_ID,
      tasks: { [fid]: [packTaskPayload([0.8], {}, "json")] },
      createQueue: true,
    });
    const [id] = tasks[fid];
    const early = service.watchResults(taskGroupId);
    t.after(() => early.dispose());
    const live = await new Promise<TaskStateEvent>((resolve) => early.onTaskState?.(resolve));
    assert.equal(live.taskId, id);
    assert.equal(live.state, "running");
    assert.deepEqual({ ...live.transition, timestamp: typeof live.transition?.timestamp }, { state: "execution-start", actor: "worker", timestamp: "bigint" });
    const late = service.watchResults(taskGroupId);
    t.after(() => late.dispose());
    const replayed = await new Promise<TaskStateEvent>((resolve) => late.onTaskState?.(resolve));
    assert.deepEqual(replayed, live, "the same event, worker timestamp included");
    assert.equal((await service.getTaskStatuses([id])).get(id)?.status, "running");
  });

  it("reports the endpoint online with its worker counts", async (t) => {
    const service = await createService(t);
    const status = await service.getEndpointStatus(LOCAL_ENDPOINT_ID);
    assert.equal(status.status, "online");
    assert.deepEqual(status.details, { total_workers: 2, idle_workers: 2, pending_tasks: 0, outstanding_tasks: 0, managers: 1 });
    const watch = service.watchResults("6f1c0f0e-0000-4000-8000-000000000000");
    const closed = await new Promise<{ state: string; reason?: string }>((resolve) => watch.onStateChange(resolve));
    assert.deepEqual(closed, { state: "closed", reason: "task group 6f1c0f0e-0000-4000-8000-000000000000 not found" });
  });
});

describe("LocalComputeService across host restarts", () => {
  it("reloads task groups; tasks that were running fail as lost", async (t) => {
    const storageDir = tempDir(t);
    const first = await createService(t, storageDir);
    const fid = await register(first, "nap", NAP);
    const { taskGroupId, tasks } = await first.submit({
      endpointId: LOCAL_ENDPOINT_ID,
      tasks: { [fid]: [packTaskPayload([0], {}, "json"), packTaskPayload([30], {}, "json")] },
      createQueue: true,
    });
    const [quick, slow] = tasks[fid];
    await finished(first, [quick]);
    await waitFor(async () => (await first.getTaskStatuses([slow])).get(slow)?.status === "running", "the slow task to run");
    first.dispose();

    const second = await createService(t, storageDir);
    assert.deepEqual((await second.getTaskGroup(taskGroupId)).tasks.map((x) => x.id), [quick, slow]);
    const statuses = await second.getTaskStatuses([quick, slow]);
    assert.equal(statuses.get(quick)?.status, "success");
    assert.equal(deserializeData(statuses.get(quick)!.result!), 0);
    assert.equal(statuses.get(slow)?.status, "failed");
    assert.equal(statuses.get(slow)?.reason, RESTARTED_REASON);
    assert.ok(statuses.get(slow)?.completion_t);
    const events = await collect(second, taskGroupId, 2);
    assert.deepEqual(events.map((e) => e.result.error_details?.code ?? "ok").sort(), ["EndpointRestarted", "ok"]);
    // The function registered before the restart can still be used.
    const again = await second.submit({ endpointId: LOCAL_ENDPOINT_ID, taskGroupId, tasks: { [fid]: [packTaskPayload([0], {}, "json")] }, createQueue: true });
    assert.equal((await finished(second, again.tasks[fid])).get(again.tasks[fid][0])?.status, "success");
  });

  it("survives a host killed outright while a task runs", async (t) => {
    const storageDir = tempDir(t);
    const host = spawn(process.execPath, ["--import", "tsx", join(__dirname, "fixtures", "serviceHost.ts"), storageDir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    t.after(() => host.kill("SIGKILL"));
    const line = await new Promise<string>((resolve) => host.stdout.once("data", (d: Buffer) => resolve(d.toString())));
    const { taskGroupId, taskIds } = JSON.parse(line) as { taskGroupId: string; taskIds: string[] };
    const children = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(host.pid)], { encoding: "utf8" }).split("\n");
    const workerPids = children.filter((l) => l.includes("worker.py")).map((l) => parseInt(l, 10));
    assert.equal(workerPids.length, 2);
    host.kill("SIGKILL");
    await waitFor(() => workerPids.every((p) => !isAlive(p)), "the dead host's workers to exit");

    const service = await createService(t, storageDir);
    assert.deepEqual((await service.getTaskGroup(taskGroupId)).tasks.map((x) => x.id), taskIds);
    const statuses = await service.getTaskStatuses(taskIds);
    assert.equal(statuses.get(taskIds[0])?.status, "success");
    assert.equal(statuses.get(taskIds[1])?.reason, RESTARTED_REASON);
  });
});

after(async () => {
  await waitFor(() => childPythonProcesses().length === 0, "every worker of this file to be gone");
});

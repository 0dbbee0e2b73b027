/**
 * Reloading a group again: one that could not be reloaded (offline, not signed in) is tried again when
 * asked ("Reload Task Group…" of its id) or after a sign-in, in place, with what the history recorded of
 * it; it is never forgotten on the way, whatever the outcome.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Executor } from "../../../../core/executor";
import { HistoryStore } from "../../../../core/history/historyStore";
import { ResultWatchFailed } from "../../../../core/service/computeService";
import { TaskGroupStore } from "../../../../extension/state/taskGroupStore";
import { TaskGroupModel } from "../../../../extension/tasks/taskGroupModel";
import { TaskGroupReloader } from "../../../../extension/tasks/taskGroupReloader";
import { TaskGroupTracker } from "../../../../extension/tasks/taskGroupTracker";
import { TaskHistoryRecorder } from "../../../../extension/tasks/taskHistoryRecorder";
import { MemoryComputeService, taskArgs } from "../../../support/memoryComputeService";
import { memento } from "../fakes";

const RETENTION = { maxTaskGroups: 50, maxTasks: 100_000 };
const ENDPOINT = { name: "polaris", id: "0f5e0b0a-0000-4000-8000-000000000001" };
const SERVICE = "https://compute.api.globus.org";
const dir = mkdtempSync(join(tmpdir(), "gc-reload-again-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a group not reloaded is reloaded again in place (by id, or after a sign-in) with its recorded function; a failed retry keeps it", async () => {
  // A window submitted simulate(1) and simulate(2); the first finished, the second was still running.
  const service = new MemoryComputeService();
  service.respond = (t) => ({ value: 10 * (taskArgs(t.payload)[0] as number) });
  const first = new Executor({ endpointId: ENDPOINT.id, service });
  const fn = { name: "simulate", source: "def simulate(x):\n    return 10 * x\n" };
  await Promise.all([first.submit(fn, 1), first.submit(fn, 2)]);
  const taskGroupId = first.taskGroupId!;
  const taskIds = [...service.tasks.keys()];
  first.dispose();
  const writer = new HistoryStore({ dir, retention: RETENTION });
  writer.write({ op: "group", group: { id: "k1", taskGroupId, functionName: "simulate", endpoint: ENDPOINT, service: SERVICE, createdAt: 1 } });
  writer.write({
    op: "tasks",
    id: "k1",
    from: 0,
    tasks: [
      { call: "simulate(1)", taskId: taskIds[0], state: "success", submittedAt: 1, finishedAt: 2, resultPreview: "10", printed: true },
      { call: "simulate(2)", taskId: taskIds[1], state: "running", submittedAt: 1 },
    ],
  });
  writer.dispose();

  // The next window opens offline.
  const history = new HistoryStore({ dir, retention: RETENTION });
  const model = new TaskGroupModel();
  const store = new TaskGroupStore(memento(), RETENTION.maxTaskGroups);
  const recorder = new TaskHistoryRecorder(history, () => undefined);
  const settled: string[] = [];
  const tracker = new TaskGroupTracker(model, store, {
    onSettled: (task) => void settled.push(task.call),
    onSubmitFailure: () => undefined,
    release: (e) => e.dispose(),
    log: () => undefined,
    history: recorder,
  });
  let online = false;
  const reloader = new TaskGroupReloader({
    model,
    store,
    tracker,
    createExecutor: async (target) => {
      if (!online) throw new Error("request to https://compute.api.globus.org failed, reason: getaddrinfo ENOTFOUND");
      return new Executor({ endpointId: target.endpoint.id, service, taskGroupId: target.taskGroupId });
    },
    release: (e) => e.dispose(),
    log: () => undefined,
    history,
    markUnavailable: (key, reason) => recorder.markUnavailable(key, reason),
  });
  await reloader.reloadStored();
  const rows = () => model.get("k1")?.tasks.map((t) => [t.call, t.state]);
  assert.match(model.get("k1")?.note ?? "", /^not reloaded: .*ENOTFOUND/);
  assert.deepEqual(rows(), [["simulate(1)", "success"], ["simulate(2)", "not reloaded"]]);

  // "Reload Task Group…" of its id, still offline: it fails, and the group stays as it was.
  await assert.rejects(reloader.reloadById(taskGroupId, { kind: "cloud", ...ENDPOINT }, SERVICE), /ENOTFOUND/);
  assert.deepEqual(rows(), [["simulate(1)", "success"], ["simulate(2)", "not reloaded"]]);
  assert.equal(model.groups.length, 1);
  assert.equal(new HistoryStore({ dir, retention: RETENTION }).get("k1")?.tasks.length, 2, "still in the history");

  // Back online, then a sign-in: the retry reloads it in place, under its own function's name.
  online = true;
  await reloader.retryNotReloaded();
  assert.equal(model.get("k1")?.note, undefined);
  assert.equal(model.get("k1")?.functionName, "simulate");
  assert.deepEqual(rows(), [["simulate(1)", "success"], ["simulate(2)", "success"]]);
  assert.equal(history.get("k1")?.unavailable, undefined, "the mark is gone");
  assert.equal(tracker.get("k1")?.functionName, "simulate");

  // Asked again for a group that is fine: reloaded in place, not duplicated, not renamed.
  await reloader.reloadById(taskGroupId, { kind: "cloud", ...ENDPOINT }, SERVICE);
  assert.equal(model.groups.length, 1);
  assert.deepEqual(rows(), [["simulate(1)", "success"], ["simulate(2)", "success"]]);
  assert.equal(history.get("k1")?.functionName, "simulate");

  // Results stop because the service refuses the sign-in (the watch gave up): after a sign-in it reloads.
  service.respond = () => undefined;
  const waiting = new Executor({ endpointId: ENDPOINT.id, service });
  const pending = waiting.submit(fn, 3);
  await new Promise((resolve) => setImmediate(resolve));
  tracker.track({ key: "k2", executor: waiting, calls: [{ call: "simulate(3)", future: pending }], functionName: "simulate", endpoint: { kind: "cloud", ...ENDPOINT }, service: SERVICE, persist: false });
  pending._reject(new ResultWatchFailed("SIGN_IN_REFUSED", "The service refused the sign-in: sign in again, then reload the task group."), "failed");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(tracker.get("k2")?.signInRefused, true);
  assert.equal(model.get("k2")?.tasks[0].state, "failed");
  await reloader.retryNotReloaded();
  assert.equal(model.get("k2")?.note, undefined);
  assert.equal(tracker.get("k2")?.signInRefused, false, "followed anew");
  tracker.dispose();
  history.dispose();
});

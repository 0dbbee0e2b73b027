/**
 * Brings task groups back: every group of the durable history and the workspace's stored groups (on
 * activation), or a group id created elsewhere ("Reload Task Group…"). Each gets an Executor pointed at
 * its task group and `reloadTasks()`: finished results appear at once, pending ones keep streaming. A
 * group the service cannot find or reach now is kept and marked, its rows showing what the history
 * recorded; only the person forgets it.
 */
import { ComputeApiError } from "../../core/protocol/apiError";
import type { Executor } from "../../core/executor";
import type { ExecutorTarget } from "../services/computeServices";
import type { StoredTaskGroup, TaskGroupStore } from "../state/taskGroupStore";
import type { TaskGroupTracker, TrackedEndpoint } from "./taskGroupTracker";
import type { FedCall } from "./futureFeed";
import type { HistoryGroup, HistoryTask } from "../../core/history/historyRecords";
import type { HistoryStore } from "../../core/history/historyStore";
import { isTerminal, type TaskGroupModel, type TaskRecord } from "./taskGroupModel";

export interface ReloaderDeps {
  model: TaskGroupModel;
  store: TaskGroupStore;
  tracker: TaskGroupTracker;
  createExecutor(target: ExecutorTarget): Promise<Executor>;
  release(executor: Executor): void;
  log(message: string): void;
  /** The durable history: what to reload, the calls' texts, and rows for a group that cannot be reloaded now. */
  history?: Pick<HistoryStore, "groups" | "get" | "write" | "problems">;
  /** Marks a group the service cannot find or reach now (undefined: it is back). */
  markUnavailable?(key: string, reason: string | undefined): void;
}

/** A stored group as the reloader needs it: its key in the model and history, and what the history recorded. */
type ReloadTarget = StoredTaskGroup & { key: string; recorded?: HistoryGroup };

/** The state shown for calls whose group could not be reloaded now. */
export const RELOAD_FAILED_STATE = "not reloaded";

export function endpointOf(stored: Pick<StoredTaskGroup, "endpoint">): TrackedEndpoint {
  return { kind: stored.endpoint.id === "local" ? "local" : "cloud", ...stored.endpoint };
}

export class TaskGroupReloader {
  /** Groups being reloaded again (a sign-in and a settings change may ask at once). */
  private readonly reloading = new Set<string>();

  constructor(private readonly deps: ReloaderDeps) {}

  /** Reloads every group of the history and the store; resolves when each has been reloaded or has failed to. */
  async reloadStored(): Promise<void> {
    const { model, store, history } = this.deps;
    // Reading the history is the slow part of a large one: never on the activation path.
    await new Promise((resolve) => setImmediate(resolve));
    for (const p of store.loadProblems) this.deps.log(p);
    if (history !== undefined) this.migrate(history);
    for (const p of history?.problems.splice(0) ?? []) this.deps.log(p);
    const targets: ReloadTarget[] =
      history !== undefined
        ? history.groups.filter((g) => g.taskGroupId !== undefined || g.tasks.length > 0).map(targetOf)
        : store.list().map((g) => ({ ...g, key: g.taskGroupId }));
    // Oldest first, so the model lists them newest first as they were.
    const fresh = targets.reverse().filter((g) => model.get(g.key) === undefined);
    for (const g of fresh) {
      model.add({ key: g.key, taskGroupId: g.taskGroupId || undefined, functionName: g.functionName, endpoint: g.endpoint, createdAt: g.createdAt });
    }
    await Promise.all(fresh.map((g) => this.reload(g, false).catch(() => undefined)));
  }

  /** Groups an earlier version kept only in workspace state enter the history (their outcomes count as printed). */
  private migrate(history: NonNullable<ReloaderDeps["history"]>): void {
    const known = new Set(history.groups.map((g) => g.taskGroupId));
    for (const g of this.deps.store.list()) {
      if (known.has(g.taskGroupId) || history.get(g.taskGroupId) !== undefined) continue;
      const { calls, taskGroupId, ...fields } = g;
      history.write({ op: "group", group: { ...fields, id: taskGroupId, taskGroupId } });
      const tasks = calls.map((c) => ({ call: c.call, state: "received", submittedAt: g.createdAt, printed: true, ...(c.taskId ? { taskId: c.taskId } : {}) }));
      history.write({ op: "tasks", id: taskGroupId, from: 0, tasks });
    }
  }

  /**
   * Reloads a group by id (submitted elsewhere, e.g. by a Python script) from the endpoint's service and
   * stores it; rejects with the service's error when it does not know the group. A group listed already is
   * reloaded again in place, with what the history recorded of it (its function, origin, configuration,
   * printed marks): never forgotten, even when the service cannot be reached now.
   */
  async reloadById(taskGroupId: string, endpoint: TrackedEndpoint, service: string): Promise<void> {
    const listed = this.deps.model.groups.find((g) => g.key === taskGroupId || g.taskGroupId === taskGroupId);
    if (listed !== undefined) return this.reloadAgain(listed.key);
    const stored: ReloadTarget = {
      key: taskGroupId,
      taskGroupId,
      endpoint: { name: endpoint.name, id: endpoint.id },
      service,
      functionName: "task group",
      createdAt: Date.now(),
      calls: [],
    };
    this.deps.model.add({ key: taskGroupId, taskGroupId, functionName: stored.functionName, endpoint: stored.endpoint, createdAt: stored.createdAt });
    await this.reload(stored, true);
  }

  /**
   * Every group that could not be reloaded (a note says why), or whose results stopped because the service
   * refused the sign-in, is tried again: after a sign-in or a change of the service settings, the reason
   * may be gone.
   */
  async retryNotReloaded(): Promise<void> {
    const noted = this.deps.model.groups.filter((g) => g.note !== undefined || this.deps.tracker.get(g.key)?.signInRefused === true);
    await Promise.all(noted.map((g) => this.reloadAgain(g.key).catch(() => undefined)));
  }

  /** Reloads a listed group again, in place: its rows are replaced by what the service says now. */
  private async reloadAgain(key: string): Promise<void> {
    const { model, tracker, store, history } = this.deps;
    const recorded = history?.get(key);
    const stored = store.get(key);
    const target = recorded !== undefined ? targetOf(recorded) : stored !== undefined ? { ...stored, key } : undefined;
    if (target === undefined || model.get(key) === undefined || this.reloading.has(key)) return;
    this.reloading.add(key);
    try {
      tracker.stopFollowing(key);
      model.clearTasks(key);
      model.updateGroup(key, { note: undefined });
      await this.reload(target, false);
    } finally {
      this.reloading.delete(key);
    }
  }

  private async reload(stored: ReloadTarget, persist: boolean): Promise<void> {
    const { model, store, tracker } = this.deps;
    const id = stored.key;
    let executor: Executor | undefined;
    try {
      if (!stored.taskGroupId) throw new Error("the window closed before the service acknowledged these tasks");
      executor = await this.deps.createExecutor({ endpoint: endpointOf(stored), service: stored.service, taskGroupId: stored.taskGroupId });
      const futures = await executor.reloadTasks();
      const callOf = new Map(stored.calls.filter((c) => c.taskId).map((c) => [c.taskId, c.call]));
      const itemsOf = new Map<string | undefined, HistoryTask["items"]>();
      for (const t of stored.recorded?.tasks ?? []) {
        if (t.taskId) callOf.set(t.taskId, t.call);
        if (t.taskId && t.items) itemsOf.set(t.taskId, t.items);
      }
      const calls: FedCall[] = futures.map((future) => {
        const items = itemsOf.get(future.taskId);
        const call = callOf.get(future.taskId) ?? `${stored.functionName}(…)`;
        // Not a conditional spread: V8 would give each of a reloaded 100k-task group's calls a hidden class of its own.
        const fed: FedCall = { call, future, submittedAt: stored.createdAt };
        if (items) fed.items = items;
        return fed;
      });
      if (model.get(id) === undefined) {
        this.deps.release(executor); // forgotten while reloading
        return;
      }
      tracker.track({
        key: id,
        executor,
        calls,
        functionName: stored.functionName,
        endpoint: endpointOf(stored),
        service: stored.service,
        origin: stored.origin,
        configuration: stored.recorded?.configuration,
        createdAt: stored.createdAt,
        persist: false,
        // A map from the editor printed a summary, not its chunks: a reload prints none of them either.
        summaryOnly: itemsOf.size > 0,
      });
      if (stored.recorded?.unavailable !== undefined) this.deps.markUnavailable?.(id, undefined);
      if (persist) {
        const { key: _key, recorded: _recorded, ...plain } = stored;
        await store.save({ ...plain, calls: futures.map((f, i) => ({ call: calls[i].call, taskId: f.taskId })) });
      }
    } catch (err) {
      if (executor !== undefined) this.deps.release(executor);
      const why = err instanceof Error ? err.message : String(err);
      if (persist) {
        model.remove(id); // "Reload Task Group…" of an id the service does not know: the person sees why
      } else if (model.get(id) !== undefined) {
        // Kept and marked, never forgotten: the service may know the group again later (another window's endpoint, a network back).
        const notFound = err instanceof ComputeApiError && err.code === "TASK_GROUP_NOT_FOUND";
        const note = notFound ? "not found by the service now (kept)" : `not reloaded: ${why}`;
        model.updateGroup(id, { note });
        model.addTasks(id, rowsOf(stored, why));
        this.deps.markUnavailable?.(id, note);
      }
      this.deps.log(`Task group ${stored.taskGroupId || id} (${stored.functionName} on ${stored.endpoint.name}) was not reloaded: ${why}`);
      throw err;
    }
  }
}

function targetOf(g: HistoryGroup): ReloadTarget {
  return {
    key: g.id,
    taskGroupId: g.taskGroupId ?? "",
    endpoint: g.endpoint,
    service: g.service,
    functionName: g.functionName,
    createdAt: g.createdAt,
    calls: g.tasks.map((t) => ({ call: t.call, taskId: t.taskId })),
    origin: g.origin,
    recorded: g,
  };
}

/** The rows of a group that could not be reloaded: finished tasks as recorded, the others saying why. */
function rowsOf(stored: ReloadTarget, why: string): TaskRecord[] {
  const recorded = stored.recorded?.tasks;
  if (recorded === undefined) {
    return stored.calls.map((c) => ({ call: c.call, taskId: c.taskId, state: RELOAD_FAILED_STATE, error: why, submittedAt: stored.createdAt }));
  }
  return recorded.map(({ call, taskId, state, submittedAt, finishedAt, resultPreview, error }) =>
    isTerminal(state)
      ? { call, taskId, state, submittedAt, finishedAt, resultPreview, error }
      : { call, taskId, state: RELOAD_FAILED_STATE, error: why, submittedAt },
  );
}

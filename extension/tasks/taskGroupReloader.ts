/**
 * Brings task groups back: every group the workspace stored (on activation), or a group id created
 * elsewhere ("Reload Task Group…"). Each gets an Executor pointed at its task group and `reloadTasks()`:
 * finished results appear at once, pending ones keep streaming. A group the service no longer knows is
 * forgotten; one that cannot be reached now stays stored and says why in its rows.
 */
import { ComputeApiError } from "../../core/protocol/apiError";
import type { Executor } from "../../core/executor";
import type { ExecutorTarget } from "../services/computeServices";
import type { StoredTaskGroup, TaskGroupStore } from "../state/taskGroupStore";
import type { TaskGroupModel } from "./taskGroupModel";
import type { TaskGroupTracker, TrackedEndpoint } from "./taskGroupTracker";
import type { FedCall } from "./futureFeed";

export interface ReloaderDeps {
  model: TaskGroupModel;
  store: TaskGroupStore;
  tracker: TaskGroupTracker;
  createExecutor(target: ExecutorTarget): Promise<Executor>;
  release(executor: Executor): void;
  log(message: string): void;
}

/** The state shown for calls whose group could not be reloaded now. */
export const RELOAD_FAILED_STATE = "not reloaded";

export function endpointOf(stored: Pick<StoredTaskGroup, "endpoint">): TrackedEndpoint {
  return { kind: stored.endpoint.id === "local" ? "local" : "cloud", ...stored.endpoint };
}

export class TaskGroupReloader {
  constructor(private readonly deps: ReloaderDeps) {}

  /** Reloads every stored group; resolves when each has been reloaded or has failed to. */
  async reloadStored(): Promise<void> {
    const { model, store } = this.deps;
    for (const p of store.loadProblems) this.deps.log(p);
    // Oldest first, so the model lists them newest first as they were.
    const groups = [...store.list()].reverse().filter((g) => model.get(g.taskGroupId) === undefined);
    for (const g of groups) {
      model.add({ key: g.taskGroupId, taskGroupId: g.taskGroupId, functionName: g.functionName, endpoint: g.endpoint, createdAt: g.createdAt });
    }
    await Promise.all(groups.map((g) => this.reload(g, false).catch(() => undefined)));
  }

  /**
   * Reloads a group by id (submitted elsewhere, e.g. by a Python script) from the endpoint's service and
   * stores it; rejects with the service's error when it does not know the group.
   */
  async reloadById(taskGroupId: string, endpoint: TrackedEndpoint, service: string): Promise<void> {
    const stored: StoredTaskGroup = {
      taskGroupId,
      endpoint: { name: endpoint.name, id: endpoint.id },
      service,
      functionName: "task group",
      createdAt: Date.now(),
      calls: [],
    };
    const existing = this.deps.model.get(taskGroupId);
    if (existing !== undefined) this.deps.model.remove(taskGroupId);
    this.deps.model.add({ key: taskGroupId, taskGroupId, functionName: stored.functionName, endpoint: stored.endpoint, createdAt: stored.createdAt });
    await this.reload(stored, true);
  }

  private async reload(stored: StoredTaskGroup, persist: boolean): Promise<void> {
    const { model, store, tracker } = this.deps;
    const id = stored.taskGroupId;
    let executor: Executor | undefined;
    try {
      executor = await this.deps.createExecutor({ endpoint: endpointOf(stored), service: stored.service, taskGroupId: id });
      const futures = await executor.reloadTasks();
      const callOf = new Map(stored.calls.filter((c) => c.taskId).map((c) => [c.taskId, c.call]));
      const calls: FedCall[] = futures.map((future) => ({
        call: callOf.get(future.taskId) ?? `${stored.functionName}(…)`,
        future,
        submittedAt: stored.createdAt,
      }));
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
        createdAt: stored.createdAt,
        persist: false,
      });
      if (persist) {
        await store.save({ ...stored, calls: futures.map((f, i) => ({ call: calls[i].call, taskId: f.taskId })) });
      }
    } catch (err) {
      if (executor !== undefined) this.deps.release(executor);
      const gone = err instanceof ComputeApiError && err.code === "TASK_GROUP_NOT_FOUND";
      const why = err instanceof Error ? err.message : String(err);
      if (gone || persist) {
        model.remove(id);
        if (gone && !persist) await store.forget(id);
      } else if (model.get(id) !== undefined) {
        model.addTasks(id, stored.calls.map((c) => ({ call: c.call, taskId: c.taskId, state: RELOAD_FAILED_STATE, error: why, submittedAt: stored.createdAt })));
      }
      this.deps.log(`Task group ${id} (${stored.functionName} on ${stored.endpoint.name}) was not reloaded: ${why}${gone && !persist ? "; it is forgotten" : ""}`);
      throw err;
    }
  }
}

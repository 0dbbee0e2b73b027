/**
 * The built-in local endpoint behind the same ComputeService seam as the cloud: functions, task groups
 * and results live in a ResultStore, tasks run on a WorkerPool of real Python processes. Submissions
 * are validated and answered as the web service answers them (ids, 404 bodies), and task buffers are
 * assembled as it assembles them (`function_code + payload`, protocol.md §5.3).
 */
import { randomUUID } from "node:crypto";
import { ComputeApiError } from "../../protocol/apiError";
import { EmittingResultWatch } from "../emittingResultWatch";
import type { ResultData } from "../../protocol/messages";
import { isoTimestamp, ResultStore, type StoredTask } from "../../local/resultStore";
import type { TaskHeader } from "../../local/taskTable";
import { nowNs, nsToSecondsString } from "../../local/wallClock";
import { WorkerPool, type WorkerOutcome, type WorkerPoolOptions } from "../../local/workerPool";
import type {
  ComputeService,
  EndpointStatus,
  FunctionRegistration,
  ResultEvent,
  ResultWatch,
  SubmitBatchRequest,
  TaskStateEvent,
  SubmitBatchResponse,
  TaskGroupInfo,
  TaskStatusRecord,
  WatchOptions,
} from "../computeService";
import {
  completionMs,
  DEFAULT_HISTORY_LIMIT,
  type LocalTaskGroupSummary,
  type LocalTaskHistory,
  type LocalTaskQuery,
  type LocalTaskSummary,
} from "./localTaskHistory";
import type { LocalTaskControl } from "./localTaskControl";

/** The local endpoint's id unless another is configured. */
export const LOCAL_ENDPOINT_ID = "00000000-0000-4000-8000-00000000c0de";
/** How long a task runs before its watchers hear it is running (shorter ones: only their result). */
const ANNOUNCE_RUNNING_AFTER_MS = 20;
/** The service's submission limit (docs/limits.rst: 10 MB per submission). */
const MAX_SUBMISSION_BYTES = 10 * 1000 * 1000;

export interface LocalComputeServiceOptions extends Omit<WorkerPoolOptions, "endpointId"> {
  /** Directory for functions, task groups and results (VS Code: the extension's storage folder). */
  storageDir: string;
  endpointId?: string;
  /** Per-task time limit (the worker is killed and the task fails with `TaskTimeout`). */
  taskTimeoutMs?: number;
  /** Task groups kept on disk. */
  maxGroups?: number;
  /** Tasks kept over all groups (whole groups are deleted, oldest first, beyond it). */
  maxTasks?: number;
}

export class LocalComputeService implements ComputeService, LocalTaskHistory, LocalTaskControl {
  readonly kind = "local" as const;
  private readonly watches = new Map<string, Set<LocalResultWatch>>();
  /** Started tasks not yet announced as running: worker start time, and when the start was heard. */
  private readonly started = new Map<string, { ns: bigint; heardAt: number }>();
  private announceTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  private constructor(
    readonly endpointId: string,
    private readonly pool: WorkerPool,
    private readonly store: ResultStore,
    private readonly taskTimeoutMs: number | undefined,
  ) {
    pool.onDidStartAt(({ taskId, timestampNs }) => this.noteStarted(taskId, timestampNs));
  }

  /** Opens the store (failing tasks a previous host left unfinished) and starts the worker pool. */
  static async create(options: LocalComputeServiceOptions): Promise<LocalComputeService> {
    const { storageDir, taskTimeoutMs, maxGroups, maxTasks, ...poolOptions } = options;
    const endpointId = options.endpointId ?? LOCAL_ENDPOINT_ID;
    const store = ResultStore.open(storageDir, { maxGroups, maxTasks });
    let pool: WorkerPool;
    try {
      // Short tasks travel to the workers in batches; long ones one at a time (WorkerPool "auto").
      pool = await WorkerPool.start({ prefetch: "auto", ...poolOptions, endpointId });
    } catch (err) {
      store.dispose();
      throw err;
    }
    return new LocalComputeService(endpointId, pool, store, taskTimeoutMs);
  }

  /** Files the store dropped as unreadable when it opened. */
  get storeProblems(): readonly string[] {
    return this.store.problems;
  }

  async registerFunction(registration: FunctionRegistration): Promise<string> {
    if (typeof registration.function_code !== "string" || typeof registration.function_name !== "string") {
      throw apiError(422, "REQUEST_MALFORMED", "function_name and function_code must be strings");
    }
    const functionId = randomUUID();
    this.store.putFunction({
      functionId,
      functionName: registration.function_name,
      functionCode: registration.function_code,
      description: registration.description,
      meta: registration.meta,
      createdAt: isoTimestamp(),
    });
    return functionId;
  }

  async submit(request: SubmitBatchRequest): Promise<SubmitBatchResponse> {
    this.checkEndpoint(request.endpointId);
    let size = 0;
    for (const [functionId, payloads] of Object.entries(request.tasks)) {
      if (!this.store.functions.has(functionId)) {
        throw apiError(404, "FUNCTION_NOT_FOUND", `Function ${functionId} could not be resolved`, [functionId]);
      }
      if (!Array.isArray(payloads) || payloads.some((p) => typeof p !== "string")) {
        throw apiError(422, "REQUEST_MALFORMED", `tasks.${functionId} must be a list of strings`);
      }
      for (const p of payloads) size += Buffer.byteLength(p);
    }
    if (size > MAX_SUBMISSION_BYTES) {
      throw apiError(413, "TASK_PAYLOAD_TOO_LARGE", `Task payload of ${size} bytes exceeds the 10 MB limit`);
    }
    const group = request.taskGroupId === undefined ? undefined : this.store.groups.get(request.taskGroupId);
    if (request.taskGroupId !== undefined && !group) {
      throw apiError(404, "TASK_GROUP_NOT_FOUND", `Task group ${request.taskGroupId} not found`, [request.taskGroupId]);
    }
    const taskGroup = group ?? { taskGroupId: randomUUID(), createdAt: isoTimestamp(), taskIds: [] };

    // One arrival for the batch, as the service stamps it, and one journal line per function.
    const ns = nowNs();
    const createdAt = isoTimestamp();
    const taskIds = [...taskGroup.taskIds];
    const tasks: Record<string, string[]> = {};
    for (const [functionId, payloads] of Object.entries(request.tasks)) {
      const functionCode = this.store.functions.get(functionId)!.functionCode;
      const ids = payloads.map(() => randomUUID());
      const received = this.store.putReceived({ taskGroupId: taskGroup.taskGroupId, functionId, endpointId: this.endpointId, createdAt, ns, taskIds: ids });
      received.forEach((task, i) => this.dispatch(task, functionCode + payloads[i], request.resultSerializers));
      tasks[functionId] = ids;
      taskIds.push(...ids);
    }
    this.store.putGroup({ ...taskGroup, taskIds });
    return { requestId: randomUUID(), taskGroupId: taskGroup.taskGroupId, endpointId: this.endpointId, tasks };
  }

  async getTaskStatuses(taskIds: readonly string[]): Promise<Map<string, TaskStatusRecord>> {
    const out = new Map<string, TaskStatusRecord>();
    for (const id of taskIds) {
      const task = this.store.tasks.get(id);
      if (task) out.set(id, statusRecord(task));
    }
    return out;
  }

  async getTaskGroup(taskGroupId: string): Promise<TaskGroupInfo> {
    const group = this.store.groups.get(taskGroupId);
    if (!group) throw apiError(404, "TASK_GROUP_NOT_FOUND", `Task group ${taskGroupId} not found`, [taskGroupId]);
    return {
      taskGroupId,
      tasks: group.taskIds.map((id) => ({ id, created_at: this.store.tasks.header(id)?.createdAt ?? group.createdAt })),
    };
  }

  watchResults(taskGroupId: string, options: WatchOptions = {}): ResultWatch {
    const watch = new LocalResultWatch(taskGroupId, () => this.watches.get(taskGroupId)?.delete(watch));
    const group = this.store.groups.get(taskGroupId);
    if (!group || this.disposed) {
      watch.close(group ? "the local endpoint was stopped" : `task group ${taskGroupId} not found`);
      return watch;
    }
    let set = this.watches.get(taskGroupId);
    if (!set) this.watches.set(taskGroupId, (set = new Set()));
    set.add(watch);
    // Results that finished, and tasks that started, before the watch opened (a daemon's client opens its
    // watch over RPC, often after the worker picked the task up); delivered after the caller has subscribed.
    // Finished ones by id, unpacked one at a time as they go out: a big group's records are never all
    // unpacked at once.
    const finished = group.taskIds.filter((id) => this.store.tasks.isFinished(id));
    // Running ones as they are now (never packed: read without unpacking anything).
    const running = group.taskIds
      .filter((id) => !this.store.tasks.isFinished(id) && this.store.tasks.header(id)?.status === "running")
      .map((id) => this.store.tasks.get(id) as StoredTask);
    setImmediate(() => {
      // Only what the watcher still awaits, when it says (asked now: its tasks acknowledged meanwhile count):
      // another Executor joining a group of 100k finished tasks is not sent them all.
      const wanted = options.pendingTaskIds === undefined ? undefined : new Set(options.pendingTaskIds());
      for (const t of running) if (wanted === undefined || wanted.has(t.taskId)) watch.deliverState(runningEvent(t));
      for (const id of finished) {
        if (wanted !== undefined && !wanted.has(id)) continue;
        const task = this.store.tasks.get(id);
        if (task?.result) watch.deliver(resultEvent(task));
      }
    });
    return watch;
  }

  async listTasks(query: LocalTaskQuery = {}): Promise<LocalTaskSummary[]> {
    const { finishedSince, taskGroupId, limit = DEFAULT_HISTORY_LIMIT } = query;
    const group = taskGroupId === undefined ? undefined : this.store.groups.get(taskGroupId);
    if (taskGroupId !== undefined && !group) return [];
    // Headers only: a finished task's record stays packed.
    const tasks = group ? group.taskIds.map((id) => this.store.tasks.header(id)).filter((t) => t !== undefined) : [...this.store.tasks.headers()];
    const summaries = tasks.map((t) => this.summary(t));
    const finished = summaries.filter((s) => s.completedAt !== undefined && s.completedAt >= (finishedSince ?? -Infinity));
    finished.sort((a, b) => a.completedAt! - b.completedAt!);
    const selected = finishedSince === undefined ? [...finished, ...summaries.filter((s) => s.completedAt === undefined)] : finished;
    return selected.slice(Math.max(0, selected.length - limit));
  }

  async listTaskGroups(): Promise<LocalTaskGroupSummary[]> {
    const out: LocalTaskGroupSummary[] = [];
    for (const group of this.store.groups.values()) {
      let finishedCount = 0;
      let lastCompletedAt: number | undefined;
      for (const id of group.taskIds) {
        const done = completionMs(this.store.tasks.header(id)?.completionT);
        if (done === undefined) continue;
        finishedCount++;
        lastCompletedAt = Math.max(lastCompletedAt ?? done, done);
      }
      out.push({ taskGroupId: group.taskGroupId, createdAt: group.createdAt, taskCount: group.taskIds.length, finishedCount, lastCompletedAt });
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async getTaskResults(taskIds: readonly string[]): Promise<Map<string, ResultEvent>> {
    const out = new Map<string, ResultEvent>();
    for (const id of taskIds) {
      const task = this.store.tasks.get(id);
      if (task?.result) out.set(id, resultEvent(task));
    }
    return out;
  }

  async cancelTasks(taskIds: readonly string[]): Promise<string[]> {
    if (!Array.isArray(taskIds) || taskIds.some((id) => typeof id !== "string")) {
      throw apiError(422, "REQUEST_MALFORMED", "taskIds must be a list of task ids");
    }
    // Each settles through the pool as any result does: stored as failed and delivered to watchers.
    return this.pool.cancel(taskIds);
  }

  async getEndpointStatus(endpointId: string): Promise<EndpointStatus> {
    this.checkEndpoint(endpointId);
    const stats = this.pool.stats;
    return {
      status: this.disposed ? "offline" : "online",
      details: {
        total_workers: stats.total,
        idle_workers: stats.idle,
        pending_tasks: stats.queued,
        outstanding_tasks: stats.queued + stats.busy,
        managers: 1,
      },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.announceTimer);
    for (const set of this.watches.values()) for (const w of set) w.close("the local endpoint was stopped");
    this.watches.clear();
    // Tasks still running are left unfinished on disk: the next start reports them as restarted.
    this.store.dispose();
    this.pool.dispose();
  }

  private summary(task: TaskHeader): LocalTaskSummary {
    return {
      taskId: task.taskId,
      taskGroupId: task.taskGroupId,
      functionName: this.store.functions.get(task.functionId)?.functionName ?? "",
      status: task.status,
      createdAt: task.createdAt,
      completedAt: completionMs(task.completionT),
    };
  }

  private checkEndpoint(endpointId: string): void {
    if (endpointId !== this.endpointId) {
      throw apiError(404, "ENDPOINT_NOT_FOUND", `Endpoint ${endpointId} could not be resolved`, [endpointId]);
    }
  }

  private dispatch(task: StoredTask, taskBuffer: string, resultSerializers: string[] | undefined): void {
    const run = this.pool.run({ taskId: task.taskId, taskBuffer, resultSerializers, timeoutMs: this.taskTimeoutMs });
    void run.result.then((outcome) => this.complete(task.taskId, outcome));
  }

  /**
   * A task that finishes within ANNOUNCE_RUNNING_AFTER_MS goes straight to its result: one event per
   * short task instead of two, and one timer per batch of starts, not one per task.
   */
  private noteStarted(taskId: string, ns: bigint): void {
    this.started.set(taskId, { ns, heardAt: performance.now() });
    this.announceTimer ??= setTimeout(() => this.announceStarted(), ANNOUNCE_RUNNING_AFTER_MS);
  }

  private announceStarted(): void {
    this.announceTimer = undefined;
    const cutoff = performance.now() - ANNOUNCE_RUNNING_AFTER_MS;
    for (const [taskId, { ns, heardAt }] of this.started) {
      if (heardAt > cutoff) break; // in the order heard: the rest are younger
      this.started.delete(taskId);
      this.markRunning(taskId, ns);
    }
    if (this.started.size > 0 && !this.disposed) {
      const next = this.started.values().next().value!.heardAt + ANNOUNCE_RUNNING_AFTER_MS - performance.now();
      this.announceTimer = setTimeout(() => this.announceStarted(), Math.max(1, next));
    }
  }

  private markRunning(taskId: string, startedNs: bigint): void {
    const task = this.store.tasks.get(taskId);
    if (!task || task.result) return;
    // Stamped with the worker's start time, so a watch opened later can replay the same event.
    const started: StoredTask = {
      ...task,
      status: "running",
      transitions: [...task.transitions, { timestamp: startedNs, state: "running", actor: "worker" }],
    };
    // Journaled (only tasks running long enough to be announced): a restart reports it lost while running.
    this.store.putTask(started);
    // Watchers see the task running instead of "received" until the result.
    const event = runningEvent(started);
    this.watches.get(task.taskGroupId)?.forEach((w) => w.deliverState(event));
  }

  private complete(taskId: string, outcome: WorkerOutcome): void {
    const unannounced = this.started.get(taskId);
    this.started.delete(taskId);
    // Stopping the endpoint fails running tasks in the pool; on disk they stay unfinished, to be
    // reported as "restarted" by the next host, which is what they are to a user.
    if (this.disposed) return;
    const task = this.store.tasks.get(taskId);
    if (!task) return; // pruned meanwhile
    const status = outcome.result.error_details ? "failed" : "success";
    const finished: StoredTask = {
      ...task,
      status,
      transitions: [
        ...task.transitions,
        // Too short to be announced: its timeline still shows when it started running.
        ...(unannounced ? [{ timestamp: unannounced.ns, state: "running", actor: "worker" }] : []),
        ...(outcome.result.task_statuses ?? []),
        { timestamp: outcome.completedAtNs, state: status, actor: "endpoint" },
      ],
      result: outcome.result,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      completionT: nsToSecondsString(outcome.completedAtNs),
    };
    this.store.putTask(finished);
    const event = resultEvent(finished);
    this.watches.get(task.taskGroupId)?.forEach((w) => w.deliver(event));
  }
}

class LocalResultWatch extends EmittingResultWatch {
  constructor(
    taskGroupId: string,
    private readonly onDetach: () => void,
  ) {
    super(taskGroupId, "streaming");
  }

  deliver(event: ResultEvent): void {
    this.emitResult(event);
  }

  deliverState(event: TaskStateEvent): void {
    this.emitTaskState(event);
  }

  protected detach(): void {
    this.onDetach();
  }
}

/**
 * A started task as a state event, with the worker's execution-start (the result later repeats it, with
 * the time the function itself began, in task_statuses).
 */
function runningEvent(task: StoredTask): TaskStateEvent {
  const started = [...task.transitions].reverse().find((t) => t.state === "running");
  const timestamp = started?.timestamp ?? nowNs();
  return { taskId: task.taskId, state: "running", transition: { timestamp, state: "execution-start", actor: "worker" } };
}

function resultEvent(task: StoredTask): ResultEvent {
  return {
    result: task.result as ResultData,
    completionT: task.completionT ?? nsToSecondsString(nowNs()),
    highAssurance: false,
    stdout: task.stdout,
    stderr: task.stderr,
  };
}

/** A `/v2/tasks/{id}` record (protocol.md §3.6), plus what the task printed. */
function statusRecord(task: StoredTask): TaskStatusRecord {
  const record: TaskStatusRecord = { task_id: task.taskId, status: task.status };
  const transitions: Record<string, number> = {};
  for (const t of task.transitions) transitions[t.state] = Number(t.timestamp) / 1e9;
  const env: Record<string, unknown> = {};
  for (const [k, v] of task.result?.details?.entries ?? []) env[String(k)] = v;
  record.details = { ...env, task_transitions: transitions };
  if (task.result) {
    if (task.result.error_details) {
      record.exception = task.result.data;
      record.reason = task.result.error_details.user_message.replace(/^remote error: /, "");
    } else {
      record.result = task.result.data;
    }
    record.completion_t = task.completionT ?? undefined;
    record.stdout = task.stdout;
    record.stderr = task.stderr;
  }
  return record;
}

/** The error the web service would answer with (protocol.md §2.3), through the same parser. */
function apiError(status: number, code: string, detail: string, args: string[] = []): ComputeApiError {
  const body = { status: "Failed", code, error_args: args, http_status_code: status, detail, reason: detail };
  return ComputeApiError.fromResponse(status, JSON.stringify(body));
}

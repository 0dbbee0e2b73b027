/**
 * MemoryComputeService: an in-process ComputeService TEST DOUBLE (no Python, no network). It runs tasks
 * through a JS `respond` function and streams results to watchers, so Executor logic and client overhead
 * can be measured without any transport. Faults are injected through its public fields.
 */
import { randomUUID } from "node:crypto";
import { ComputeApiError } from "../../core/protocol/apiError";
import { unpackBuffers } from "../../core/protocol/buffers";
import type { ResultData, TaskTransition } from "../../core/protocol/messages";
import { pyJsonDumps } from "../../core/protocol/pyJson";
import { PyTuple, type PyValue } from "../../core/protocol/pyValue";
import { deserializeData } from "../../core/protocol/strategies";
import type {
  ComputeService,
  EndpointStatus,
  FunctionRegistration,
  ResultEvent,
  ResultWatch,
  SubmitBatchRequest,
  SubmitBatchResponse,
  TaskGroupInfo,
  TaskStateEvent,
  TaskStatusRecord,
  WatchState,
} from "../../core/service/computeService";
import { Emitter } from "../../core/util/event";

export interface MemoryTask {
  taskId: string;
  functionId: string;
  functionName: string;
  payload: string;
  taskGroupId: string;
}

/** What `respond` returns: a value (sent as JSON), a remote error, or `undefined` to leave it pending. */
export type MemoryOutcome = { value: PyValue } | { error: string; code?: string } | { data: string } | undefined;

export class MemoryComputeService implements ComputeService {
  /** "local" for what only the local endpoint does (its forgotten task groups). */
  kind: "local" | "cloud" = "cloud";
  readonly functions = new Map<string, FunctionRegistration>();
  readonly tasks = new Map<string, MemoryTask>();
  readonly results = new Map<string, ResultEvent>();
  readonly groups = new Map<string, string[]>();
  readonly submits: SubmitBatchRequest[] = [];
  readonly watches = new Set<MemoryWatch>();
  /** Runs each task; default: leave pending. */
  respond: (task: MemoryTask) => MemoryOutcome = () => undefined;
  /** Thrown by the next submit() calls (one per call) before anything is recorded. */
  submitErrors: Error[] = [];
  registerErrors: Error[] = [];
  /** When set, results are delivered on the next macrotask instead of synchronously after the ack. */
  asyncDelivery = true;
  registerCalls = 0;
  /** False: keep no record of tasks or requests (so a benchmark measures only the client's memory). */
  retainTasks = true;
  private backlog: [string, ResultEvent][] = [];

  async registerFunction(registration: FunctionRegistration): Promise<string> {
    this.registerCalls++;
    const err = this.registerErrors.shift();
    if (err) throw err;
    const id = randomUUID();
    this.functions.set(id, registration);
    return id;
  }

  async submit(request: SubmitBatchRequest): Promise<SubmitBatchResponse> {
    const err = this.submitErrors.shift();
    if (err) throw err;
    if (this.retainTasks) this.submits.push(request);
    let group = request.taskGroupId;
    if (group === undefined) this.groups.set((group = randomUUID()), []);
    const members = this.groups.get(group);
    if (members === undefined) {
      const detail = `Task group ${group} not found`;
      throw ComputeApiError.fromResponse(404, JSON.stringify({ code: "TASK_GROUP_NOT_FOUND", http_status_code: 404, detail, reason: detail }));
    }
    const tasks: Record<string, string[]> = {};
    const created: MemoryTask[] = [];
    for (const [functionId, payloads] of Object.entries(request.tasks)) {
      const fn = this.functions.get(functionId);
      tasks[functionId] = payloads.map((payload) => {
        const task: MemoryTask = {
          taskId: randomUUID(),
          functionId,
          functionName: fn?.function_name ?? "(unregistered)",
          payload,
          taskGroupId: group,
        };
        if (this.retainTasks) {
          this.tasks.set(task.taskId, task);
          members.push(task.taskId);
        }
        created.push(task);
        return task.taskId;
      });
    }
    const run = () => {
      for (const t of created) {
        const outcome = this.respond(t);
        if (outcome !== undefined) this.finish(t, outcome);
      }
    };
    if (this.asyncDelivery) setImmediate(run);
    else queueMicrotask(run);
    // Through JSON, as a real service's answer arrives: randomUUID()'s strings are chains of pieces that
    // the futures would keep (~0.5 KB each), where a parsed response gives them flat ids.
    return JSON.parse(JSON.stringify({ requestId: randomUUID(), taskGroupId: group, endpointId: request.endpointId, tasks })) as SubmitBatchResponse;
  }

  /** Finishes a task: records its result and streams it to the group's watchers. */
  complete(taskId: string, outcome: NonNullable<MemoryOutcome>, extra: Partial<ResultEvent> = {}): ResultEvent {
    const task = this.tasks.get(taskId);
    if (task === undefined) throw new Error(`unknown task ${taskId}`);
    return this.finish(task, outcome, extra);
  }

  private finish(task: MemoryTask, outcome: NonNullable<MemoryOutcome>, extra: Partial<ResultEvent> = {}): ResultEvent {
    const taskId = task.taskId;
    const result: ResultData = {
      task_id: taskId,
      data: "data" in outcome ? outcome.data : "value" in outcome ? `11\n${pyJsonDumps(outcome.value)}` : outcome.error,
      details: null,
      error_details: "error" in outcome ? { code: outcome.code ?? "RemoteExecutionError", user_message: "error" } : null,
      task_statuses: null,
    };
    const event: ResultEvent = { result, completionT: (Date.now() / 1000).toFixed(6), highAssurance: false, ...extra };
    if (this.retainTasks) this.results.set(taskId, event);
    this.publish(task.taskGroupId, event);
    return event;
  }

  /** Announces a state change (as the local endpoint does when a worker starts a task); not recorded. */
  startTask(taskId: string, transition?: TaskTransition, state = "running"): TaskStateEvent {
    const task = this.tasks.get(taskId);
    if (task === undefined) throw new Error(`unknown task ${taskId}`);
    const event: TaskStateEvent = { taskId, state, ...(transition ? { transition } : {}) };
    for (const w of this.watches) if (w.taskGroupId === task.taskGroupId) w.emitState(event);
    return event;
  }

  /** Sends an event to the group's watchers without recording it (duplicates, strays). */
  publish(taskGroupId: string, event: ResultEvent): void {
    let delivered = false;
    for (const w of this.watches)
      if (w.taskGroupId === taskGroupId) {
        w.emit(event);
        delivered = true;
      }
    // Like a broker queue: kept until someone watches the group.
    if (!delivered) this.backlog.push([taskGroupId, event]);
  }

  async getTaskStatuses(taskIds: readonly string[]): Promise<Map<string, TaskStatusRecord>> {
    const out = new Map<string, TaskStatusRecord>();
    for (const id of taskIds) {
      if (!this.tasks.has(id)) continue;
      const done = this.results.get(id);
      if (done === undefined) out.set(id, { task_id: id, status: "waiting-for-ep" });
      else if (done.result.error_details)
        out.set(id, { task_id: id, status: "failed", exception: done.result.data, completion_t: done.completionT });
      else out.set(id, { task_id: id, status: "success", result: done.result.data, completion_t: done.completionT });
    }
    return out;
  }

  async getTaskGroup(taskGroupId: string): Promise<TaskGroupInfo> {
    const ids = this.groups.get(taskGroupId);
    if (ids === undefined) throw Object.assign(new Error(`Task group ${taskGroupId} not found`), { code: "TASK_GROUP_NOT_FOUND" });
    return { taskGroupId, tasks: ids.map((id) => ({ id, created_at: new Date().toISOString() })) };
  }

  watchResults(taskGroupId: string): ResultWatch {
    const w = new MemoryWatch(taskGroupId, (x) => this.watches.delete(x));
    this.watches.add(w);
    const waiting = this.backlog.filter(([g]) => g === taskGroupId);
    this.backlog = this.backlog.filter(([g]) => g !== taskGroupId);
    if (waiting.length > 0) setImmediate(() => waiting.forEach(([, e]) => w.emit(e)));
    return w;
  }

  async getEndpointStatus(): Promise<EndpointStatus> {
    return { status: "online" };
  }

  dispose(): void {
    for (const w of [...this.watches]) w.dispose();
  }
}

class MemoryWatch implements ResultWatch {
  state: WatchState = "streaming";
  private readonly results = new Emitter<ResultEvent>();
  private readonly states = new Emitter<{ state: WatchState; reason?: string }>();
  private readonly taskStates = new Emitter<TaskStateEvent>();
  readonly onResult = this.results.event;
  readonly onTaskState = this.taskStates.event;
  readonly onStateChange = this.states.event;

  constructor(
    readonly taskGroupId: string,
    private readonly onDispose: (w: MemoryWatch) => void,
  ) {}

  emit(event: ResultEvent): void {
    this.results.fire(event);
  }

  emitState(event: TaskStateEvent): void {
    this.taskStates.fire(event);
  }

  setState(state: WatchState, reason?: string): void {
    this.state = state;
    this.states.fire({ state, reason });
  }

  dispose(): void {
    this.state = "closed";
    this.results.dispose();
    this.states.dispose();
    this.taskStates.dispose();
    this.onDispose(this);
  }
}

/** The positional arguments of a task payload (JSON `11` or pickled `00`), as the endpoint reads them. */
export function taskArgs(payload: string): PyValue[] {
  const args = deserializeData(unpackBuffers(payload)[0]);
  if (args instanceof PyTuple) return [...args.items];
  if (!Array.isArray(args)) throw new Error(`the arguments are not a list or tuple: ${String(args)}`);
  return args;
}

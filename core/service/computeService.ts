/**
 * The seam between the Executor and where tasks run. The cloud service (REST + AMQP) and the local
 * endpoint both implement it; the Executor knows nothing else about either. Payloads are already in
 * wire form (protocol.md §5.3), so both implementations see exactly what Globus Compute would.
 */
import type { ResultData, TaskTransition } from "../protocol/messages";
import type { Disposable } from "../util/disposable";
import type { Event } from "../util/event";

export interface FunctionRegistration {
  function_name: string;
  /** `packBuffers([serializeCode(...)])`. */
  function_code: string;
  description?: string;
  meta: { python_version: string; sdk_version: string; serde_identifier: string };
}

export interface SubmitBatchRequest {
  endpointId: string;
  /** Omitted: the service creates a new task group. Unknown to the service: 404 TASK_GROUP_NOT_FOUND. */
  taskGroupId?: string;
  /** function id → payloads `packBuffers([serialize(args), serialize(kwargs)])`, in submission order. */
  tasks: Record<string, string[]>;
  createQueue: boolean;
  resourceSpecification?: Record<string, unknown>;
  userEndpointConfig?: Record<string, unknown>;
  resultSerializers?: string[];
  userRuntime?: Record<string, unknown>;
}

export interface SubmitBatchResponse {
  requestId: string;
  taskGroupId: string;
  endpointId: string;
  /** function id → task ids, in the order of the request's payloads. */
  tasks: Record<string, string[]>;
  haWarning?: string;
}

/** One entry of `/v2/tasks/{id}` or `/v2/batch_status` (protocol.md §3.6–3.7), wire names kept. */
export interface TaskStatusRecord {
  task_id: string;
  status: string;
  result?: string;
  exception?: string;
  /** Unix seconds as a decimal string; present once the task finished. */
  completion_t?: string;
  details?: Record<string, unknown>;
  reason?: string;
  /** Local endpoint only: what the function printed. */
  stdout?: string;
  stderr?: string;
}

export interface TaskGroupInfo {
  taskGroupId: string;
  tasks: { id: string; created_at: string }[];
}

export interface EndpointStatus {
  status: "online" | "offline" | string;
  details?: {
    total_workers?: number;
    idle_workers?: number;
    pending_tasks?: number;
    outstanding_tasks?: number;
    managers?: number;
  };
}

/** A finished task as delivered by a result stream. */
export interface ResultEvent {
  result: ResultData;
  /** Unix seconds (the AMQP `timestamp` property, or the local completion time), as upstream's completion_t. */
  completionT: string;
  /** High-assurance endpoints send a notification only; fetch the result over REST (protocol.md §7.2). */
  highAssurance: boolean;
  /** Local endpoint only: what the function printed. */
  stdout?: string;
  stderr?: string;
}

/**
 * A task changed state before finishing (the local endpoint: a worker started it). Kept small and plain
 * so a daemon can forward it over RPC; `transition.timestamp` is a bigint (nanoseconds), encode it as the
 * result store does.
 */
export interface TaskStateEvent {
  taskId: string;
  /** The service's state name, lower case (`running`, `waiting-for-ep`, …). */
  state: string;
  /** The transition behind the change (local: `execution-start` by `worker`), appended to the future's timeline. */
  transition?: TaskTransition;
}

/**
 * How results currently reach the client: `streaming` (AMQP or local events), `reconnecting` (broker
 * lost; retrying with backoff), `polling` (falling back to batch_status meanwhile), `failed` (gave up
 * for good: see WatchStateEvent.error), `closed`.
 */
export type WatchState = "connecting" | "streaming" | "reconnecting" | "polling" | "failed" | "closed";

export interface WatchStateEvent {
  state: WatchState;
  reason?: string;
  /** With `failed`: what every task still awaited fails with. */
  error?: ResultWatchFailed;
}

/**
 * Why a watch gave up for good. `SIGN_IN_REFUSED`: the service keeps refusing the credentials (expired,
 * revoked, signed out); retrying cannot help until the person signs in again. The results stay with the
 * service: a reload of the task group after signing in gets them.
 */
export class ResultWatchFailed extends Error {
  override readonly name = "ResultWatchFailed";
  constructor(
    readonly code: "SIGN_IN_REFUSED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface WatchOptions {
  /** Cloud only: overrides the port of the AMQP URL the service hands out (443, 5671 or 5672). */
  amqpPort?: number;
  /**
   * The tasks still awaited: polled over REST while a cloud result stream is down; on the local endpoint,
   * the only ones whose earlier results and states a new watch replays (without it: all of the group's).
   */
  pendingTaskIds?: () => Iterable<string>;
}

/** A live subscription to the results of one task group. */
export interface ResultWatch extends Disposable {
  readonly taskGroupId: string;
  readonly state: WatchState;
  readonly onResult: Event<ResultEvent>;
  readonly onStateChange: Event<WatchStateEvent>;
  /** Optional: services without a live state feed (cloud AMQP carries results only) leave it out. */
  readonly onTaskState?: Event<TaskStateEvent>;
}

export interface ComputeService extends Disposable {
  /** `"local"` for the built-in endpoint, `"cloud"` for a Globus Compute web service (real or emulated). */
  readonly kind: "local" | "cloud";
  registerFunction(registration: FunctionRegistration): Promise<string>;
  submit(request: SubmitBatchRequest): Promise<SubmitBatchResponse>;
  /** Statuses of the given tasks; unknown ids are left out of the map. */
  getTaskStatuses(taskIds: readonly string[]): Promise<Map<string, TaskStatusRecord>>;
  getTaskGroup(taskGroupId: string): Promise<TaskGroupInfo>;
  watchResults(taskGroupId: string, options?: WatchOptions): ResultWatch;
  getEndpointStatus(endpointId: string): Promise<EndpointStatus>;
}

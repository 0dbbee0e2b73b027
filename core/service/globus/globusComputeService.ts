/**
 * GlobusComputeService: the ComputeService of the Globus Compute web service (real or emulated): REST
 * for registration, submission and status (protocol.md §3), an AMQP ResultWatcher per watched group.
 */
import type { BackOff, EndpointApi } from "../../endpoints/endpointDirectory";
import {
  parseEndpointList,
  parseEndpointMetadata,
  parseEndpointStatus,
  type EndpointMetadata,
  type EndpointSummary,
} from "../../endpoints/endpointRecords";
import { ComputeApiError } from "../../protocol";
import { Emitter, type Event } from "../../util/event";
import type {
  ComputeService,
  EndpointStatus,
  FunctionRegistration,
  ResultWatch,
  SubmitBatchRequest,
  SubmitBatchResponse,
  TaskGroupInfo,
  TaskStatusRecord,
  WatchOptions,
} from "../computeService";
import { computeBaseUrl, type GlobusEnvironment } from "./environments";
import { RestClient, type RetryPolicy, type TokenProvider } from "./restClient";
import { ResultWatcher, type AmqpConnectionInfo, type ResultWatcherOptions } from "./resultWatcher";
import { SharedResultWatches } from "../sharedResultWatches";

export interface GlobusComputeServiceOptions {
  /** An explicit base URL (an emulator, a private deployment); else the environment's. */
  baseUrl?: string;
  environment?: GlobusEnvironment;
  token: TokenProvider;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Tuning of the result watchers (CA certificates for amqps, prefetch, reconnect, poll and heartbeat timing). */
  watcher?: Pick<
    ResultWatcherOptions,
    "ca" | "prefetch" | "reconnectMinMs" | "reconnectMaxMs" | "pollIntervalMs" | "heartbeatS" | "connectTimeoutMs" | "onError"
  >;
}

export class GlobusComputeService implements ComputeService, EndpointApi {
  readonly kind = "cloud" as const;
  readonly baseUrl: string;
  private readonly rest: RestClient;
  private readonly backedOff = new Emitter<BackOff>();
  /** A request was answered 429 or 503 and waits before its retry. */
  readonly onDidBackOff: Event<BackOff> = this.backedOff.event;
  private readonly watchers = new SharedResultWatches(
    (taskGroupId, watch) =>
      new ResultWatcher({
        ...this.options.watcher,
        amqpPort: watch.amqpPort,
        pendingTaskIds: watch.pendingTaskIds,
        taskGroupId,
        connectionInfo: () => this.getAmqpConnectionInfo(),
        taskStatuses: (ids) => this.getTaskStatuses(ids),
      }),
  );

  constructor(private readonly options: GlobusComputeServiceOptions) {
    this.baseUrl = options.baseUrl ?? computeBaseUrl(options.environment);
    this.rest = new RestClient({
      baseUrl: this.baseUrl,
      token: options.token,
      retry: options.retry,
      timeoutMs: options.timeoutMs,
      onRetry: ({ status, delayMs }) => (status === 429 || status === 503) && this.backedOff.fire({ status, delayMs }),
    });
  }

  async registerFunction(registration: FunctionRegistration): Promise<string> {
    const body = await this.rest.post<{ function_uuid?: unknown }>("/v3/functions", registration);
    return uuidField(body?.function_uuid, "function_uuid", "POST /v3/functions");
  }

  async submit(request: SubmitBatchRequest): Promise<SubmitBatchResponse> {
    // Key order as the SDK's Batch.prepare() (protocol.md §3.5); optional keys only when set.
    const body: Record<string, unknown> = { create_queue: request.createQueue, tasks: request.tasks };
    if (request.taskGroupId) body.task_group_id = request.taskGroupId;
    if (request.resourceSpecification && Object.keys(request.resourceSpecification).length)
      body.resource_specification = request.resourceSpecification;
    if (request.userEndpointConfig && Object.keys(request.userEndpointConfig).length)
      body.user_endpoint_config = request.userEndpointConfig;
    if (request.userRuntime) body.user_runtime = request.userRuntime;
    if (request.resultSerializers?.length) body.result_serializers = request.resultSerializers;
    const where = `POST /v3/endpoints/${request.endpointId}/submit`;
    const r = await this.rest.post<Record<string, unknown>>(`/v3/endpoints/${encodeURIComponent(request.endpointId)}/submit`, body);
    const tasks = r?.tasks;
    if (typeof tasks !== "object" || tasks === null || Array.isArray(tasks))
      throw malformed(where, "no tasks map");
    for (const ids of Object.values(tasks)) if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string")) throw malformed(where, "task ids are not a list of strings");
    return {
      requestId: uuidField(r.request_id, "request_id", where),
      taskGroupId: uuidField(r.task_group_id, "task_group_id", where),
      endpointId: uuidField(r.endpoint_id, "endpoint_id", where),
      tasks: tasks as Record<string, string[]>,
      ...(typeof r.ha_warning === "string" ? { haWarning: r.ha_warning } : {}),
    };
  }

  async getTaskStatuses(taskIds: readonly string[]): Promise<Map<string, TaskStatusRecord>> {
    const out = new Map<string, TaskStatusRecord>();
    if (taskIds.length === 0) return out;
    const r = await this.rest.post<{ results?: Record<string, TaskStatusRecord> }>("/v2/batch_status", { task_ids: taskIds });
    const wanted = new Set(taskIds);
    for (const [id, record] of Object.entries(r?.results ?? {})) {
      // Unknown ids may come back as {status: "Failed", reason: "Unknown task id"} (historical): skip them.
      if (!wanted.has(id) || typeof record !== "object" || record === null || typeof record.status !== "string") continue;
      if (record.reason === "Unknown task id" && !record.completion_t) continue;
      out.set(id, { ...record, task_id: id });
    }
    return out;
  }

  async getTaskGroup(taskGroupId: string): Promise<TaskGroupInfo> {
    const where = `GET /v2/taskgroup/${taskGroupId}`;
    const r = await this.rest.get<{ taskgroup_id?: unknown; tasks?: unknown }>(`/v2/taskgroup/${encodeURIComponent(taskGroupId)}`);
    if (!Array.isArray(r?.tasks)) throw malformed(where, "no tasks list");
    const tasks = (r.tasks as { id?: unknown; created_at?: unknown }[]).map((t) => ({
      id: uuidField(t?.id, "tasks[].id", where),
      created_at: typeof t?.created_at === "string" ? t.created_at : "",
    }));
    return { taskGroupId: uuidField(r.taskgroup_id, "taskgroup_id", where), tasks };
  }

  async getEndpointStatus(endpointId: string): Promise<EndpointStatus> {
    return parseEndpointStatus(await this.rest.get<unknown>(`/v2/endpoints/${encodeURIComponent(endpointId)}/status`), endpointId);
  }

  /** `GET /v2/endpoints?role=…`: the endpoints the identity owns (`owner`) or may use (`any`). */
  async listEndpoints(role: "owner" | "any"): Promise<EndpointSummary[]> {
    return parseEndpointList(await this.rest.get<unknown>(`/v2/endpoints?role=${role}`));
  }

  async getEndpointMetadata(endpointId: string): Promise<EndpointMetadata> {
    return parseEndpointMetadata(await this.rest.get<unknown>(`/v2/endpoints/${encodeURIComponent(endpointId)}`), endpointId);
  }

  /** `GET /v2/get_amqp_result_connection_url`: a fresh broker password on every call. */
  async getAmqpConnectionInfo(): Promise<AmqpConnectionInfo> {
    const r = await this.rest.get<Partial<AmqpConnectionInfo>>("/v2/get_amqp_result_connection_url");
    if (typeof r?.connection_url !== "string" || typeof r.queue_prefix !== "string")
      throw malformed("GET /v2/get_amqp_result_connection_url", "no connection_url/queue_prefix");
    return { connection_url: r.connection_url, queue_prefix: r.queue_prefix };
  }

  /** Watches share one ResultWatcher per task group (see SharedResultWatches). */
  watchResults(taskGroupId: string, options: WatchOptions = {}): ResultWatch {
    return this.watchers.watch(taskGroupId, options);
  }

  dispose(): void {
    this.watchers.dispose();
    this.rest.close();
    this.backedOff.dispose();
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidField(value: unknown, field: string, where: string): string {
  if (typeof value !== "string" || !UUID_RE.test(value)) throw malformed(where, `${field} is not a UUID (${JSON.stringify(value)})`);
  return value.toLowerCase();
}

function malformed(where: string, what: string): ComputeApiError {
  return new ComputeApiError({
    httpStatus: 200,
    code: "MALFORMED_RESPONSE",
    detail: `${where} answered with an unexpected body: ${what}. Is the base URL a Globus Compute service?`,
    retryable: false,
  });
}

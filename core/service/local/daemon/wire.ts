/**
 * What the local endpoint process (the daemon) and its clients say to each other over a Unix socket:
 * one JSON object per line (frameDecoder.ts), after a handshake (daemonAuth.ts). Requests `{id, method,
 * params}` get `{id, result}` or `{id, error}`; a watch streams `{watch, events: [...]}` frames, all its
 * events of one event-loop turn in one frame (frameWriter.ts). A result travels compact: bigint
 * timestamps as decimal strings, and the worker's `details` dict (the same for all its results) once per
 * connection as a `{details: ref, value}` frame that later results name by `ref`, in the lossless
 * tagged form (plain JSON would lose int vs float and key order).
 */
import { ComputeApiError } from "../../../protocol/apiError";
import type { ErrorDetails, TaskTransition } from "../../../protocol/messages";
import type { ResultEvent, TaskStateEvent } from "../../computeService";
import { LocalEndpointError, type LocalEndpointErrorCode } from "../../../local/errors";
import type { PyDict } from "../../../protocol/pyValue";
import { canonicalFolder } from "../../../util/canonicalFolder";
import type { DaemonIdentity } from "./daemonPaths";

/** The environment variable that carries the DaemonConfig (JSON) to the daemon: never its arguments, which `ps` shows everyone. */
export const DAEMON_CONFIG_ENV = "GLOBUS_COMPUTE_LOCAL_ENDPOINT_CONFIG";

/** Settings a daemon was started with; a client wanting others makes it retire (see LocalEndpointClient). */
export interface DaemonConfig extends DaemonIdentity {
  python?: string;
  workers?: number;
  cwd?: string;
  maxGroups?: number;
  maxTasks?: number;
  taskTimeoutMs?: number;
  /** How long each worker may take to start (WorkerPoolOptions.startTimeoutMs); default 60 s. */
  workerStartTimeoutMs?: number;
  /** Exit after this long with no client connected and no task queued or running. */
  idleExitMs: number;
}

/** What the launcher hands the daemon: the config, the socket path it chose and the build it started (daemonBuild.ts). */
export interface DaemonStart {
  config: DaemonConfig;
  socketPath: string;
  build: string;
}

/** Bumped when the daemon and its client would no longer understand each other: a daemon of another version retires. */
const WIRE_VERSION = 2;

/**
 * What decides whether a running daemon can serve a client: its build and the part of its config that
 * matters. Folders by their real path, as the daemon is found by (daemonPaths.ts): two windows on one
 * folder, one through a symbolic link, must not each retire the other's daemon.
 */
export function configFingerprint(c: DaemonConfig, build: string): string {
  const folder = (path: string | undefined) => (path ? canonicalFolder(path) : null);
  return JSON.stringify([
    WIRE_VERSION,
    build,
    c.stateRoot,
    folder(c.workspaceFolder),
    c.python ?? null,
    c.workers ?? null,
    folder(c.cwd),
    c.maxGroups ?? null,
    c.maxTasks ?? null,
    c.taskTimeoutMs ?? null,
    c.workerStartTimeoutMs ?? null,
  ]);
}

export interface HelloResult {
  pid: number;
  fingerprint: string;
  /** Tasks queued or running. */
  outstanding: number;
}

export type WireRequest = { id: number; method: string; params?: unknown };
/** `id` null: an error about the connection itself (a malformed frame), which the daemon then closes. */
export type WireResponse = { id: number | null; result?: unknown; error?: WireError };
export type WireWatchEvent =
  | { event: "result"; data: WireResultEvent }
  | { event: "state"; state: string; reason?: string }
  | { event: "taskState"; data: WireTaskStateEvent };
export type WireWatchBatch = { watch: number; events: WireWatchEvent[] };
/** A worker's `details` dict, sent once per connection before the first result that names it. */
export type WireDetails = { details: number; value: unknown };

export interface WireError {
  kind: "api" | "local" | "other";
  message: string;
  code?: string;
  httpStatus?: number;
  detail?: string;
  retryable?: boolean;
}

export interface WireResultEvent {
  /** task_id, data, error_details */
  t: string;
  d: string;
  x: ErrorDetails | null;
  /** task_statuses as [timestamp, state, actor] */
  s: [string, string, string][] | null;
  /** Reference of the `details` dict (WireDetails), or null. */
  w: number | null;
  /** completion_t */
  c: string;
  o?: string;
  e?: string;
}
export type WireTaskStateEvent = Omit<TaskStateEvent, "transition"> & {
  transition?: Omit<TaskTransition, "timestamp"> & { timestamp: string };
};

/** `detailsRef` names the result's details dict (the writer sends each dict once). */
export function encodeResultEvent(e: ResultEvent, detailsRef: number | null): WireResultEvent {
  const r = e.result;
  const out: WireResultEvent = {
    t: r.task_id,
    d: r.data,
    x: r.error_details,
    s: r.task_statuses && r.task_statuses.map((x) => [x.timestamp.toString(), x.state, x.actor]),
    w: detailsRef,
    c: e.completionT,
  };
  if (e.stdout) out.o = e.stdout;
  if (e.stderr) out.e = e.stderr;
  return out;
}

export function decodeResultEvent(e: WireResultEvent, details: (ref: number) => PyDict | undefined): ResultEvent {
  if (typeof e !== "object" || e === null || typeof e.t !== "string" || typeof e.d !== "string" || typeof e.c !== "string") {
    throw new LocalEndpointError("DAEMON_PROTOCOL", "a result event is malformed");
  }
  const dict = e.w === null ? null : details(e.w);
  if (dict === undefined) throw new LocalEndpointError("DAEMON_PROTOCOL", `a result names unknown details ${String(e.w)}`);
  return {
    result: {
      task_id: e.t,
      data: e.d,
      details: dict,
      error_details: e.x ?? null,
      task_statuses: e.s && e.s.map(([timestamp, state, actor]) => ({ timestamp: BigInt(timestamp), state, actor })),
    },
    completionT: e.c,
    highAssurance: false,
    stdout: e.o ?? "",
    stderr: e.e ?? "",
  };
}

// Spelled out rather than `{ ...rest, transition }`: V8 (node 20) gives every object built by spreading
// and then adding a key a hidden class of its own, which costs memory and makes every reader megamorphic.
export function encodeTaskState({ taskId, state, transition: t }: TaskStateEvent): WireTaskStateEvent {
  return t ? { taskId, state, transition: { timestamp: t.timestamp.toString(), state: t.state, actor: t.actor } } : { taskId, state };
}

export function decodeTaskState({ taskId, state, transition: t }: WireTaskStateEvent): TaskStateEvent {
  return t ? { taskId, state, transition: { timestamp: BigInt(t.timestamp), state: t.state, actor: t.actor } } : { taskId, state };
}

/** Errors cross the socket with their type and code, so callers (the Executor's 404 handling) see the same errors. */
export function encodeError(err: unknown): WireError {
  if (err instanceof ComputeApiError) {
    return { kind: "api", message: err.message, code: err.code, httpStatus: err.httpStatus, detail: err.detail, retryable: err.retryable };
  }
  if (err instanceof LocalEndpointError) return { kind: "local", message: err.message, code: err.code };
  return { kind: "other", message: err instanceof Error ? err.message : String(err) };
}

export function decodeError(e: WireError): Error {
  if (e.kind === "api") {
    return new ComputeApiError({
      httpStatus: e.httpStatus,
      code: e.code ?? "UNKNOWN",
      detail: e.detail ?? e.message,
      retryable: e.retryable ?? false,
      retryAfterS: undefined,
      authorizationParameters: undefined,
    });
  }
  if (e.kind === "local") return new LocalEndpointError((e.code ?? "DAEMON_PROTOCOL") as LocalEndpointErrorCode, e.message);
  return new Error(e.message);
}

/**
 * What the local endpoint process (the daemon) and its clients say to each other over a Unix socket:
 * one JSON object per line (frameDecoder.ts), after a handshake (daemonAuth.ts). Requests `{id, method, params}` get `{id, result}` or `{id, error}`; a watch
 * streams `{watch, event, ...}` lines. ResultData travels as the protocol's own packed bytes (base64),
 * because plain JSON would lose its bigints and PyDict key order.
 */
import { ComputeApiError } from "../../../protocol/apiError";
import { packMessage, unpackMessage } from "../../../protocol/envelope";
import type { TaskTransition } from "../../../protocol/messages";
import type { ResultEvent, TaskStateEvent } from "../../computeService";
import { LocalEndpointError, type LocalEndpointErrorCode } from "../../../local/errors";
import type { DaemonIdentity } from "./daemonPaths";

/** The environment variable that carries the DaemonConfig (JSON) to the daemon: never its arguments, which `ps` shows everyone. */
export const DAEMON_CONFIG_ENV = "GLOBUS_COMPUTE_LOCAL_ENDPOINT_CONFIG";

/** Settings a daemon was started with; a client wanting others makes it retire (see LocalEndpointClient). */
export interface DaemonConfig extends DaemonIdentity {
  python?: string;
  workers?: number;
  cwd?: string;
  maxGroups?: number;
  taskTimeoutMs?: number;
  /** Exit after this long with no client connected and no task queued or running. */
  idleExitMs: number;
}

/** What the launcher hands the daemon: the config and the socket path it chose. */
export interface DaemonStart {
  config: DaemonConfig;
  socketPath: string;
}

/** The part of the config that decides whether a running daemon can serve a client. */
export function configFingerprint(c: DaemonConfig): string {
  return JSON.stringify([c.stateRoot, c.workspaceFolder ?? null, c.python ?? null, c.workers ?? null, c.cwd ?? null, c.maxGroups ?? null, c.taskTimeoutMs ?? null]);
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
  | { watch: number; event: "result"; data: WireResultEvent }
  | { watch: number; event: "state"; state: string; reason?: string }
  | { watch: number; event: "taskState"; data: WireTaskStateEvent };

export interface WireError {
  kind: "api" | "local" | "other";
  message: string;
  code?: string;
  httpStatus?: number;
  detail?: string;
  retryable?: boolean;
}

export type WireResultEvent = Omit<ResultEvent, "result"> & { result: string };
export type WireTaskStateEvent = Omit<TaskStateEvent, "transition"> & {
  transition?: Omit<TaskTransition, "timestamp"> & { timestamp: string };
};

export function encodeResultEvent(e: ResultEvent): WireResultEvent {
  const packed = packMessage({ message_type: "result", data: e.result });
  return { ...e, result: Buffer.from(packed).toString("base64") };
}

export function decodeResultEvent(e: WireResultEvent): ResultEvent {
  const message = unpackMessage(Buffer.from(e.result, "base64"));
  if (message.message_type !== "result") throw new LocalEndpointError("DAEMON_PROTOCOL", "a result event did not hold a Result");
  return { ...e, result: message.data };
}

export function encodeTaskState(e: TaskStateEvent): WireTaskStateEvent {
  const { transition, ...rest } = e;
  return transition ? { ...rest, transition: { ...transition, timestamp: transition.timestamp.toString() } } : rest;
}

export function decodeTaskState(e: WireTaskStateEvent): TaskStateEvent {
  const { transition, ...rest } = e;
  return transition ? { ...rest, transition: { ...transition, timestamp: BigInt(transition.timestamp) } } : rest;
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

/**
 * What the local endpoint process (the daemon) and its clients say to each other over a Unix socket:
 * one JSON object per line. Requests `{id, method, params}` get `{id, result}` or `{id, error}`; a watch
 * streams `{watch, event, ...}` lines. ResultData travels as the protocol's own packed bytes (base64),
 * because plain JSON would lose its bigints and PyDict key order.
 */
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ComputeApiError } from "../../protocol/apiError";
import { packMessage, unpackMessage } from "../../protocol/envelope";
import type { TaskTransition } from "../../protocol/messages";
import type { ResultEvent, TaskStateEvent } from "../../service/computeService";
import { LocalEndpointError, type LocalEndpointErrorCode } from "../errors";

/** Longest socket path we use: sockaddr_un holds ~108 bytes on Linux and 104 on macOS. */
const MAX_SOCKET_PATH = 100;

/** The socket of the daemon serving `storageDir`: inside it, or a short path keyed by its hash when too long. */
export function socketPathFor(storageDir: string): string {
  const inside = join(storageDir, "endpoint.sock");
  if (Buffer.byteLength(inside) <= MAX_SOCKET_PATH) return inside;
  const key = createHash("sha256").update(storageDir).digest("hex").slice(0, 16);
  return join(tmpdir(), `gc-local-${key}.sock`);
}

export const lockPathFor = (storageDir: string): string => join(storageDir, "daemon.lock");
export const logPathFor = (storageDir: string): string => join(storageDir, "daemon.log");

/** Settings a daemon was started with; a client wanting others makes it retire (see LocalEndpointClient). */
export interface DaemonConfig {
  storageDir: string;
  python?: string;
  workers?: number;
  cwd?: string;
  maxGroups?: number;
  taskTimeoutMs?: number;
  /** Exit after this long with no client connected and no task queued or running. */
  idleExitMs: number;
}

/** The part of the config that decides whether a running daemon can serve a client. */
export function configFingerprint(c: DaemonConfig): string {
  return JSON.stringify([c.storageDir, c.python ?? null, c.workers ?? null, c.cwd ?? null, c.maxGroups ?? null, c.taskTimeoutMs ?? null]);
}

export interface HelloResult {
  pid: number;
  fingerprint: string;
  /** Tasks queued or running. */
  outstanding: number;
}

export type WireRequest = { id: number; method: string; params?: unknown };
export type WireResponse = { id: number; result?: unknown; error?: WireError };
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

/** Splits a byte stream into JSON lines; a line that is not JSON is reported, not thrown. */
export class LineReader {
  private buffered = "";

  constructor(
    private readonly onLine: (value: unknown) => void,
    private readonly onBadLine: (line: string) => void,
  ) {}

  push(chunk: Buffer | string): void {
    this.buffered += chunk.toString();
    let nl: number;
    while ((nl = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        this.onBadLine(line);
        continue;
      }
      this.onLine(value);
    }
  }
}

/**
 * ResultWatcher: streams one task group's results from the Globus Compute AMQP broker (protocol.md §7).
 *
 * Unlike the SDK's watcher, which fails every open future after 5 failed reconnects, a lost stream never
 * fails anything: it reconnects with jittered backoff (fetching a fresh URL each time, since each URL request issues a
 * new password), and from the moment the stream is lost it polls `batch_status` for the tasks still
 * awaited. A short heartbeat tells a silent broker (frozen, or a dead network path) from a quiet one. A
 * message is acked only after listeners have recorded it, with bounded prefetch; a message that is not
 * a Result is rejected without requeue, so a poison message cannot loop forever. Only a sign-in the
 * service keeps refusing ends the watch (`failed`): retrying cannot help until the person signs in again.
 */
import * as amqp from "amqplib";
import { rootCertificates } from "node:tls";
import { unpackMessage, type ResultData } from "../../protocol";
import { endpointProblem } from "../../endpoints/endpointProblem";
import {
  ResultWatchFailed,
  type ResultEvent,
  type ResultWatch,
  type TaskStateEvent,
  type TaskStatusRecord,
  type WatchState,
  type WatchStateEvent,
} from "../computeService";
import { failureCode, recordTransitions } from "../taskStatusRecord";
import { Emitter } from "../../util/event";
import { TurnSlicer } from "../../util/turnSlicer";

export interface AmqpConnectionInfo {
  queue_prefix: string;
  connection_url: string;
}

export interface ResultWatcherOptions {
  taskGroupId: string;
  /** `GET /v2/get_amqp_result_connection_url`, called on every connect. */
  connectionInfo(): Promise<AmqpConnectionInfo>;
  /** `POST /v2/batch_status`, for polling while the stream is down. */
  taskStatuses(taskIds: readonly string[]): Promise<Map<string, TaskStatusRecord>>;
  /** Tasks still awaited (polled while the stream is down); without it there is no polling fallback. */
  pendingTaskIds?: () => Iterable<string>;
  amqpPort?: number;
  /** Unacked deliveries the broker may push at once. */
  prefetch?: number;
  /** Extra CA certificates for amqps (verification stays on). */
  ca?: (string | Buffer)[];
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  pollIntervalMs?: number;
  /**
   * AMQP heartbeat asked of the broker, in seconds (it takes the lower of its own and ours). A broker that
   * went silent is noticed after two to three of them; RabbitMQ's own 60 s meant minutes of "streaming".
   */
  heartbeatS?: number;
  /** Bound on each step of a connect: the connection URL from the service, then the broker's handshake. */
  connectTimeoutMs?: number;
  /** Problems that do not stop the watcher (a rejected message, polls failing: once until one works). */
  onError?: (err: Error) => void;
}

const POLL_CHUNK = 128;
export const DEFAULT_PREFETCH = 1000;
export const DEFAULT_HEARTBEAT_S = 15;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Refusals of the sign-in in a row (connection URL or polls; each already retried with a refreshed token) that end the watch. */
const REFUSALS_TO_FAIL = 3;
/**
 * One multiple-ack covers up to half the prefetch (so the broker never stalls waiting for acks) or what
 * arrived within ACK_DELAY_MS: each ack is a frame through amqplib's muxer and a socket write, which
 * cost more per result than all the rest of acking. A redelivery after a lost connection is harmless
 * (duplicates are ignored downstream).
 */
const ACK_DELAY_MS = 100;

export class ResultWatcher implements ResultWatch {
  private current: WatchState = "connecting";
  private readonly results = new Emitter<ResultEvent>();
  private readonly states = new Emitter<WatchStateEvent>();
  readonly onResult = this.results.event;
  private readonly taskStates = new Emitter<TaskStateEvent>();
  /** Only while polling: AMQP carries results, not states, but batch_status records have them. */
  readonly onTaskState = this.taskStates.event;
  readonly onStateChange = this.states.event;
  private connection: amqp.ChannelModel | undefined;
  private disposed = false;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wakeSleep: (() => void) | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private unacked = 0;
  /** The latest delivery not acked yet, and its channel (fields, not an object per message). */
  private lastUnacked: amqp.ConsumeMessage | undefined;
  private lastUnackedChannel: amqp.Channel | undefined;
  private readonly ackBatch: number;
  private refusals = 0;
  /** Why the stream was lost last (said again when polling starts). */
  private lostReason: string | undefined;
  /** A failed poll was reported; the next are not, until a poll works again. */
  private pollFailureReported = false;
  private lastTimestamp = 0;
  private lastCompletionT = "0";
  /**
   * amqplib hands over every message of a socket read in one turn; each is recorded (and acked) a few
   * milliseconds' worth per turn instead. Waiting ones are unacked, so the prefetch bounds them.
   */
  private readonly slicer = new TurnSlicer();

  constructor(private readonly options: ResultWatcherOptions) {
    this.ackBatch = Math.max(1, Math.floor((options.prefetch ?? DEFAULT_PREFETCH) / 2));
    void this.run();
  }

  get taskGroupId(): string {
    return this.options.taskGroupId;
  }

  get state(): WatchState {
    return this.current;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Messages still waiting are left unacked: the broker redelivers them.
    this.slicer.dispose();
    this.stop();
    this.setState("closed");
    this.results.dispose();
    this.taskStates.dispose();
    this.states.dispose();
  }

  /** Disposed, or gave up. */
  private get stopped(): boolean {
    return this.disposed || this.current === "failed";
  }

  /** Stops polling, the backoff sleep and the connection. */
  private stop(): void {
    this.stopPolling();
    if (this.sleepTimer !== undefined) clearTimeout(this.sleepTimer);
    this.wakeSleep?.();
    this.flushAck();
    const connection = this.connection;
    this.connection = undefined;
    connection?.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let reason: string;
      try {
        reason = await this.streamOnce(() => {
          failures = 0;
          this.refusals = 0;
          this.pollFailureReported = false;
        });
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
        this.noteRefusal(err);
      }
      if (this.stopped) return;
      failures++;
      // Polled from the moment the stream is lost: reconnecting can take long (the service slow to hand
      // out a URL, a broker that accepts TCP but never answers). First retry straight away, then backoff.
      const polling = this.startPolling();
      this.lostReason = reason;
      this.setState(failures === 1 || !polling ? "reconnecting" : "polling", reason);
      await this.sleep(this.backoffMs(failures));
    }
  }

  /** One connection's life: resolves with the reason it ended. */
  private async streamOnce(connected: () => void): Promise<string> {
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const info = await this.bounded(this.options.connectionInfo(), timeoutMs, "the service's AMQP connection URL");
    const url = new URL(info.connection_url);
    if (this.options.amqpPort !== undefined) url.port = String(this.options.amqpPort);
    // A heartbeat the service's URL asks for itself stands.
    if (!url.searchParams.has("heartbeat")) url.searchParams.set("heartbeat", String(this.options.heartbeatS ?? DEFAULT_HEARTBEAT_S));
    const connection = await amqp.connect(url.toString(), {
      timeout: timeoutMs,
      // Node's `ca` replaces the default trust store; extra CAs must add to it, or a user's corporate
      // CA would stop publicly signed brokers from verifying.
      ...(this.options.ca ? { ca: [...rootCertificates, ...this.options.ca] } : {}),
    });
    try {
      if (this.stopped) return "stopped";
      this.connection = connection;
      const ended = new Promise<string>((resolve) => {
        connection.on("error", () => undefined); // "close" follows with the reason
        connection.on("close", (err?: Error) => resolve(err ? `connection closed: ${err.message}` : "connection closed"));
      });
      const channel = await connection.createChannel();
      const channelEnded = new Promise<string>((resolve) => {
        channel.on("error", (err: Error) => resolve(`channel closed: ${err.message}`));
        channel.on("close", () => resolve("channel closed"));
      });
      await channel.prefetch(this.options.prefetch ?? DEFAULT_PREFETCH);
      await channel.consume(info.queue_prefix + this.taskGroupId, (m) => this.onMessage(channel, m), {
        noAck: false,
      });
      connected();
      this.stopPolling();
      this.setState("streaming");
      return await Promise.race([ended, channelEnded]);
    } finally {
      this.flushAck();
      if (this.connection === connection) this.connection = undefined;
      connection.close().catch(() => undefined);
    }
  }

  private onMessage(channel: amqp.Channel, message: amqp.ConsumeMessage | null): void {
    this.slicer.run(() => this.record(channel, message));
  }

  private record(channel: amqp.Channel, message: amqp.ConsumeMessage | null): void {
    if (this.disposed) return; // nobody records it: leave it unacked for the broker to redeliver
    if (message === null) {
      // The broker cancelled the consumer (queue deleted): reconnect.
      channel.close().catch(() => undefined);
      return;
    }
    let result: ResultData;
    try {
      const unpacked = unpackMessage(message.content);
      if (unpacked.message_type !== "result") throw new Error(`a ${unpacked.message_type} message, not a result`);
      result = unpacked.data;
    } catch (err) {
      // Never requeue: the same bytes would fail again, forever (the SDK's requeue loop).
      safely(() => channel.nack(message, false, false));
      this.options.onError?.(
        new Error(`Dropped a malformed message in the result queue of task group ${this.taskGroupId}: ${(err as Error).message}`),
      );
      return;
    }
    const properties = message.properties;
    const timestamp = (properties.timestamp as number | undefined) ?? 0;
    // Whole seconds: most results of a busy stream share their second, so its text too (futures keep it).
    if (timestamp !== this.lastTimestamp) {
      this.lastTimestamp = timestamp;
      this.lastCompletionT = String(timestamp);
    }
    this.results.fire({
      result,
      completionT: this.lastCompletionT,
      highAssurance: Boolean(properties.headers?.["high_assurance"]),
    });
    // Recorded by the listeners (fire is synchronous), so it may be acked, in batches (see ACK_DELAY_MS).
    this.lastUnacked = message;
    this.lastUnackedChannel = channel;
    if (++this.unacked >= this.ackBatch) this.flushAck();
    else this.ackTimer ??= setTimeout(() => this.flushAck(), ACK_DELAY_MS);
  }

  private flushAck(): void {
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.unacked = 0;
    const last = this.lastUnacked;
    const channel = this.lastUnackedChannel;
    this.lastUnacked = undefined;
    this.lastUnackedChannel = undefined;
    // A closed channel cannot ack: the broker redelivers, and duplicates are ignored downstream.
    if (last !== undefined && channel !== undefined) safely(() => channel.ack(last, true));
  }

  /** Starts polling unless it runs already; false when there is nothing to poll with. */
  private startPolling(): boolean {
    if (this.options.pendingTaskIds === undefined || this.disposed) return false;
    if (this.pollTimer !== undefined) return true;
    const intervalMs = this.options.pollIntervalMs ?? 2000;
    const tick = async () => {
      // Still no stream one interval after losing it: results now come by polling.
      if (this.current === "reconnecting") this.setState("polling", this.lostReason);
      try {
        if (await this.pollOnce()) {
          this.refusals = 0;
          this.pollFailureReported = false;
        }
      } catch (err) {
        this.noteRefusal(err);
        // Once, not every interval: the state says that the stream is still away.
        if (!this.pollFailureReported && !this.stopped) this.options.onError?.(err as Error);
        this.pollFailureReported = true;
      }
      if (this.pollTimer !== undefined) this.pollTimer = setTimeout(tick, intervalMs);
    };
    // One interval in: a stream back at once (a blip, the usual case) costs no request.
    this.pollTimer = setTimeout(tick, intervalMs);
    return true;
  }

  private stopPolling(): void {
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Polls the tasks still awaited; false when there were none (nothing was asked). */
  private async pollOnce(): Promise<boolean> {
    const ids = [...(this.options.pendingTaskIds?.() ?? [])];
    for (let i = 0; i < ids.length && this.pollTimer !== undefined; i += POLL_CHUNK) {
      const statuses = await this.options.taskStatuses(ids.slice(i, i + POLL_CHUNK));
      for (const record of statuses.values()) {
        if (record.completion_t) this.results.fire(eventFromStatus(record));
        else if (record.status) this.taskStates.fire({ taskId: record.task_id, state: record.status.toLowerCase() });
      }
    }
    return ids.length > 0;
  }

  /** Counts a refusal of the sign-in (401/403, or no token to be had); enough in a row end the watch. */
  private noteRefusal(err: unknown): void {
    const problem = endpointProblem(err).code;
    if (problem !== "NOT_SIGNED_IN" && problem !== "CONSENT_REQUIRED" && problem !== "FORBIDDEN") return;
    if (++this.refusals < REFUSALS_TO_FAIL || this.stopped) return;
    const group = this.taskGroupId;
    const error = new ResultWatchFailed(
      "SIGN_IN_REFUSED",
      `The service refused the sign-in while results of task group ${group} were awaited (${(err as Error).message}). ` +
        `Sign in again, then reload task group ${group}: the service keeps its results.`,
      { cause: err },
    );
    this.stop();
    this.current = "failed";
    this.states.fire({ state: "failed", reason: error.message, error });
  }

  private setState(state: WatchState, reason?: string): void {
    if (state === this.current && reason === undefined) return;
    this.current = state;
    this.states.fire({ state, reason });
  }

  private backoffMs(failures: number): number {
    const min = this.options.reconnectMinMs ?? 250;
    const max = this.options.reconnectMaxMs ?? 10_000;
    if (failures === 1) return 0;
    return Math.min(max, min * 2 ** (failures - 2)) * (0.5 + Math.random() * 0.5);
  }

  /** `promise`, or a rejection after `ms` (what it brings later is dropped). */
  private bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer for ${what} within ${ms / 1000} s`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSleep = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }
}

/** A finished task's status record as a result event (the polling path). */
function eventFromStatus(record: TaskStatusRecord): ResultEvent {
  const ok = record.status.toLowerCase() === "success" && typeof record.result === "string";
  return {
    result: {
      task_id: record.task_id,
      data: ok ? (record.result as string) : (record.exception ?? record.reason ?? "Task failed (the service gave no reason)"),
      details: null,
      error_details: ok ? null : { code: failureCode(record), user_message: "An error occurred during the execution of this task" },
      task_statuses: recordTransitions(record) ?? null,
    },
    completionT: record.completion_t ?? "0",
    highAssurance: false,
  };
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The channel is gone; the broker redelivers what was not acked.
  }
}

/**
 * Serves one LocalComputeService on a Unix socket, so the endpoint (its workers and the tasks on them)
 * outlives the VS Code window that started it: a reloaded window connects again and keeps receiving
 * results. Exits by itself when idle (no client and no task) for `idleExitMs`, or once idle after a
 * client asked it to retire (settings changed), so a stale daemon never lingers.
 */
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { LocalEndpointError } from "../../../local/errors";
import { PRIVATE_FILE_MODE } from "../../../local/privateFiles";
import type { Disposable } from "../../../util/disposable";
import type { ResultWatch } from "../../computeService";
import { LOCAL_ENDPOINT_ID, type LocalComputeService } from "../localComputeService";
import type { LocalTaskQuery } from "../localTaskHistory";
import { newChallenge, proof, proofMatches } from "./daemonAuth";
import { encodeFrame, FrameDecoder } from "./frameDecoder";
import { FrameWriter } from "./frameWriter";
import {
  configFingerprint,
  encodeError,
  encodeResultEvent,
  encodeTaskState,
  type DaemonConfig,
  type HelloResult,
} from "./wire";
import { toTagged } from "../../../protocol/tagged";

export interface DaemonServerOptions {
  config: DaemonConfig;
  /** The build this process runs (daemonBuild.ts), as its launcher saw it. */
  build: string;
  socketPath: string;
  /** Shared with the clients (daemonAuth.ts): a connection that cannot prove it knows it is dropped. */
  secret: Buffer;
  service: LocalComputeService;
  /** Called once when the daemon decides to stop (idle, retire, shutdown request); the owner exits. */
  onExit: (reason: string) => void;
  log?: (line: string) => void;
}

export class DaemonServer implements Disposable {
  private readonly clients = new Set<ClientConnection>();
  private readonly idleTimer: NodeJS.Timeout;
  private idleSince = Date.now();
  /** Since when no client is connected while tasks are still outstanding; logged once past idleExitMs. */
  private aloneSince: number | undefined;
  private aloneLogged = false;
  private retiring = false;
  private stopped = false;

  private constructor(
    private readonly options: DaemonServerOptions,
    private readonly server: Server,
  ) {
    server.on("connection", (socket) => {
      const client = new ClientConnection(socket, this, () => this.clients.delete(client));
      this.clients.add(client);
    });
    // Checked often enough that short test timeouts are honoured, rarely enough to cost nothing.
    const period = Math.max(50, Math.min(1000, options.config.idleExitMs / 4));
    this.idleTimer = setInterval(() => void this.checkIdle(), period);
  }

  /** Listens on the socket; a stale socket file (no one answers) is removed first. */
  static async listen(options: DaemonServerOptions): Promise<DaemonServer> {
    const { socketPath } = options;
    if (existsSync(socketPath)) {
      if (await answers(socketPath)) throw new Error(`another local endpoint already serves ${socketPath}`);
      unlinkSync(socketPath);
    }
    const server = createServer();
    // Bound 0600 from the start (a client checking it before a chmod would refuse it); its directory
    // is private already, and clients check both. The workers started before, with the user's umask.
    const umask = process.umask(0o077);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(socketPath, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    chmodSync(socketPath, PRIVATE_FILE_MODE); // 0600 like every other file of it
    return new DaemonServer(options, server);
  }

  get fingerprint(): string {
    return configFingerprint(this.options.config, this.options.build);
  }

  get service(): LocalComputeService {
    return this.options.service;
  }

  get secret(): Buffer {
    return this.options.secret;
  }

  log(line: string): void {
    this.options.log?.(line);
  }

  async outstanding(): Promise<number> {
    const status = await this.options.service.getEndpointStatus(LOCAL_ENDPOINT_ID);
    return status.details?.outstanding_tasks ?? 0;
  }

  /** Exit as soon as no task is queued or running, even with clients connected (they reconnect to a new daemon). */
  retire(): void {
    this.retiring = true;
    void this.checkIdle();
  }

  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.options.log?.(`stopping: ${reason}`);
    this.dispose();
    this.options.onExit(reason);
  }

  dispose(): void {
    clearInterval(this.idleTimer);
    // Stop listening and remove the socket before dropping clients: a client that sees its connection
    // close and connects again must not reach this dying daemon, but start (or find) the next one.
    this.server.close();
    try {
      unlinkSync(this.options.socketPath);
    } catch {
      // already gone (Node unlinks it on close)
    }
    for (const c of [...this.clients]) c.dispose();
    this.clients.clear();
  }

  private async checkIdle(): Promise<void> {
    if (this.stopped) return;
    const outstanding = await this.outstanding().catch(() => 0);
    if (outstanding > 0) {
      this.idleSince = Date.now();
      this.noteAlone(outstanding);
      return;
    }
    this.aloneSince = undefined;
    if (this.retiring) return this.stop("retired: settings changed and no task is running");
    if (this.clients.size > 0) {
      this.idleSince = Date.now();
      return;
    }
    if (Date.now() - this.idleSince >= this.options.config.idleExitMs) this.stop("idle");
  }

  /**
   * Tasks never end because no client is left: a window closed and reopened later comes back for their
   * results, and tasks nobody wants are cancelled (cancelTasks), which stops them at once. So a daemon
   * with no client stays while work is outstanding, and says so once, for whoever wonders why it stays.
   */
  private noteAlone(outstanding: number): void {
    if (this.clients.size > 0) {
      this.aloneSince = undefined;
      this.aloneLogged = false;
      return;
    }
    this.aloneSince ??= Date.now();
    if (this.aloneLogged || Date.now() - this.aloneSince < this.options.config.idleExitMs) return;
    this.aloneLogged = true;
    this.log(`no client for ${Math.round((Date.now() - this.aloneSince) / 1000)} s; staying for ${outstanding} task(s) still queued or running until they finish or are cancelled`);
  }
}

/** How long a connection may take to authenticate. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * One connected client: the handshake, then its requests and the watches it opened, all ended when it
 * disconnects. A frame that is not a well-formed request gets an error reply and closes this connection
 * only; the daemon and every other client carry on.
 */
class ClientConnection implements Disposable {
  private readonly watches = new Map<number, { watch: ResultWatch; subs: Disposable[] }>();
  /** The challenge this daemon sent, until the client's proof checked out. */
  private handshake: { clientChallenge: string; daemonChallenge: string } | "awaiting-hello" | "done" = "awaiting-hello";
  private closed = false;
  private readonly writer: FrameWriter;
  /** A peer that does not finish the handshake in time is dropped: it would keep the daemon from idling out. */
  private handshakeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly daemon: DaemonServer,
    private readonly onClose: () => void,
  ) {
    this.writer = new FrameWriter(socket);
    const decoder = new FrameDecoder(
      (frame) => this.receive(frame),
      (err) => this.refuse(err.message),
    );
    socket.on("data", (chunk: Buffer) => decoder.push(chunk));
    socket.on("error", () => this.dispose());
    socket.on("close", () => this.dispose());
    this.handshakeTimer = setTimeout(() => this.refuse(`no handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`), HANDSHAKE_TIMEOUT_MS);
  }

  dispose(): void {
    if (this.closed) return;
    // Replies of this turn (the answer to "shutdown", say) still go out.
    const queued = this.writer.flush();
    this.release();
    if (queued !== "" && !this.socket.destroyed) this.socket.end(queued);
    else this.socket.destroy();
  }

  private release(): void {
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    this.writer.dispose();
    for (const { watch, subs } of this.watches.values()) {
      subs.forEach((s) => s.dispose());
      watch.dispose();
    }
    this.watches.clear();
    this.onClose();
  }

  private send(value: unknown): void {
    if (!this.closed) this.writer.send(value);
  }

  /** Answers with an error, then closes this connection once the answer is written. */
  private refuse(message: string, id: number | null = null): void {
    if (this.closed) return;
    this.daemon.log(`closing a connection: ${message}`);
    const queued = this.writer.flush();
    this.release();
    this.socket.end(queued + encodeFrame({ id, error: encodeError(new LocalEndpointError("DAEMON_PROTOCOL", message)) }));
    // A peer that never reads must not hold the socket open.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private receive(frame: Record<string, unknown>): void {
    if (this.closed) return;
    if (this.handshake !== "done") return this.authenticate(frame);
    const { id, method } = frame;
    if (!Number.isSafeInteger(id) || typeof method !== "string") {
      return this.refuse("a request needs an integer id and a string method", Number.isSafeInteger(id) ? (id as number) : null);
    }
    void this.handle(id as number, method, frame.params);
  }

  private authenticate(frame: Record<string, unknown>): void {
    const secret = this.daemon.secret;
    if (this.handshake === "awaiting-hello") {
      if (frame.hello !== 1 || typeof frame.challenge !== "string" || frame.challenge.length > 100) {
        return this.refuse("expected the handshake's hello first");
      }
      const daemonChallenge = newChallenge();
      this.handshake = { clientChallenge: frame.challenge, daemonChallenge };
      this.send({ challenge: daemonChallenge, proof: proof(secret, "daemon", frame.challenge, daemonChallenge) });
      return;
    }
    if (this.handshake === "done") return;
    const { clientChallenge, daemonChallenge } = this.handshake;
    if (!proofMatches(proof(secret, "client", daemonChallenge, clientChallenge), frame.proof)) {
      return this.refuse("the client failed the handshake");
    }
    this.handshake = "done";
    clearTimeout(this.handshakeTimer);
  }

  private async handle(id: number, method: string, params: unknown): Promise<void> {
    try {
      this.send({ id, result: await this.call(method, params) });
    } catch (err) {
      this.send({ id, error: encodeError(err) });
    }
  }

  private async call(method: string, params: unknown): Promise<unknown> {
    const service = this.daemon.service;
    if (params !== undefined && (typeof params !== "object" || params === null || Array.isArray(params))) {
      throw new LocalEndpointError("DAEMON_PROTOCOL", `params of ${method} must be an object`);
    }
    const p = (params ?? {}) as Record<string, unknown>;
    switch (method) {
      case "hello":
        return { pid: process.pid, fingerprint: this.daemon.fingerprint, outstanding: await this.daemon.outstanding() } satisfies HelloResult;
      case "registerFunction":
        return service.registerFunction(p as never);
      case "submit":
        return service.submit(p as never);
      case "getTaskStatuses":
        return [...(await service.getTaskStatuses(p.taskIds as string[])).values()];
      case "getTaskGroup":
        return service.getTaskGroup(p.taskGroupId as string);
      case "listTasks":
        return service.listTasks(p as LocalTaskQuery);
      case "listTaskGroups":
        return service.listTaskGroups();
      case "getTaskResults":
        return [...(await service.getTaskResults(p.taskIds as string[])).values()].map((e) => ({
          event: encodeResultEvent(e, null),
          details: e.result.details && toTagged(e.result.details),
        }));
      case "getEndpointStatus":
        return service.getEndpointStatus(p.endpointId as string);
      case "cancelTasks":
        return service.cancelTasks(p.taskIds as string[]);
      case "watch":
        return this.watch(p.watch as number, p.taskGroupId as string, p.taskIds);
      case "unwatch":
        return this.unwatch(p.watch as number);
      case "retire":
        this.daemon.retire();
        return null;
      case "shutdown":
        // Answer first, then stop (workers are killed; running tasks are reported restarted next time).
        setImmediate(() => this.daemon.stop("shutdown requested"));
        return null;
      default:
        throw new Error(`unknown method ${method}`);
    }
  }

  /**
   * The client numbers its watches, so it can route events that arrive in the same read as this answer.
   * `taskIds`, when given, are the tasks whose earlier results and states are replayed (else all the group's).
   */
  private watch(id: number, taskGroupId: string, taskIds: unknown): null {
    if (!Number.isInteger(id) || this.watches.has(id)) throw new Error(`invalid watch id ${id}`);
    if (taskIds !== undefined && !(Array.isArray(taskIds) && taskIds.every((t) => typeof t === "string"))) {
      throw new LocalEndpointError("DAEMON_PROTOCOL", "taskIds of watch must be a list of task ids");
    }
    const watch = this.daemon.service.watchResults(taskGroupId, taskIds === undefined ? {} : { pendingTaskIds: () => taskIds as string[] });
    const writer = this.writer;
    const subs = [
      watch.onResult((e) => writer.result(id, e)),
      watch.onStateChange((s) => writer.event(id, { event: "state", state: s.state, reason: s.reason })),
    ];
    // Optional on the interface: forwarded when the service has it.
    if (watch.onTaskState) subs.push(watch.onTaskState((e) => writer.event(id, { event: "taskState", data: encodeTaskState(e) })));
    this.watches.set(id, { watch, subs });
    return null;
  }

  private unwatch(id: number): null {
    const entry = this.watches.get(id);
    this.watches.delete(id);
    entry?.subs.forEach((s) => s.dispose());
    entry?.watch.dispose();
    return null;
  }
}

/** True when something accepts a connection on the socket. */
export function answers(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

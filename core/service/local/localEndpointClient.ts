/**
 * The local endpoint as the extension uses it: a ComputeService that forwards to the local endpoint
 * process (./daemon), started on first use, so tasks keep running and results keep arriving
 * across window reloads. A daemon started with other settings (python, workers, ...) is stopped at once
 * when idle, or asked to retire when its tasks are done (until then it keeps serving). When the daemon
 * goes away, calls in flight fail with DAEMON_LOST and the next call starts a new one; open watches
 * reattach by themselves. dispose() disconnects only: the daemon stays for the next window.
 */
import type { Socket } from "node:net";
import { LocalEndpointError } from "../../local/errors";
import { newChallenge, proof, proofMatches } from "./daemon/daemonAuth";
import { daemonBuild } from "./daemon/daemonBuild";
import type { DaemonPaths } from "./daemon/daemonPaths";
import { encodeFrame, FrameDecoder } from "./daemon/frameDecoder";
import {
  configFingerprint,
  decodeError,
  decodeResultEvent,
  decodeTaskState,
  type DaemonConfig,
  type HelloResult,
  type WireResponse,
  type WireDetails,
  type WireResultEvent,
  type WireWatchBatch,
  type WireWatchEvent,
} from "./daemon/wire";
import type {
  ComputeService,
  EndpointStatus,
  FunctionRegistration,
  ResultEvent,
  ResultWatch,
  SubmitBatchRequest,
  SubmitBatchResponse,
  TaskGroupInfo,
  TaskStatusRecord,
  WatchOptions,
} from "../computeService";
import { SharedResultWatches, type SharedWatchOptions } from "../sharedResultWatches";
import { EmittingResultWatch } from "../emittingResultWatch";
import type { PyDict } from "../../protocol/pyValue";
import { fromTagged } from "../../protocol/tagged";
import type { LocalTaskGroupSummary, LocalTaskHistory, LocalTaskQuery, LocalTaskSummary } from "./localTaskHistory";
import type { LocalTaskControl } from "./localTaskControl";
import { connectOrSpawn, defaultLaunch, logTail, type DaemonLaunch } from "./daemonLauncher";
import { TurnSlicer } from "../../util/turnSlicer";

export interface LocalEndpointClientOptions {
  config: DaemonConfig;
  launch?: DaemonLaunch;
}

export class LocalEndpointClient implements ComputeService, LocalTaskHistory, LocalTaskControl {
  readonly kind = "local" as const;
  private connection: Promise<DaemonConnection> | undefined;
  /** The connection `connection` resolved to, to notice synchronously that it was lost. */
  private live: DaemonConnection | undefined;
  private readonly watches = new Set<RemoteResultWatch>();
  /** Executors watching one group share one daemon watch: each result crosses the socket and is decoded once. */
  private readonly shared = new SharedResultWatches((taskGroupId, options) => this.openWatch(taskGroupId, options));
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private disposed = false;

  constructor(private readonly options: LocalEndpointClientOptions) {}

  /** Connects (starting the daemon if needed) so a start failure surfaces here, as LocalComputeService.create's does. */
  static async connect(options: LocalEndpointClientOptions): Promise<LocalEndpointClient> {
    const client = new LocalEndpointClient(options);
    try {
      await client.connected();
    } catch (err) {
      client.dispose();
      throw err;
    }
    return client;
  }

  /** The daemon's process id (tests). */
  async daemonPid(): Promise<number> {
    return ((await (await this.connected()).call("hello")) as HelloResult).pid;
  }

  async registerFunction(registration: FunctionRegistration): Promise<string> {
    return (await this.call("registerFunction", registration)) as string;
  }

  async submit(request: SubmitBatchRequest): Promise<SubmitBatchResponse> {
    return (await this.call("submit", request)) as SubmitBatchResponse;
  }

  async getTaskStatuses(taskIds: readonly string[]): Promise<Map<string, TaskStatusRecord>> {
    const records = (await this.call("getTaskStatuses", { taskIds })) as TaskStatusRecord[];
    return new Map(records.map((r) => [r.task_id, r]));
  }

  async getTaskGroup(taskGroupId: string): Promise<TaskGroupInfo> {
    return (await this.call("getTaskGroup", { taskGroupId })) as TaskGroupInfo;
  }

  async getEndpointStatus(endpointId: string): Promise<EndpointStatus> {
    return (await this.call("getEndpointStatus", { endpointId })) as EndpointStatus;
  }

  async cancelTasks(taskIds: readonly string[]): Promise<string[]> {
    return (await this.call("cancelTasks", { taskIds })) as string[];
  }

  async listTasks(query: LocalTaskQuery = {}): Promise<LocalTaskSummary[]> {
    return (await this.call("listTasks", query)) as LocalTaskSummary[];
  }

  async listTaskGroups(): Promise<LocalTaskGroupSummary[]> {
    return (await this.call("listTaskGroups")) as LocalTaskGroupSummary[];
  }

  async getTaskResults(taskIds: readonly string[]): Promise<Map<string, ResultEvent>> {
    const entries = (await this.call("getTaskResults", { taskIds })) as { event: WireResultEvent; details: unknown }[];
    return new Map(
      entries.map(({ event, details }) => {
        const e = decodeResultEvent(event, () => undefined);
        return [e.result.task_id, { ...e, result: { ...e.result, details: details == null ? null : (fromTagged(details) as PyDict) } }];
      }),
    );
  }

  watchResults(taskGroupId: string, options: WatchOptions = {}): ResultWatch {
    return this.shared.watch(taskGroupId, options);
  }

  private openWatch(taskGroupId: string, options: SharedWatchOptions): RemoteResultWatch {
    const watch = new RemoteResultWatch(taskGroupId, options, (w) => this.detach(w));
    if (this.disposed) {
      watch.close("the local endpoint client was stopped");
      return watch;
    }
    this.watches.add(watch);
    void this.attach(watch);
    return watch;
  }

  /** Asks the daemon to stop now (tests, "stop local endpoint"); its running tasks are reported restarted next time. */
  async shutdownDaemon(): Promise<void> {
    const connection = await this.connected();
    await connection.call("shutdown");
    await connection.closed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.shared.dispose();
    for (const w of [...this.watches]) w.dispose();
    this.watches.clear();
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
    void this.connection?.then((c) => c.dispose(), () => undefined);
  }

  private async call(method: string, params?: unknown): Promise<unknown> {
    const connection = await this.connected();
    try {
      return await connection.call(method, params);
    } catch (err) {
      // The daemon closed the socket (it retired or idled out) just before the request went out:
      // nothing reached it, so the request goes to the next one. Once only: a new daemon is fresh.
      if (!(err instanceof LocalEndpointError && connection.undelivered.has(err))) throw err;
      return (await this.connected()).call(method, params);
    }
  }

  private connected(): Promise<DaemonConnection> {
    if (this.disposed) return Promise.reject(new LocalEndpointError("DAEMON_LOST", "the local endpoint client was stopped"));
    // The daemon went away: this call starts (or finds) a new one.
    if (this.live?.lost) {
      this.live = undefined;
      this.connection = undefined;
    }
    if (this.connection === undefined) {
      const opening = this.open();
      this.connection = opening;
      // A failed start is not cached: the next call tries again.
      opening.catch(() => {
        if (this.connection === opening) this.connection = undefined;
      });
    }
    return this.connection;
  }

  private async open(): Promise<DaemonConnection> {
    const { config } = this.options;
    const launch = this.options.launch ?? defaultLaunch();
    const build = daemonBuild(launch.entry);
    const wanted = configFingerprint(config, build);
    for (let attempt = 0; ; attempt++) {
      const { socket, secret, paths } = await connectOrSpawn(config, launch, build);
      const connection = new DaemonConnection(socket, paths);
      try {
        await connection.authenticate(secret);
        const hello = (await connection.call("hello")) as HelloResult;
        if (hello.fingerprint === wanted || attempt >= 2) return this.adopt(connection);
        if (hello.outstanding > 0) {
          // Never under running tasks: it serves on with its old settings and exits when they are done.
          await connection.call("retire");
          return this.adopt(connection);
        }
        await connection.call("shutdown");
        await connection.closed;
      } catch (err) {
        connection.dispose();
        if (err instanceof LocalEndpointError && err.code === "DAEMON_AUTH_FAILED") throw err;
        // Reached a daemon just as it exited (idle, retired): the next round starts a new one.
        if (!(err instanceof LocalEndpointError && err.code === "DAEMON_LOST") || attempt >= 2) throw err;
      }
    }
  }

  private adopt(connection: DaemonConnection): DaemonConnection {
    if (this.disposed) connection.dispose();
    this.live = connection;
    void connection.closed.then(() => {
      if (this.disposed) return;
      for (const w of this.watches) if (w.connection === connection) void this.attach(w, "the local endpoint process exited");
    });
    return connection;
  }

  /** (Re)opens the watch on the current daemon; after a few failed attempts the watch closes with the error. */
  private async attach(watch: RemoteResultWatch, lost?: string): Promise<void> {
    if (lost) watch.setState("reconnecting", lost);
    // An attach under way retries by itself when its connection is lost too.
    if (watch.attaching) return;
    watch.attaching = true;
    try {
      await this.attachWithRetries(watch);
    } finally {
      watch.attaching = false;
    }
  }

  private async attachWithRetries(watch: RemoteResultWatch): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        // Sent ahead of any call made after watchResults() (both wait for this connection, in turn): the
        // daemon holds the watch before it creates the tasks of a submission that follows, so their results
        // come live, and only tasks acknowledged before it attached need a replay.
        const connection = await this.connected();
        if (watch.state === "closed") return;
        // Routed before asking: the daemon's first events can arrive in the same read as its answer.
        const id = watch.connect(connection);
        // What it still awaits, as of now (a reattach after a lost connection: all its unsettled tasks).
        const taskIds = watch.awaited.awaitsAnyTask() ? undefined : [...watch.awaited.pendingTaskIds()];
        await connection.call("watch", { watch: id, taskGroupId: watch.taskGroupId, taskIds });
        watch.setState("streaming");
        return;
      } catch (err) {
        if (watch.state === "closed" || this.disposed) return;
        if (attempt >= 3) return watch.close(err instanceof Error ? err.message : String(err));
        await this.delay(300 * attempt);
      }
    }
  }

  /** A pause between retries, cut short (resolved) when the client is disposed. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  private detach(watch: RemoteResultWatch): void {
    this.watches.delete(watch);
  }
}

/** One socket to the daemon: numbered calls and the watch events it streams. */
class DaemonConnection {
  private nextId = 1;
  private nextWatchId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** The handshake's step waiting for the daemon's answer. */
  private handshakeReply: ((frame: Record<string, unknown>) => void) | undefined;
  private readonly watchHandlers = new Map<number, (e: WireWatchEvent) => void>();
  /** The workers' `details` dicts the daemon sent, by reference (wire.ts). */
  private readonly details = new Map<number, PyDict>();
  private lostReason: string | undefined;
  /** Errors of calls whose request could not be written at all (safe to send again elsewhere). */
  readonly undelivered = new WeakSet<object>();
  /** Resolves when the socket closed, for whatever reason. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly paths: DaemonPaths,
  ) {
    // Frames and each event of a watch batch run a few milliseconds per turn (a read can hold many 2,000-item
    // map chunks); the socket is not read meanwhile, so the backlog stays in the kernel's buffer.
    const slicer = new TurnSlicer({ onBacklog: (waiting) => (waiting ? socket.pause() : socket.resume()) });
    const decoder = new FrameDecoder(
      (frame) => {
        const batch = frame as Partial<WireWatchBatch>;
        if (typeof batch.watch === "number" && Array.isArray(batch.events)) {
          const watch = batch.watch;
          for (const e of batch.events) slicer.run(() => this.watchHandlers.get(watch)?.(e));
        } else slicer.run(() => this.receive(frame));
      },
      (err) => this.fail(`the local endpoint process sent an unreadable frame (${err.message})`),
    );
    socket.on("data", (chunk: Buffer) => decoder.push(chunk));
    socket.on("error", (err) => this.fail(err.message));
    // After the frames read before it: a call's answer that arrived is not lost to the close.
    this.closed = new Promise((resolve) => socket.once("close", () => slicer.run(resolve)));
    void this.closed.then(() => this.fail("the connection closed"));
  }

  /**
   * Proves the peer is our daemon before anything else is sent (daemonAuth.ts): only a random challenge
   * goes out until its proof checks out. DAEMON_AUTH_FAILED otherwise, and the socket is closed.
   */
  async authenticate(secret: Buffer, timeoutMs = 10_000): Promise<void> {
    const challenge = newChallenge();
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.handshakeReply = resolve;
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      void this.closed.then(() => reject(new Error(this.lostReason ?? "the connection closed")));
    });
    this.socket.write(encodeFrame({ hello: 1, challenge }));
    let answer: Record<string, unknown>;
    try {
      answer = await reply;
    } catch (err) {
      this.dispose();
      throw new LocalEndpointError("DAEMON_AUTH_FAILED", `The process on ${this.socket.remoteAddress ?? "the local endpoint socket"} did not complete the handshake (${(err as Error).message}); nothing was sent to it.`, { cause: err });
    } finally {
      clearTimeout(timer);
      this.handshakeReply = undefined;
    }
    const daemonChallenge = answer.challenge;
    if (typeof daemonChallenge !== "string" || !proofMatches(proof(secret, "daemon", challenge, daemonChallenge), answer.proof)) {
      this.dispose();
      throw new LocalEndpointError("DAEMON_AUTH_FAILED", "The process on the local endpoint socket could not prove it is this user's local endpoint; nothing was sent to it.");
    }
    this.socket.write(encodeFrame({ proof: proof(secret, "client", daemonChallenge, challenge) }));
  }

  call(method: string, params?: unknown): Promise<unknown> {
    if (this.lostReason !== undefined) return Promise.reject(this.lostError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A failed write reports here before the socket's 'error' fails the other calls: the daemon
      // reads whole lines only, so a request that was not written in full was never seen.
      this.socket.write(encodeFrame({ id, method, params }), (err) => {
        if (!err || !this.pending.delete(id)) return;
        this.lostReason ??= `write ${(err as NodeJS.ErrnoException).code ?? err.message}`;
        const lost = this.lostError();
        this.undelivered.add(lost);
        reject(lost);
      });
    });
  }

  get lost(): boolean {
    return this.lostReason !== undefined;
  }

  /** A new watch id whose events go to `handler`. */
  onWatch(handler: (e: WireWatchEvent) => void): number {
    const id = this.nextWatchId++;
    this.watchHandlers.set(id, handler);
    return id;
  }

  unwatch(id: number): void {
    this.watchHandlers.delete(id);
    if (this.lostReason === undefined) this.call("unwatch", { watch: id }).catch(() => undefined);
  }

  detailsOf(ref: number): PyDict | undefined {
    return this.details.get(ref);
  }

  dispose(): void {
    this.lostReason ??= "the local endpoint client was stopped";
    this.socket.destroy();
  }

  private receive(frame: Record<string, unknown>): void {
    if (this.handshakeReply) return this.handshakeReply(frame);
    const msg = frame as unknown as WireResponse & Partial<WireWatchBatch & WireDetails>;
    if (typeof msg.watch === "number") return; // a watch batch without events
    if (typeof msg.details === "number") {
      try {
        this.details.set(msg.details, fromTagged(msg.value) as PyDict);
      } catch (err) {
        this.fail(`the local endpoint process sent unreadable details (${(err as Error).message})`);
      }
      return;
    }
    // The daemon refused the connection (it names the reason): every call fails with it.
    if (msg.id === null && msg.error) return this.fail(msg.error.message);
    const call = this.pending.get(msg.id as number);
    if (!call) return;
    this.pending.delete(msg.id as number);
    if (msg.error) call.reject(decodeError(msg.error));
    else call.resolve(msg.result);
  }

  private fail(reason: string): void {
    this.lostReason ??= reason;
    this.socket.destroy();
    const err = this.lostError();
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
  }

  private lostError(): LocalEndpointError {
    return new LocalEndpointError(
      "DAEMON_LOST",
      `Lost the local endpoint process (${this.lostReason}); the next request starts a new one.${logTail(this.paths, 5)}`,
    );
  }
}

class RemoteResultWatch extends EmittingResultWatch {
  /** The daemon connection and its id for this watch, while attached. */
  connection: DaemonConnection | undefined;
  /** LocalEndpointClient.attach is under way. */
  attaching = false;
  private remoteId: number | undefined;

  constructor(
    taskGroupId: string,
    /** The tasks its watchers await, replayed when they finished before the watch attached. */
    readonly awaited: Pick<SharedWatchOptions, "pendingTaskIds" | "awaitsAnyTask">,
    private readonly onDetach: (w: RemoteResultWatch) => void,
  ) {
    super(taskGroupId, "connecting");
  }

  /** Routes the connection's events for a new watch id here; returns the id. */
  connect(connection: DaemonConnection): number {
    this.connection = connection;
    this.remoteId = connection.onWatch((e) => this.receive(e));
    return this.remoteId;
  }

  private receive(e: WireWatchEvent): void {
    if (this.state === "closed") return;
    try {
      if (e.event === "result") this.emitResult(decodeResultEvent(e.data, (ref) => this.connection?.detailsOf(ref)));
      else if (e.event === "taskState") this.emitTaskState(decodeTaskState(e.data));
      else if (e.state === "closed") this.close(e.reason ?? "the local endpoint closed the watch");
    } catch (err) {
      this.close(`unreadable event from the local endpoint: ${(err as Error).message}`);
    }
  }

  protected detach(): void {
    if (this.connection && this.remoteId !== undefined) this.connection.unwatch(this.remoteId);
    this.connection = undefined;
    this.onDetach(this);
  }
}

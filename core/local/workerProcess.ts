/**
 * One persistent Python worker (worker.py): spawns it, waits until it is ready, hands it tasks over
 * the private frame channel and reports what it says and how it ended.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, fstatSync, openSync, readSync, rmSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { ResultData, TaskTransition } from "../protocol/messages";
import { SDK_VERSION } from "../service/sdkVersion";
import { Emitter, type Event } from "../util/event";
import type { Disposable } from "../util/disposable";
import { LocalEndpointError } from "./errors";
import { FrameChannel } from "./frameChannel";
import { currentUid } from "./privateFiles";

export interface WorkerSpawnOptions {
  python: string;
  script: string;
  /** Path prefix of the worker's capture files (`.stdout`, `.stderr`). */
  capturePrefix: string;
  endpointId: string | null;
  resultSizeLimit: number;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  startTimeoutMs: number;
}

/** `details` of every Result from this worker: os, dill_version, python_version, sdk version, endpoint_id. */
export type WorkerDetails = Record<string, string | null>;

export interface WorkerTask {
  taskId: string;
  taskBuffer: string;
  resultSerializers?: readonly string[];
}

/** The worker's Result, before the pool attaches `details`, with what the task printed. */
export interface WorkerResult {
  result: Omit<ResultData, "details">;
  stdout: string;
  stderr: string;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How much captured output is read back from a dead worker's files (as the worker itself does). */
const CAPTURE_LIMIT = 1024 * 1024;
/** How much of the worker's own stderr (outside tasks) is kept to explain a failed start. */
const LOG_TAIL = 4096;
/**
 * How long after its exit a worker's last frames may take to arrive: its result pipe is read to its end
 * first, but a process its task forked (and left running) may hold that pipe open.
 */
const DRAIN_CAP_MS = 1000;

/**
 * Run by the interpreter before worker.py, in any Python: one too old to parse worker.py (2.7: a
 * SyntaxError) says what it is instead. Then worker.py runs as `python worker.py` would run it, with
 * its directory first on sys.path where that puts it (never the working directory, as `-c` would).
 */
const LAUNCHER = [
  "import sys",
  "if sys.version_info < (3, 8):",
  "    sys.stderr.write('the Globus Compute local endpoint needs Python 3.8 or newer; %s is Python %s\\n' % (sys.executable, sys.version.split()[0]))",
  "    sys.exit(3)",
  "del sys.argv[0]",
  // Before any import: `-c` puts the working directory (a workspace, maybe with a planted runpy.py) first.
  "if sys.path and sys.path[0] == '':",
  "    del sys.path[0]",
  "    import os",
  "    sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))",
  "import runpy",
  "runpy.run_path(sys.argv[0], run_name='__main__')",
].join("\n");

export class WorkerProcess implements Disposable {
  private readonly startEmitter = new Emitter<{ taskId: string; timestampNs: bigint }>();
  private readonly resultEmitter = new Emitter<WorkerResult>();
  /** The worker began executing a task (its `execution-start`). */
  readonly onStart: Event<{ taskId: string; timestampNs: bigint }> = this.startEmitter.event;
  readonly onResult: Event<WorkerResult> = this.resultEmitter.event;
  private disposed = false;
  private killedByHost = false;
  /** Why the host stopped this worker, when something the worker did made it stop it. */
  private stopReason: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: FrameChannel,
    readonly pid: number,
    readonly details: WorkerDetails,
    private readonly capturePrefix: string,
    /**
     * Settles once when the process has ended, for whatever reason, and every frame it wrote was
     * delivered: a result written just before it died is reported as that task's result, not lost.
     */
    readonly exited: Promise<WorkerExit>,
  ) {
    channel.onFrame((frame) => this.handleFrame(frame as WorkerFrame));
    // A worker that sends garbage cannot be trusted with more tasks.
    channel.onError((err) => this.kill(err.message));
  }

  static async spawn(options: WorkerSpawnOptions): Promise<WorkerProcess> {
    const args = [
      ...["-c", LAUNCHER],
      options.script,
      ...["--capture-prefix", options.capturePrefix],
      ...["--result-size-limit", String(options.resultSizeLimit)],
      ...["--sdk-version", SDK_VERSION],
    ];
    if (options.endpointId !== null) args.push("--endpoint-id", options.endpointId);
    const child = spawn(options.python, args, {
      // fd 3: host -> worker, fd 4: worker -> host. stdin is closed so input() fails instead of hanging.
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
      // Its own process group, so a kill takes whatever user code spawned along with it.
      detached: true,
      env: options.env,
      cwd: options.cwd,
    });
    const exited = exitedAndDrained(child, child.stdio[4] as Readable);
    let logTail = "";
    const keepTail = (chunk: Buffer) => (logTail = (logTail + chunk.toString("utf8")).slice(-LOG_TAIL));
    child.stdout?.on("data", keepTail);
    child.stderr?.on("data", keepTail);
    if (child.pid !== undefined) trackGroup(child.pid);
    void exited.then(() => child.pid !== undefined && untrackGroup(child.pid));

    const channel = new FrameChannel(child.stdio[4] as Readable, child.stdio[3] as Writable);
    try {
      const ready = await waitForReady(child, channel, exited, options, () => logTail);
      return new WorkerProcess(child, channel, ready.pid, ready.details, options.capturePrefix, exited);
    } catch (err) {
      channel.dispose();
      killGroup(child);
      removeCaptureFiles(options.capturePrefix);
      throw err;
    }
  }

  runTask(task: WorkerTask): void {
    this.channel.send({
      type: "task",
      task_id: task.taskId,
      task_buffer: task.taskBuffer,
      result_serializers: task.resultSerializers ?? null,
    });
  }

  /** What the task in progress printed so far: read from the capture files, e.g. after a crash. */
  readCapturedOutput(): { stdout: string; stderr: string } {
    return { stdout: readHead(`${this.capturePrefix}.stdout`), stderr: readHead(`${this.capturePrefix}.stderr`) };
  }

  /**
   * Kills the worker and everything it started (SIGKILL to its process group). `reason`: the host
   * stopped a worker it can no longer trust (see `stoppedBecause`).
   */
  kill(reason?: string): void {
    this.killedByHost = true;
    this.stopReason ??= reason;
    killGroup(this.child);
  }

  /** The host killed it: what it still sends is about tasks the host has already settled. */
  get killed(): boolean {
    return this.killedByHost;
  }

  /** Why the host killed it, when something the worker did made it. */
  get stoppedBecause(): string | undefined {
    return this.stopReason;
  }

  /** Neither ended nor killed: it can take tasks (a worker that ended may still deliver its last frames). */
  get usable(): boolean {
    return !this.killedByHost && this.child.exitCode === null && this.child.signalCode === null;
  }

  private handleFrame(frame: WorkerFrame): void {
    if (frame.type === "start") {
      this.startEmitter.fire({ taskId: frame.task_id, timestampNs: BigInt(frame.timestamp) });
    } else if (frame.type === "result") {
      this.resultEmitter.fire({
        result: {
          task_id: frame.task_id,
          data: frame.data,
          error_details: frame.error_details,
          task_statuses: frame.task_statuses.map(
            (t): TaskTransition => ({ timestamp: BigInt(t.timestamp), state: t.state, actor: t.actor }),
          ),
        },
        stdout: frame.stdout,
        stderr: frame.stderr,
      });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.kill();
    this.channel.dispose();
    this.startEmitter.dispose();
    this.resultEmitter.dispose();
    removeCaptureFiles(this.capturePrefix);
  }
}

/** Names how a worker ended, for error texts: "exited with code 3", "was killed by signal SIGSEGV". */
export function describeExit(exit: WorkerExit): string {
  return exit.signal !== null ? `was killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
}

interface ReadyFrame {
  type: "ready";
  pid: number;
  details: WorkerDetails;
}

type WorkerFrame =
  | ReadyFrame
  | { type: "start"; task_id: string; timestamp: string }
  | {
      type: "result";
      task_id: string;
      data: string;
      error_details: { code: string; user_message: string } | null;
      task_statuses: { timestamp: string; state: string; actor: string }[];
      stdout: string;
      stderr: string;
    };

function waitForReady(
  child: ChildProcess,
  channel: FrameChannel,
  exited: Promise<WorkerExit>,
  options: WorkerSpawnOptions,
  logTail: () => string,
): Promise<ReadyFrame> {
  const where = `Python interpreter "${options.python}"`;
  let timer: NodeJS.Timeout | undefined;
  let subscription: Disposable | undefined;
  return new Promise<ReadyFrame>((resolve, reject) => {
    timer = setTimeout(() => {
      const message = `${where} did not start the local endpoint worker within ${options.startTimeoutMs} ms`;
      reject(new LocalEndpointError("WORKER_START_TIMEOUT", message + tail(logTail())));
    }, options.startTimeoutMs);
    subscription = channel.onFrame((frame) => {
      if ((frame as WorkerFrame).type === "ready") resolve(frame as ReadyFrame);
    });
    child.once("error", (err: NodeJS.ErrnoException) => {
      const missing = err.code === "ENOENT" || err.code === "EACCES";
      const message = `${where} cannot be run (${err.code ?? err.message}); set the interpreter to a Python 3.8+ executable`;
      reject(new LocalEndpointError(missing ? "PYTHON_NOT_FOUND" : "WORKER_START_FAILED", message, { cause: err }));
    });
    void exited.then((exit) => {
      const message = `${where} ${describeExit(exit)} before the local endpoint worker was ready`;
      reject(new LocalEndpointError("WORKER_START_FAILED", message + tail(logTail())));
    });
  }).finally(() => {
    clearTimeout(timer);
    subscription?.dispose();
  });
}

/** The exit, once the result pipe reached its end too (or DRAIN_CAP_MS after the exit). */
function exitedAndDrained(child: ChildProcess, input: Readable): Promise<WorkerExit> {
  const drained = new Promise<void>((resolve) => {
    input.once("end", resolve);
    input.once("close", resolve);
  });
  return new Promise<WorkerExit>((resolve) =>
    child.once("exit", (code, signal) => {
      const timer = setTimeout(settle, DRAIN_CAP_MS);
      void drained.then(settle);
      function settle(): void {
        clearTimeout(timer);
        resolve({ code, signal });
      }
    }),
  );
}

function tail(log: string): string {
  const text = log.trim();
  return text ? `: ${text}` : "";
}

/**
 * The start of a capture file. Never through a link, never from a FIFO or device (opening one would
 * block the daemon), and never from a file that is not the user's own: the directory sits in the temp
 * dir, where on a badly shared one someone else could swap it.
 */
function readHead(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return "";
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (currentUid() >= 0 && st.uid !== currentUid())) return "";
    const buf = Buffer.alloc(CAPTURE_LIMIT);
    const n = readSync(fd, buf, 0, CAPTURE_LIMIT, 0);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function removeCaptureFiles(prefix: string): void {
  for (const ext of [".stdout", ".stderr"]) rmSync(prefix + ext, { force: true });
}

// Last-resort owner: if the host exits without disposing its pools, no worker may outlive it. A host
// killed outright is covered by the worker itself, which exits when its channel closes; but that needs
// the worker's watchdog thread to get the GIL, which a long C call in user code can hold, so a host that
// exits normally kills the groups itself.
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => liveGroups.forEach((p) => killPid(p)));
  }
}

function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}

function killGroup(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) killPid(child.pid);
}

function killPid(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

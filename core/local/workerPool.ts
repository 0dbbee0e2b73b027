/**
 * The local endpoint's pool of persistent Python workers: queues tasks, runs one per idle worker,
 * enforces per-task timeouts and replaces any worker that dies, so that a crash fails only its task.
 */
import { existsSync, lstatSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { ErrorDetails, ResultData, TaskTransition } from "../protocol/messages";
import { PyDict } from "../protocol/pyValue";
import type { Disposable } from "../util/disposable";
import { Emitter, type Event } from "../util/event";
import { LocalEndpointError, TaskFailureCode } from "./errors";
import { privacyProblem } from "./privateFiles";
import { absoluteEntries, findExecutable, withoutWorkingDirOnPaths } from "./searchPaths";
import { nowNs } from "./wallClock";
import { describeExit, WorkerProcess, type WorkerExit, type WorkerSpawnOptions } from "./workerProcess";

export interface WorkerPoolOptions {
  /** Python interpreter (a bare name is looked up in the absolute entries of PATH); default `/usr/bin/python3` when present, else `python3`. */
  python?: string;
  /** Number of worker processes; default the number of cores. */
  workers?: number;
  /** Reported as `details.endpoint_id` in every Result. */
  endpointId?: string;
  /** Extra environment variables for the workers, on top of this process's environment. */
  env?: Record<string, string>;
  /** Working directory of the workers (user code's relative paths); default this process's. */
  cwd?: string;
  /** Results whose serialized form is longer are failed with `MaxResultSizeExceeded`; default 10 MiB. */
  resultSizeLimit?: number;
  /** How long a worker may take to start; default 10 s. */
  startTimeoutMs?: number;
  /** Path of worker.py; default the one next to this module (a bundle must ship it alongside). */
  workerScript?: string;
  /**
   * Tasks sent ahead to each busy worker, so it starts the next one without a round trip to the host
   * and frames travel in batches (throughput under deep queues). A task sent ahead can no longer be
   * cancelled; its timeout starts when its worker reaches it; if the worker dies first it is queued
   * again. Default 0: a worker only receives a task when it is idle. `"auto"`: deep (up to 32) while
   * tasks are short, as many as fit in about 10 ms of recent run time (so a map's chunks of a few ms
   * each go out together and a worker never waits on the host between them), none once tasks take
   * longer, so a long task never holds back more than ~10 ms of work queued behind it while another
   * worker idles.
   */
  prefetch?: number | "auto";
}

/** "auto" prefetch: at most this deep, and only as many tasks as fit in AUTO_PREFETCH_MS of recent run time. */
const AUTO_PREFETCH_MAX = 32;
const AUTO_PREFETCH_MS = 10;
/** Run time assumed before any task finished: a deep prefetch from the start. */
const INITIAL_RUN_MS = 1;

export interface TaskRequest {
  taskId: string;
  /** `function_code + payload`: three packed buffers (protocol.md §5.3). */
  taskBuffer: string;
  /** Import paths of result serialization strategies, tried in order (protocol.md §5.6). */
  resultSerializers?: readonly string[];
  /** Kill the worker and fail the task with `TaskTimeout` after this long running. */
  timeoutMs?: number;
}

export interface WorkerOutcome {
  result: ResultData;
  stdout: string;
  stderr: string;
  completedAtNs: bigint;
}

export interface TaskRun {
  readonly taskId: string;
  /** Always resolves: failures are error Results, as a real endpoint reports them. */
  readonly result: Promise<WorkerOutcome>;
  /** Removes the task if it is still queued (it then ends as `TaskCancelled`); false once it runs. */
  cancel(): boolean;
}

export interface PoolStats {
  total: number;
  idle: number;
  busy: number;
  queued: number;
}

const RESULT_SIZE_LIMIT = 10 * 1024 * 1024;
const MIN_RESULT_SIZE_LIMIT = 128; // upstream refuses smaller limits
const RESPAWN_BACKOFF_MS = [250, 1000, 5000, 30000];

interface Job {
  readonly request: TaskRequest;
  readonly settle: (outcome: WorkerOutcome) => void;
  state: "queued" | "running" | "done";
  startedNs?: bigint;
  timer?: NodeJS.Timeout;
}

export class WorkerPool implements Disposable {
  private readonly startEmitter = new Emitter<string>();
  /** A task began executing in a worker; the argument is its task id. */
  readonly onDidStart: Event<string> = this.startEmitter.event;
  private readonly startAtEmitter = new Emitter<{ taskId: string; timestampNs: bigint }>();
  /** The same, with the worker's own `execution-start` time (for timelines shown while the task runs). */
  readonly onDidStartAt: Event<{ taskId: string; timestampNs: bigint }> = this.startAtEmitter.event;

  private readonly workers = new Set<WorkerProcess>();
  private readonly idle: WorkerProcess[] = [];
  /** Each busy worker's tasks in the order it runs them: the first is running, the rest sent ahead. */
  private readonly busy = new Map<WorkerProcess, Job[]>();
  private readonly queue: Job[] = [];
  private spawning = 0;
  private respawnFailures = 0;
  private respawnTimer: NodeJS.Timeout | undefined;
  private lastSpawnError: Error | undefined;
  private nextWorkerNumber = 0;
  private disposed = false;
  /** Moving average of recent tasks' run time in the worker, for "auto" prefetch. */
  private averageRunMs = INITIAL_RUN_MS;

  private constructor(
    private readonly size: number,
    private readonly prefetchOption: number | "auto",
    private readonly spawnOptions: Omit<WorkerSpawnOptions, "capturePrefix">,
    private captureDir: string,
  ) {}

  static async start(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const size = options.workers ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1) {
      throw new LocalEndpointError("INVALID_OPTIONS", `workers must be a positive integer, got ${options.workers}`);
    }
    if (options.cwd !== undefined && !isDirectory(options.cwd)) {
      // Checked here: spawn would report a missing cwd as ENOENT, as if the interpreter were missing.
      throw new LocalEndpointError("INVALID_OPTIONS", `cwd ${options.cwd} is not a directory`);
    }
    const prefetch = options.prefetch ?? 0;
    if (prefetch !== "auto" && (!Number.isInteger(prefetch) || prefetch < 0)) {
      throw new LocalEndpointError("INVALID_OPTIONS", `prefetch must be a non-negative integer, got ${options.prefetch}`);
    }
    const resultSizeLimit = options.resultSizeLimit ?? RESULT_SIZE_LIMIT;
    if (!Number.isInteger(resultSizeLimit) || resultSizeLimit < MIN_RESULT_SIZE_LIMIT) {
      throw new LocalEndpointError("INVALID_OPTIONS", `resultSizeLimit must be an integer >= ${MIN_RESULT_SIZE_LIMIT}`);
    }
    // UTF-8 whatever the locale, so printing non-ASCII never fails in user code.
    const env = withoutWorkingDirOnPaths({ ...process.env, PYTHONIOENCODING: "utf-8", ...options.env });
    const pool = new WorkerPool(
      size,
      prefetch,
      {
        python: interpreterPath(options.python ?? defaultPython(), env),
        script: options.workerScript ?? join(__dirname, "worker.py"),
        endpointId: options.endpointId ?? null,
        resultSizeLimit,
        env,
        cwd: options.cwd,
        startTimeoutMs: options.startTimeoutMs ?? 10_000,
      },
      newCaptureDir(),
    );
    const started = await Promise.allSettled(Array.from({ length: size }, () => pool.spawnWorker()));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      pool.dispose();
      throw failed.reason;
    }
    return pool;
  }

  get stats(): PoolStats {
    let sentAhead = 0;
    for (const jobs of this.busy.values()) sentAhead += jobs.length - 1;
    return { total: this.workers.size, idle: this.idle.length, busy: this.busy.size, queued: this.queue.length + sentAhead };
  }

  /** Process ids of the live workers (each also leads a process group holding what user code spawned). */
  get workerPids(): number[] {
    return [...this.workers].map((w) => w.pid);
  }

  run(request: TaskRequest): TaskRun {
    if (this.disposed) throw new LocalEndpointError("POOL_DISPOSED", "the local endpoint worker pool was disposed");
    if (typeof request.taskId !== "string" || typeof request.taskBuffer !== "string") {
      throw new LocalEndpointError("INVALID_OPTIONS", "taskId and taskBuffer must be strings");
    }
    const { timeoutMs } = request;
    if (timeoutMs !== undefined && !(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      throw new LocalEndpointError("INVALID_OPTIONS", `timeoutMs must be a positive number, got ${timeoutMs}`);
    }
    let settle!: (outcome: WorkerOutcome) => void;
    const result = new Promise<WorkerOutcome>((resolve) => (settle = resolve));
    const job: Job = { request, state: "queued", settle: (outcome) => this.finish(job, outcome, settle) };
    this.queue.push(job);
    if (this.workers.size === 0 && this.spawning === 0 && this.lastSpawnError) this.failQueued(this.lastSpawnError);
    else this.dispatch();
    return {
      taskId: request.taskId,
      result,
      cancel: () => {
        const i = this.queue.indexOf(job);
        if (i < 0) return false;
        this.queue.splice(i, 1);
        job.settle(this.failure(job, TaskFailureCode.cancelled, "TaskCancelled: the task was cancelled before it started", "task cancelled"));
        return true;
      },
    };
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.shift()!;
      const job = this.queue.shift()!;
      this.busy.set(worker, [job]);
      this.startClock(worker, job);
      this.send(worker, job);
    }
    const prefetch = this.prefetch();
    if (prefetch === 0 || this.queue.length === 0) return;
    // Then top up the busy workers down to half their prefetch, one task each in turn so the queue
    // spreads evenly: waiting for half makes each top-up one batch, one write and one wake-up.
    const low = 1 + Math.floor(prefetch / 2);
    if (!this.anyBusyAtOrBelow(low)) return; // the common case after each result: nothing to top up
    const topUp = [...this.busy].filter(([, jobs]) => jobs.length <= low);
    for (let depth = 2; depth <= 1 + prefetch && this.queue.length > 0; depth++) {
      for (const [worker, jobs] of topUp) {
        if (this.queue.length === 0) return;
        if (jobs.length < depth) {
          const job = this.queue.shift()!;
          jobs.push(job);
          this.send(worker, job);
        }
      }
    }
  }

  private prefetch(): number {
    if (this.prefetchOption !== "auto") return this.prefetchOption;
    return Math.min(AUTO_PREFETCH_MAX, Math.floor(AUTO_PREFETCH_MS / Math.max(this.averageRunMs, 1e-3)));
  }

  /** Folds a finished task's run time (from its worker's execution-start/-end) into the average. */
  private noteRunTime(statuses: readonly TaskTransition[] | null): void {
    if (this.prefetchOption !== "auto" || !statuses || statuses.length < 2) return;
    const ms = Number(statuses[statuses.length - 1].timestamp - statuses[0].timestamp) / 1e6;
    // Quick to notice long tasks (weight 1/2 up), slower to trust short ones again (1/16 down).
    this.averageRunMs += (ms - this.averageRunMs) * (ms > this.averageRunMs ? 0.5 : 1 / 16);
  }

  private anyBusyAtOrBelow(depth: number): boolean {
    for (const jobs of this.busy.values()) if (jobs.length <= depth) return true;
    return false;
  }

  private send(worker: WorkerProcess, job: Job): void {
    job.state = "running";
    worker.runTask(job.request);
  }

  /** Starts a task's time limit when its worker reaches it. */
  private startClock(worker: WorkerProcess, job: Job): void {
    const { timeoutMs } = job.request;
    if (timeoutMs !== undefined) job.timer = setTimeout(() => this.timeOut(worker, job, timeoutMs), timeoutMs);
  }

  /** Takes back the tasks sent ahead to a worker that is going away: they never started. */
  private requeueSentAhead(jobs: Job[]): void {
    for (const job of jobs) job.state = "queued";
    this.queue.unshift(...jobs);
  }

  private timeOut(worker: WorkerProcess, job: Job, timeoutMs: number): void {
    const jobs = this.busy.get(worker);
    if (jobs?.[0] !== job) return;
    this.busy.delete(worker);
    this.requeueSentAhead(jobs.slice(1));
    const output = worker.readCapturedOutput();
    const seconds = timeoutMs / 1000;
    job.settle({
      ...this.failure(
        job,
        TaskFailureCode.timeout,
        `TaskTimeout: the task ran longer than its ${seconds} s limit; worker process ${worker.pid} was killed`,
        `task exceeded its ${seconds} s time limit`,
        worker,
      ),
      ...output,
    });
    // Its exit handler replaces it.
    worker.kill();
  }

  private async spawnWorker(): Promise<void> {
    this.spawning++;
    this.ensureCaptureDir();
    const capturePrefix = join(this.captureDir, `worker-${this.nextWorkerNumber++}`);
    let worker: WorkerProcess;
    try {
      worker = await WorkerProcess.spawn({ ...this.spawnOptions, capturePrefix });
    } finally {
      this.spawning--;
    }
    if (this.disposed) {
      worker.dispose();
      return;
    }
    this.workers.add(worker);
    worker.onStart(({ taskId, timestampNs }) => {
      const job = this.busy.get(worker)?.[0];
      if (job?.request.taskId !== taskId) return;
      job.startedNs = timestampNs;
      this.startEmitter.fire(taskId);
      this.startAtEmitter.fire({ taskId, timestampNs });
    });
    worker.onResult(({ result, stdout, stderr }) => {
      const jobs = this.busy.get(worker);
      const job = jobs?.[0];
      if (jobs === undefined || job?.request.taskId !== result.task_id) return;
      jobs.shift();
      this.noteRunTime(result.task_statuses);
      if (jobs.length > 0) this.startClock(worker, jobs[0]);
      else {
        this.busy.delete(worker);
        this.idle.push(worker);
      }
      // Not `{ ...result, details }`: V8 would give every result kept in the store a hidden class of its own (~250 B each).
      const { task_id, data, error_details, task_statuses } = result;
      job.settle({ result: { task_id, data, error_details, task_statuses, details: detailsOf(worker) }, stdout, stderr, completedAtNs: nowNs() });
      this.dispatch();
    });
    void worker.exited.then((exit) => this.onWorkerExit(worker, exit));
    this.idle.push(worker);
    this.dispatch();
  }

  private onWorkerExit(worker: WorkerProcess, exit: WorkerExit): void {
    this.workers.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    const [job, ...sentAhead] = this.busy.get(worker) ?? [];
    this.busy.delete(worker);
    const output = worker.readCapturedOutput();
    worker.dispose();
    if (this.disposed) return;
    this.requeueSentAhead(sentAhead);
    if (job) {
      const how = describeExit(exit);
      job.settle({
        ...this.failure(
          job,
          TaskFailureCode.workerLost,
          `WorkerLost: worker process ${worker.pid} ${how} while running this task`,
          `worker process ${how}`,
          worker,
        ),
        ...output,
      });
    }
    this.replaceWorkers();
    this.dispatch();
  }

  /** Brings the pool back to its size; retries with backoff while the interpreter cannot start. */
  private replaceWorkers(): void {
    if (this.disposed || this.respawnTimer) return;
    const missing = this.size - this.workers.size - this.spawning;
    for (let k = 0; k < missing; k++) {
      this.spawnWorker().then(
        () => {
          this.respawnFailures = 0;
          this.lastSpawnError = undefined;
        },
        (err: Error) => {
          if (this.disposed) return;
          this.lastSpawnError = err;
          if (this.workers.size === 0 && this.spawning === 0) this.failQueued(err);
          const delay = RESPAWN_BACKOFF_MS[Math.min(this.respawnFailures++, RESPAWN_BACKOFF_MS.length - 1)];
          this.respawnTimer ??= setTimeout(() => {
            this.respawnTimer = undefined;
            this.replaceWorkers();
          }, delay);
        },
      );
    }
  }

  private failQueued(err: Error): void {
    for (const job of this.queue.splice(0)) {
      job.settle(
        this.failure(job, TaskFailureCode.workerStartFailed, `WorkerStartFailed: ${err.message}`, "no worker could be started"),
      );
    }
  }

  private finish(job: Job, outcome: WorkerOutcome, resolve: (o: WorkerOutcome) => void): void {
    if (job.state === "done") return;
    job.state = "done";
    clearTimeout(job.timer);
    resolve(outcome);
  }

  /** An error Result made by the pool, shaped like the endpoint's own (protocol.md §6). */
  private failure(job: Job, code: string, data: string, reason: string, worker?: WorkerProcess): WorkerOutcome {
    const completedAtNs = nowNs();
    const statuses: TaskTransition[] = [];
    if (job.startedNs !== undefined) {
      statuses.push({ timestamp: job.startedNs, state: "execution-start", actor: "worker" });
      statuses.push({ timestamp: completedAtNs, state: "execution-end", actor: "manager" });
    }
    const errorDetails: ErrorDetails = { code, user_message: `remote error: ${reason}` };
    return {
      result: {
        task_id: job.request.taskId,
        data,
        details: worker ? detailsOf(worker) : null,
        error_details: errorDetails,
        task_statuses: statuses.length > 0 ? statuses : null,
      },
      stdout: "",
      stderr: "",
      completedAtNs,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.respawnTimer);
    const stopped = (job: Job) =>
      job.settle(this.failure(job, TaskFailureCode.stopped, "EndpointStopped: the local endpoint was stopped", "endpoint stopped"));
    this.queue.splice(0).forEach(stopped);
    for (const jobs of this.busy.values()) jobs.forEach(stopped);
    this.busy.clear();
    for (const worker of this.workers) worker.dispose();
    this.workers.clear();
    this.idle.length = 0;
    this.startEmitter.dispose();
    this.startAtEmitter.dispose();
    for (const dir of [this.captureDir, ...this.abandonedCaptureDirs]) removeCaptureDir(dir);
  }

  private readonly abandonedCaptureDirs: string[] = [];

  /**
   * The capture directory, made again if it is no longer this user's private one: in a temp dir without
   * the sticky bit, another user can rename it and put their own (or links) in its place.
   */
  private ensureCaptureDir(): void {
    try {
      if (privacyProblem(lstatSync(this.captureDir), "directory") === undefined) return;
    } catch {
      // gone (a temp cleaner): make a new one
    }
    this.abandonedCaptureDirs.push(this.captureDir);
    this.captureDir = newCaptureDir();
  }
}

function newCaptureDir(): string {
  return mkdtempSync(join(tmpdir(), "gc-local-endpoint-"));
}

/** Removes a capture directory, but only one that is still ours (never what someone put in its place). */
function removeCaptureDir(dir: string): void {
  try {
    if (privacyProblem(lstatSync(dir), "directory") === undefined) rmSync(dir, { recursive: true, force: true });
  } catch {
    // already gone
  }
}

/** One `details` dict per worker, shared by its Results (nobody mutates a Result's details). */
const detailsByWorker = new WeakMap<WorkerProcess, PyDict>();

function detailsOf(worker: WorkerProcess): PyDict {
  let details = detailsByWorker.get(worker);
  if (details === undefined) detailsByWorker.set(worker, (details = PyDict.fromObject(worker.details)));
  return details;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function defaultPython(): string {
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/**
 * The interpreter's absolute path: a bare name is looked up here, in the absolute PATH entries only, not
 * by spawn (which would also search the workers' working directory, the workspace, through an empty
 * entry, and on Windows always).
 */
function interpreterPath(python: string, env: NodeJS.ProcessEnv): string {
  const found = findExecutable(python, env);
  if (found !== undefined) return found;
  const searched = absoluteEntries(env).join(delimiter) || "(no absolute entries)";
  throw new LocalEndpointError(
    "PYTHON_NOT_FOUND",
    `Python interpreter "${python}" was not found on PATH (searched ${searched}; empty and relative entries are skipped); set the interpreter to a Python 3.8+ executable`,
  );
}

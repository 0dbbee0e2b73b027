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
  /**
   * How long each worker may take to start; default 60 s (a cold environment on a network file system
   * can take tens of seconds to import). At most START_CONCURRENCY start at once, so the pool's start
   * may take up to `poolStartBudgetMs`.
   */
  startTimeoutMs?: number;
  /** Path of worker.py; default the one next to this module (a bundle must ship it alongside). */
  workerScript?: string;
  /**
   * Tasks sent ahead to each busy worker, so it starts the next one without a round trip to the host
   * and frames travel in batches (throughput under deep queues). A task sent ahead and cancelled stops
   * its worker when the worker reaches it; its timeout starts when its worker reaches it; if the worker
   * dies first it is queued again. Default 0: a worker only receives a task when it is idle. `"auto"`: deep (up to 32) while
   * tasks are short, as many as fit in about 10 ms of recent run time (so a map's chunks of a few ms
   * each go out together and a worker never waits on the host between them), none once tasks take
   * longer, so a long task never holds back more than ~10 ms of work queued behind it while another
   * worker idles.
   */
  prefetch?: number | "auto";
  /** Where the pool reports what it cannot tell a task (a worker that broke the protocol). */
  log?: (line: string) => void;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
/** Workers started at once: on a cold file system, the first ones warm the cache for the rest. */
const START_CONCURRENCY = 4;

/** The longest a pool of `workers` may take to start: START_CONCURRENCY at a time, each within its own limit. */
export function poolStartBudgetMs(workers = availableParallelism(), startTimeoutMs = DEFAULT_START_TIMEOUT_MS): number {
  return Math.ceil(workers / START_CONCURRENCY) * startTimeoutMs;
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
  /**
   * Cancels the task (it ends as `TaskCancelled`): a queued one never runs; a running one is stopped by
   * killing its worker (which is replaced). False once it has finished.
   */
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
/**
 * A task given back this often, each time because its worker ended before starting it, is failed instead:
 * a task that ends every worker it is sent to before its start is reported (nothing the host sends does
 * that today) cannot go round forever.
 */
const MAX_UNSTARTED_LOSSES = 8;

interface Job {
  readonly request: TaskRequest;
  readonly settle: (outcome: WorkerOutcome) => void;
  state: "queued" | "running" | "done";
  /** The worker it was sent to, while "running". */
  worker?: WorkerProcess;
  startedNs?: bigint;
  timer?: NodeJS.Timeout;
  /** How many workers ended before they started it. */
  lostUnstarted?: number;
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
  private queue: Job[] = [];
  /** Unfinished tasks by id, for cancel(). */
  private readonly jobsById = new Map<string, Job>();
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
    private readonly log: (line: string) => void,
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
        startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      },
      newCaptureDir(),
      options.log ?? (() => {}),
    );
    try {
      await pool.startWorkers();
    } catch (err) {
      pool.dispose();
      throw err;
    }
    return pool;
  }

  /** Starts the pool's workers, START_CONCURRENCY at a time; rejects with the first failure. */
  private async startWorkers(): Promise<void> {
    let next = 0;
    let failure: { reason: unknown } | undefined;
    const lane = async (): Promise<void> => {
      while (next < this.size && failure === undefined) {
        next++;
        await this.spawnWorker().catch((reason: unknown) => void (failure ??= { reason }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, this.size) }, lane));
    if (failure) throw failure.reason;
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
    this.jobsById.set(request.taskId, job);
    if (this.workers.size === 0 && this.spawning === 0 && this.lastSpawnError) this.failQueued(this.lastSpawnError);
    else this.dispatch();
    return {
      taskId: request.taskId,
      result,
      cancel: () => this.cancelJobs([job]).length > 0,
    };
  }

  /**
   * Cancels unfinished tasks by id, as TaskRun.cancel() does each; returns the ids it cancelled (unknown
   * and finished ones are left out). Many at once cost one pass over the queue.
   */
  cancel(taskIds: Iterable<string>): string[] {
    const jobs: Job[] = [];
    for (const id of taskIds) {
      const job = this.jobsById.get(id);
      if (job) jobs.push(job);
    }
    return this.cancelJobs(jobs).map((job) => job.request.taskId);
  }

  private cancelJobs(jobs: readonly Job[]): Job[] {
    const cancelled: Job[] = [];
    const stopping: WorkerProcess[] = [];
    let dequeued = false;
    for (const job of jobs) {
      if (job.state === "done") continue;
      const worker = job.state === "running" ? job.worker : undefined;
      const running = worker !== undefined && this.busy.get(worker)?.[0] === job;
      const data = running
        ? `TaskCancelled: the task was cancelled while running; worker process ${worker.pid} was killed`
        : "TaskCancelled: the task was cancelled before it started";
      dequeued ||= job.state === "queued";
      job.settle(this.failure(job, TaskFailureCode.cancelled, data, "task cancelled", worker));
      cancelled.push(job);
      // A task sent ahead stops its worker once it reaches it (see onResult): the one it runs now is someone's work.
      if (running) stopping.push(worker);
    }
    // Before any worker is stopped: stopping one dispatches the queue.
    if (dequeued) this.queue = this.queue.filter((job) => job.state !== "done");
    stopping.forEach((worker) => this.stopWorker(worker));
    return cancelled;
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.shift()!;
      if (!worker.usable) continue; // ended or being stopped: its exit is handled on its own
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
    const topUp = [...this.busy].filter(([worker, jobs]) => jobs.length <= low && worker.usable);
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
    job.worker = worker;
    worker.runTask(job.request);
  }

  /** Starts a task's time limit when its worker reaches it. */
  private startClock(worker: WorkerProcess, job: Job): void {
    const { timeoutMs } = job.request;
    if (timeoutMs !== undefined) job.timer = setTimeout(() => this.timeOut(worker, job, timeoutMs), timeoutMs);
  }

  /** Takes back tasks a worker that is going away never started (cancelled ones stay out). */
  private requeue(jobs: readonly Job[]): void {
    const waiting = jobs.filter((job) => job.state !== "done");
    for (const job of waiting) {
      job.state = "queued";
      job.worker = undefined;
      clearTimeout(job.timer);
      job.timer = undefined;
    }
    this.queue.unshift(...waiting);
  }

  /** Kills a busy worker whose running task was settled meanwhile; the tasks sent ahead go back to the queue. Its exit handler replaces it. */
  private stopWorker(worker: WorkerProcess): void {
    const jobs = this.busy.get(worker) ?? [];
    this.busy.delete(worker);
    this.requeue(jobs.slice(1));
    worker.kill();
    this.dispatch();
  }

  /**
   * A worker said something that does not fit what it was given (a result or start of a task it is not
   * running: a process forked by user code reading its task channel, say): it cannot be trusted with more
   * tasks. Killed; its exit fails the task it started and gives back the rest.
   */
  private distrust(worker: WorkerProcess, what: string): void {
    this.log(`worker process ${worker.pid} ${what}; it is stopped`);
    worker.kill(what);
  }

  private timeOut(worker: WorkerProcess, job: Job, timeoutMs: number): void {
    const jobs = this.busy.get(worker);
    if (jobs?.[0] !== job) return;
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
    this.stopWorker(worker);
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
      if (worker.killed) return; // its task was settled when it was killed
      const job = this.busy.get(worker)?.[0];
      if (job?.request.taskId !== taskId || job.startedNs !== undefined) {
        return this.distrust(worker, `reported starting task ${taskId}, which was not the next task it was given`);
      }
      job.startedNs = timestampNs;
      this.startEmitter.fire(taskId);
      this.startAtEmitter.fire({ taskId, timestampNs });
    });
    worker.onResult(({ result, stdout, stderr }) => {
      if (worker.killed) return;
      const jobs = this.busy.get(worker);
      const job = jobs?.[0];
      if (jobs === undefined || job?.request.taskId !== result.task_id) {
        return this.distrust(worker, `sent a result for task ${result.task_id}, which it was not running`);
      }
      jobs.shift();
      this.noteRunTime(result.task_statuses);
      if (jobs.length === 0) {
        this.busy.delete(worker);
        if (worker.usable) this.idle.push(worker);
      } else if (jobs[0].state === "done") {
        this.stopWorker(worker); // it reached a task cancelled while sent ahead
      } else this.startClock(worker, jobs[0]);
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
    const [head, ...sentAhead] = this.busy.get(worker) ?? [];
    this.busy.delete(worker);
    const output = worker.readCapturedOutput();
    worker.dispose();
    if (this.disposed) return;
    // Every frame it wrote has been read (see WorkerProcess.exited): only a task whose start came without
    // its result was running. The ones it never started go to other workers.
    const unstarted = [head, ...sentAhead].filter((job) => job !== undefined && job.startedNs === undefined);
    // Only the task it was about to start can have ended it: those sent ahead behind another say nothing
    // about themselves (with workers that end after each task they would hit the limit through no fault).
    if (head !== undefined && head.startedNs === undefined) head.lostUnstarted = (head.lostUnstarted ?? 0) + 1;
    const reason = worker.stoppedBecause;
    const how = reason === undefined ? describeExit(exit) : `was stopped: it ${reason}`;
    const fail = (job: Job, data: string) =>
      job.settle({ ...this.failure(job, TaskFailureCode.workerLost, data, `worker process ${how}`, worker), ...output });
    if (head !== undefined && head.startedNs !== undefined) fail(head, `WorkerLost: worker process ${worker.pid} ${how} while running this task`);
    for (const job of unstarted) {
      if ((job.lostUnstarted ?? 0) < MAX_UNSTARTED_LOSSES) continue;
      fail(job, `WorkerLost: ${MAX_UNSTARTED_LOSSES} workers ended before starting this task; the last one, process ${worker.pid}, ${how}`);
    }
    this.requeue(unstarted);
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
    if (this.jobsById.get(job.request.taskId) === job) this.jobsById.delete(job.request.taskId);
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

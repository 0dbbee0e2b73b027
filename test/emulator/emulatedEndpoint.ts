/**
 * One emulated endpoint: it holds submitted tasks while offline (`waiting-for-ep`), queues them while
 * its workers are busy (`waiting-for-launch`) and runs them on a local worker pool (`running`, when a
 * worker starts one). Like a real endpoint's prefetch, a few tasks per worker are handed over ahead, so
 * a worker never waits for the next one; the rest stay here, where going offline holds them.
 */
import { WorkerPool } from "../../core/local/workerPool";
import { nsToSecondsString } from "../../core/local/wallClock";
import type { TaskOutcome, TaskRecord } from "./state";

export interface EndpointConfig {
  id: string;
  /** The endpoint's (directory) name, and what people read. */
  name: string;
  displayName: string;
  online: boolean;
  /** Results are announced on AMQP without data; clients fetch them over REST (protocol.md §7.2). */
  highAssurance: boolean;
  public: boolean;
  ownerId: string;
  workers: number;
  /** Function ids allowed on this endpoint; null: any function. */
  allowedFunctions: string[] | null;
  /** A multi-user endpoint: `user_endpoint_config` is checked as the endpoint manager does (mepConfig.ts). */
  multiUser: boolean;
  /** The site's Jinja YAML template and JSON schema, served in the metadata (null: none). */
  userConfigTemplate: string | null;
  userConfigSchema: Record<string, unknown> | null;
  description: string;
  /** Workers start at the first task rather than with the emulator (large listings in benchmarks). */
  lazy: boolean;
}

/** What one submission carried besides its tasks, as received (for tests). */
export interface ReceivedSubmission {
  taskIds: string[];
  userEndpointConfig: Record<string, unknown> | null;
  resourceSpecification: Record<string, unknown> | null;
}

export interface EndpointStatusBody {
  status: "online" | "offline";
  details: { total_workers: number; idle_workers: number; pending_tasks: number; outstanding_tasks: number; managers: number };
}

/** Tasks handed to each worker beyond the one it runs. */
const PREFETCH_PER_WORKER = 64;

export class EmulatedEndpoint {
  /** Epoch ms until which the endpoint is locked (POST /v3/endpoints/{id}/lock); 0 when not locked. */
  lockedUntil = 0;
  /** Every submission, in order of arrival. */
  readonly received: ReceivedSubmission[] = [];
  /** Tasks not handed to the pool yet, from `waitingHead` on (shift() would be linear per task). */
  private readonly waiting: TaskRecord[] = [];
  private waitingHead = 0;
  /** Tasks handed to the pool, by id; at most (1 + PREFETCH_PER_WORKER) per worker. */
  private readonly handedOver = new Map<string, TaskRecord>();
  /** Of those, the ones a worker has started. */
  private readonly started = new Set<string>();
  private pool: Promise<WorkerPool> | undefined;
  /** The pool once started: tasks go to it without awaiting `pool` each time. */
  private readyPool: WorkerPool | undefined;
  private disposed = false;

  constructor(
    readonly config: EndpointConfig,
    private readonly python: string,
    private readonly onFinished: (task: TaskRecord) => void,
  ) {}

  get online(): boolean {
    return this.config.online;
  }

  /** Starts the worker pool (so a broken interpreter is reported here, not at the first task). */
  async start(): Promise<void> {
    if (this.config.online && !this.config.lazy) await this.getPool();
  }

  async setOnline(online: boolean): Promise<void> {
    if (online) await this.getPool();
    this.config.online = online;
    for (let i = this.waitingHead; i < this.waiting.length; i++) mark(this.waiting[i], online ? "waiting-for-launch" : "waiting-for-ep");
    this.pump();
  }

  enqueue(tasks: TaskRecord[]): void {
    for (const t of tasks) {
      mark(t, this.config.online ? "waiting-for-launch" : "waiting-for-ep");
      this.waiting.push(t);
    }
    this.pump();
  }

  /** Fails tasks without running them, as the service does when the endpoint reports it cannot start them. */
  fail(tasks: TaskRecord[], message: string): void {
    const completionT = (Date.now() / 1000).toFixed(6);
    for (const task of tasks) {
      task.outcome = {
        result: {
          task_id: task.id,
          data: message,
          details: null,
          error_details: { code: "ENDPOINT_FAILURE", user_message: message },
          task_statuses: null,
        },
        completionT,
      };
      mark(task, "failed");
      this.onFinished(task);
    }
  }

  status(): EndpointStatusBody {
    const busy = this.started.size;
    return {
      status: this.config.online ? "online" : "offline",
      details: {
        total_workers: this.config.online ? this.config.workers : 0,
        idle_workers: this.config.online ? this.config.workers - busy : 0,
        pending_tasks: this.waitingCount + this.handedOver.size - busy,
        outstanding_tasks: this.waitingCount + this.handedOver.size,
        managers: this.config.online ? 1 : 0,
      },
    };
  }

  /** Stops the workers; tasks still running end there (their results are dropped with the emulator). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const pool = await this.pool?.catch(() => undefined);
    pool?.dispose();
  }

  private getPool(): Promise<WorkerPool> {
    if (!this.pool) {
      const starting = WorkerPool.start({
        python: this.python,
        workers: this.config.workers,
        endpointId: this.config.id,
        prefetch: PREFETCH_PER_WORKER,
      });
      // A failed start is reported to the caller and retried on the next attempt.
      starting.then(
        (pool) => {
          this.readyPool = pool;
          pool.onDidStart((id) => {
            const task = this.handedOver.get(id);
            if (task === undefined) return;
            this.started.add(id);
            mark(task, "running");
          });
        },
        () => {
          if (this.pool === starting) this.pool = undefined;
        },
      );
      this.pool = starting;
    }
    return this.pool;
  }

  private pump(): void {
    const limit = this.config.workers * (1 + PREFETCH_PER_WORKER);
    while (!this.disposed && this.config.online && this.handedOver.size < limit && this.waitingCount > 0) {
      const task = this.waiting[this.waitingHead++];
      this.handedOver.set(task.id, task);
      void this.execute(task);
    }
    // Drop the handed-over prefix once it is most of the array.
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private get waitingCount(): number {
    return this.waiting.length - this.waitingHead;
  }

  private async execute(task: TaskRecord): Promise<void> {
    try {
      const pool = this.readyPool ?? (await this.getPool());
      const run = pool.run({ taskId: task.id, taskBuffer: task.taskBuffer, resultSerializers: task.resultSerializers ?? undefined });
      const done = await run.result;
      const outcome: TaskOutcome = { result: done.result, completionT: nsToSecondsString(done.completedAtNs) };
      task.outcome = outcome;
      mark(task, outcome.result.error_details ? "failed" : "success");
    } catch (err) {
      if (this.disposed) return;
      task.outcome = {
        result: {
          task_id: task.id,
          data: `endpoint could not run the task: ${(err as Error).message}`,
          details: null,
          error_details: { code: "UNKNOWN_TASK_FAILURE", user_message: "remote error: the endpoint could not run the task" },
          task_statuses: null,
        },
        completionT: (Date.now() / 1000).toFixed(6),
      };
      mark(task, "failed");
    } finally {
      this.handedOver.delete(task.id);
      this.started.delete(task.id);
    }
    if (this.disposed) return;
    this.onFinished(task);
    this.pump();
  }
}

function mark(task: TaskRecord, state: string): void {
  task.state = state;
  task.transitions[state] = Date.now() / 1000;
}

/**
 * The batcher: coalesces queued tasks into `POST submit` batches, like the SDK's submitter thread
 * (protocol.md §8.3), on the event loop instead of a thread. Tasks queued in the same tick go out together;
 * tasks are grouped by (task group, endpoint, resource spec, user endpoint config, result serializers); a
 * batch holds at most `batchSize` tasks; small batches pass the burst limiter first, and tasks queued while
 * it waits join the next batch. "Small" means not full: the SDK counts only batches of fewer than
 * `api_burst_limit` tasks (protocol.md §8.3), which lets a stream of 4-task requests through unthrottled.
 * A failed batch fails only its own futures. A batch the service refuses as too large (413) is sent again in
 * halves until the parts pass or a task alone is refused: the service's limit on tasks per request is not
 * published, and its 10 MB body limit is only approximated here. Refused for too many tasks, later batches
 * keep to the size that went through; refused for its bytes, only that batch is split, and a task refused
 * alone makes every later task at least as large fail without a request.
 */
import { ComputeApiError } from "../protocol/apiError";
import type { ComputeService, SubmitBatchResponse } from "../service/computeService";
import type { Disposable } from "../util/disposable";
import type { BurstLimiter } from "./burstLimiter";
import type { ComputeFuture } from "./computeFuture";
import type { FunctionRef } from "./functionRegistry";

/** Everything about a task except its function and arguments; shared by all tasks submitted alike. */
export interface BatchSpec {
  /** Grouping key: tasks with equal keys may share a batch. */
  readonly key: string;
  /** Snapshot at submit time; undefined means "the Executor's group when sent" (assigned by the service). */
  readonly taskGroupId: string | undefined;
  readonly resourceSpecification: Record<string, unknown> | undefined;
  readonly userEndpointConfig: Record<string, unknown> | undefined;
  readonly resultSerializers: readonly string[];
}

/**
 * Payload characters per submit request (payloads are ASCII: JSON or base64): half the web service's
 * 10 MB request limit, so a batch of big arguments is split before the service refuses it with a 413
 * (the request's JSON adds an escape per line of base64 and the rest of the body). A single task bigger
 * than this still goes alone, and the service's answer says why it was refused.
 */
export const MAX_BATCH_PAYLOAD_BYTES = 5 * 1024 * 1024;

/** The 413 code for too many tasks in one request, as opposed to too many bytes (protocol.md §2.3). */
const COUNT_REFUSAL = "BATCH_RUN_TOO_LARGE";

export interface QueuedTask {
  readonly future: ComputeFuture;
  readonly fn: FunctionRef;
  readonly payload: string;
  readonly spec: BatchSpec;
}

/** One sent batch, per function id the futures in payload order. */
export interface SentBatch {
  readonly byFunction: Map<string, ComputeFuture[]>;
  readonly taskGroupId: string | undefined;
  readonly size: number;
}

export interface SubmitterHooks {
  currentTaskGroupId(): string | undefined;
  /** Tasks are about to be sent into `taskGroupId` (undefined: a group the service will create). */
  sending(taskGroupId: string | undefined): void;
  acknowledged(batch: SentBatch, response: SubmitBatchResponse): void;
  /**
   * The service does not know `taskGroupId` any more (a local endpoint prunes its oldest groups): returns
   * the group to send into instead, undefined for a new one. Absent (the cloud, which forgets no group),
   * such a batch fails with the service's error.
   */
  groupGone?(taskGroupId: string): string | undefined;
  failed(futures: readonly ComputeFuture[], error: unknown, stage: "register" | "submit"): void;
  /** The service refused `refused` tasks in one request for their number; batches now hold at most `batchSize`. */
  split(refused: number, batchSize: number, error: ComputeApiError): void;
}

export class TaskSubmitter implements Disposable {
  private queue: QueuedTask[] = [];
  private head = 0;
  /**
   * Tasks taken off the queue but not sent yet (a drained batch waiting for the burst limit, the parts of
   * a refused batch waiting for their turn): still queued to their futures, and cancelled with the queue.
   */
  private readonly taken = new Set<QueuedTask[]>();
  private running = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private disposed = false;
  /** Open holds (a map still queueing its tasks): only full batches go meanwhile. */
  private holds = 0;
  /** Open pauses (futures being cancelled over several turns): nothing goes meanwhile. */
  private pauses = 0;
  /** Wakes the pump waiting for a hold or pause to end (it checks again what it waits for). */
  private wakePump: (() => void) | undefined;
  /** The smallest task the service refused on its own, and why: tasks at least as large are not sent. */
  private refusedAlone: { payloadLength: number; error: ComputeApiError } | undefined;

  constructor(
    private readonly service: ComputeService,
    private readonly endpointId: string,
    /** Tasks per batch: the option, until the service refuses a batch that large. */
    private batchSize: number,
    private readonly limiter: BurstLimiter,
    private readonly hooks: SubmitterHooks,
  ) {}

  /** A request is on its way: the service may have created tasks whose ids this Executor does not know yet. */
  get awaitingAcknowledgement(): boolean {
    return this.inFlight > 0;
  }

  /** Tasks not yet acknowledged by the service (queued or in a request). */
  get pending(): number {
    return this.queue.length - this.head + this.inFlight;
  }

  enqueue(task: QueuedTask): void {
    this.queue.push(task);
    if (this.queue.length - this.head >= this.batchSize) this.wake(); // a full batch may go while a hold is open
    if (!this.running) {
      this.running = true;
      // setImmediate, not a microtask: every submit() of the current synchronous run joins the batch.
      setImmediate(() => void this.pump());
    }
  }

  /**
   * Holds back partial batches until the returned release is called: a map queueing its tasks over several
   * turns then goes in full batches, not in small ones the burst limit would delay.
   */
  hold(): () => void {
    this.holds++;
    return once(() => {
      this.holds--;
      this.wake();
    });
  }

  /** Sends nothing until the returned release is called (batches already on their way still go). */
  pause(): () => void {
    this.pauses++;
    return once(() => {
      this.pauses--;
      this.wake();
    });
  }

  /** Removes every task not sent yet and returns their futures (for shutdown with cancelFutures). */
  takeQueued(): ComputeFuture[] {
    const out = this.queue.slice(this.head).map((t) => t.future);
    this.queue = [];
    this.head = 0;
    for (const tasks of this.taken) {
      for (const t of tasks) out.push(t.future);
      tasks.length = 0; // their sender finds nothing left to send
    }
    this.taken.clear();
    this.limiter.interrupt(); // a batch waiting for the burst limit has nothing left to wait for
    return out;
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.pending === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    this.limiter.dispose();
    this.wake();
  }

  private async pump(): Promise<void> {
    try {
      while (this.head < this.queue.length && !this.disposed) {
        await this.unpaused();
        if (this.holds > 0 && this.queue.length - this.head < this.batchSize) {
          await this.sleep();
          continue;
        }
        if (this.queue.length - this.head < this.batchSize) await this.limiter.wait();
        await this.awaitHeadRegistration();
        if (this.pauses > 0) continue;
        const groups = this.drain();
        for (const { tasks } of groups) this.taken.add(tasks);
        for (const { tasks, full } of groups) {
          if (!full) {
            await this.limiter.wait();
            if (this.disposed) return;
            if (tasks.length === 0) continue; // cancelled meanwhile (takeQueued)
            this.limiter.record();
          }
          await this.unpaused();
          this.taken.delete(tasks);
          if (this.disposed) return;
          // Taken off the queue but still queued to their futures: one cancelled meanwhile never leaves.
          const batch = tasks.filter((t) => !t.future.done());
          if (batch.length > 0) await this.send(batch);
        }
      }
    } finally {
      this.running = false;
      this.notifyIdle();
    }
  }

  private async unpaused(): Promise<void> {
    while (this.pauses > 0 && !this.disposed) await this.sleep();
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => (this.wakePump = resolve));
  }

  private wake(): void {
    const wake = this.wakePump;
    this.wakePump = undefined;
    wake?.();
  }

  /** The first task's function may still be registering; its batch cannot go before the id is known. */
  private async awaitHeadRegistration(): Promise<void> {
    const head = this.queue[this.head];
    if (head !== undefined && head.fn.id === undefined) await head.fn.settled;
  }

  /**
   * Takes tasks off the queue, grouped, until a group is full (batchSize tasks, or as many payload bytes
   * as MAX_BATCH_PAYLOAD_BYTES allows: the task that would pass it waits for the next batch) or a task's
   * function is still registering. A group cut short by bytes counts as full: it is not one of the small
   * batches the burst limit is for.
   */
  private drain(): { tasks: QueuedTask[]; full: boolean }[] {
    const groups = new Map<string, { tasks: QueuedTask[]; full: boolean; bytes: number }>();
    let full = false;
    while (this.head < this.queue.length && !full) {
      const task = this.queue[this.head];
      if (task.fn.id === undefined && task.fn.error === undefined) break;
      let group = groups.get(task.spec.key);
      if (group !== undefined && group.bytes + task.payload.length > MAX_BATCH_PAYLOAD_BYTES) {
        full = group.full = true;
        break;
      }
      this.queue[this.head++] = undefined as unknown as QueuedTask; // release for GC while the rest waits
      if (task.future.done()) continue; // cancelled while queued
      if (task.fn.error !== undefined) {
        this.hooks.failed([task.future], task.fn.error, "register");
        continue;
      }
      if (this.failIfRefusedBefore(task)) continue;
      if (group === undefined) groups.set(task.spec.key, (group = { tasks: [], full: false, bytes: 0 }));
      group.tasks.push(task);
      group.bytes += task.payload.length;
      full = group.full = group.tasks.length >= this.batchSize;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return [...groups.values()];
  }

  /** `regroup`: the group to send into instead of the spec's, which the service no longer knows. */
  private async send(batch: QueuedTask[], regroup?: { taskGroupId: string | undefined }): Promise<void> {
    const spec = batch[0].spec;
    const tasks: Record<string, string[]> = {};
    const byFunction = new Map<string, ComputeFuture[]>();
    for (const t of batch) {
      const id = t.fn.id as string;
      (tasks[id] ??= []).push(t.payload);
      let futures = byFunction.get(id);
      if (futures === undefined) byFunction.set(id, (futures = []));
      futures.push(t.future);
      t.future._setState("submitting");
    }
    const taskGroupId = regroup ? regroup.taskGroupId : (spec.taskGroupId ?? this.hooks.currentTaskGroupId());
    this.hooks.sending(taskGroupId);
    this.inFlight += batch.length;
    let refused: ComputeApiError | undefined;
    let gone: { taskGroupId: string | undefined } | undefined;
    try {
      const response = await this.service.submit({
        endpointId: this.endpointId,
        taskGroupId,
        tasks,
        createQueue: true,
        resourceSpecification: spec.resourceSpecification,
        userEndpointConfig: spec.userEndpointConfig,
        resultSerializers: [...spec.resultSerializers],
      });
      this.hooks.acknowledged({ byFunction, taskGroupId, size: batch.length }, response);
    } catch (err) {
      const tooLarge = err instanceof ComputeApiError && err.httpStatus === 413 ? err : undefined;
      if (tooLarge !== undefined && batch.length > 1) refused = tooLarge;
      else if (
        err instanceof ComputeApiError &&
        err.code === "TASK_GROUP_NOT_FOUND" &&
        this.hooks.groupGone !== undefined &&
        taskGroupId !== undefined &&
        regroup === undefined
      ) {
        gone = { taskGroupId: this.hooks.groupGone(taskGroupId) };
      } else {
        if (tooLarge !== undefined && tooLarge.code !== COUNT_REFUSAL) this.noteRefusedAlone(batch[0], tooLarge);
        this.hooks.failed(
          batch.map((t) => t.future),
          err,
          "submit",
        );
      }
    } finally {
      this.inFlight -= batch.length;
    }
    if (refused !== undefined) await this.resend(batch, refused);
    // Once, into the group the Executor moved on to (or a new one): the tasks are not lost with the group.
    else if (gone !== undefined) await this.send(batch, gone);
  }

  /**
   * Sends a refused batch again in requests of at most half its size (each part refused again is split the
   * same way). Refused for its task count, the batch size stays lowered, and is read per part: a refused
   * part lowers it for the parts after it.
   */
  private async resend(batch: QueuedTask[], error: ComputeApiError): Promise<void> {
    const half = Math.ceil(batch.length / 2);
    const byCount = error.code === COUNT_REFUSAL;
    if (byCount && half < this.batchSize) {
      this.batchSize = half;
      this.hooks.split(batch.length, half, error);
    }
    // The parts after the first wait for the one before: until sent they are cancelled with the queue.
    const unsent = batch.slice();
    this.taken.add(unsent);
    try {
      while (unsent.length > 0 && !this.disposed) {
        const part = unsent.splice(0, byCount ? this.batchSize : half);
        const open = part.filter((t) => !t.future.done() && !this.failIfRefusedBefore(t)); // done: cancelled meanwhile
        if (open.length > 0) await this.send(open);
      }
    } finally {
      this.taken.delete(unsent);
    }
  }

  private noteRefusedAlone(task: QueuedTask, error: ComputeApiError): void {
    if (this.refusedAlone === undefined || task.payload.length < this.refusedAlone.payloadLength) {
      this.refusedAlone = { payloadLength: task.payload.length, error };
    }
  }

  /** Fails a task at least as large as one the service refused on its own (the request would be refused too). */
  private failIfRefusedBefore(task: QueuedTask): boolean {
    const refused = this.refusedAlone;
    if (refused === undefined || task.payload.length < refused.payloadLength) return false;
    this.hooks.failed([task.future], refused.error, "submit");
    return true;
  }

  private notifyIdle(): void {
    if (this.pending > 0 && !this.disposed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** `fn` the first time the returned function is called, and never again. */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

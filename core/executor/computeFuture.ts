/**
 * ComputeFuture: one task's handle. PromiseLike (so `await fut` works), with the SDK's synchronous
 * surface (`done()`, `taskId`) plus what a UI needs (`state`, `transitions`, change events).
 *
 * Futures are kept lean (a target of ≤ 1 KiB while pending): no Promise, timer or emitter exists until
 * someone asks for one, and the Executor reaches futures through one shared `FutureOwner`, not closures.
 */
import type { TaskTransition } from "../protocol/messages";
import type { PyValue } from "../protocol/pyValue";
import { Emitter, type Event } from "../util/event";
import { ExecutorError, TaskCancelledError } from "./errors";

/** Local states before the service knows the task. */
export type LocalState = "queued" | "submitting";
export type TerminalState = "success" | "failed" | "cancelled";
/**
 * `queued` (in this process) → `submitting` (in a batch on its way) → the service's states (`received`,
 * `waiting-for-ep`, `running`, …; any string the service sends) → a terminal state.
 */
export type FutureState = LocalState | TerminalState | "received" | "waiting-for-ep" | "running" | (string & {});

/** What `cancel()` did: never sent, so truly cancelled; or sent already, so only stopped waiting. */
export type CancelOutcome = "cancelled" | "stopped-waiting" | "already-done";

/** The Executor side of a future (one shared object per Executor). */
export interface FutureOwner {
  /** Takes a queued future out of the queue; false when it already left. */
  withdraw(future: ComputeFuture): boolean;
  /** Forgets a submitted future that nobody waits for any more. */
  detach(future: ComputeFuture): void;
  changed(future: ComputeFuture): void;
}

const NO_TRANSITIONS: readonly TaskTransition[] = Object.freeze([]);

export class ComputeFuture implements PromiseLike<PyValue> {
  /** Set when the service acknowledges the batch that carried the task. */
  taskId: string | undefined;
  taskGroupId: string | undefined;
  state: FutureState;
  /** The task's timeline as the endpoint reported it (nanosecond timestamps). */
  transitions: readonly TaskTransition[] = NO_TRANSITIONS;
  /** Unix seconds (decimal string) when the task finished, as upstream's `completion_t`. */
  completionT: string | undefined;
  /** Length of the serialized result data once settled from it (what the endpoints' 10 MiB result limit measures). */
  resultSize: number | undefined;
  /** What the function printed (local endpoint only). */
  stdout: string | undefined;
  stderr: string | undefined;
  private value: PyValue | undefined;
  private error: Error | undefined;
  /** Made on the first `then`/`result()` while pending; its settle functions are fields, not another object. */
  private pending: Promise<PyValue> | undefined;
  private resolvePending: ((v: PyValue) => void) | undefined;
  private rejectPending: ((e: Error) => void) | undefined;
  private emitter: Emitter<ComputeFuture> | undefined;

  constructor(
    private owner: FutureOwner | undefined,
    taskId?: string,
  ) {
    this.taskId = taskId;
    this.state = taskId === undefined ? "queued" : "received";
  }

  /** Fires on every state change, and once more when the future settles. */
  get onDidChange(): Event<ComputeFuture> {
    if (this.done()) return () => ({ dispose() {} });
    return (this.emitter ??= new Emitter<ComputeFuture>()).event;
  }

  /** Never blocks: true once the future has a result, an exception, or was cancelled. */
  done(): boolean {
    return this.state === "success" || this.state === "failed" || this.state === "cancelled";
  }

  cancelled(): boolean {
    return this.state === "cancelled";
  }

  /**
   * Cancels a task that has not left this process. A task already sent cannot be cancelled (the
   * service has no such call): the future then only stops waiting, and says so.
   */
  cancel(): CancelOutcome {
    if (this.done()) return "already-done";
    const owner = this.owner;
    if (this.state === "queued" && owner?.withdraw(this)) {
      this._reject(new TaskCancelledError(false, undefined), "cancelled");
      return "cancelled";
    }
    this._reject(new TaskCancelledError(true, this.taskId), "cancelled");
    owner?.detach(this);
    return "stopped-waiting";
  }

  /** The result; rejects with the task's error. With `timeoutMs`, gives up waiting (the task goes on). */
  result(timeoutMs?: number): Promise<PyValue> {
    const p = this.promise();
    if (timeoutMs === undefined || this.done()) return p;
    return new Promise<PyValue>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ExecutorError(
              "RESULT_TIMEOUT",
              `No result for task ${this.taskId ?? "(not yet submitted)"} within ${timeoutMs} ms (state: ${this.state}); the task goes on, wait again or cancel().`,
            ),
          ),
        timeoutMs,
      );
      p.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /** The task's error, or undefined when it succeeded. */
  async exception(timeoutMs?: number): Promise<Error | undefined> {
    try {
      await this.result(timeoutMs);
      return undefined;
    } catch (e) {
      if (e instanceof ExecutorError && e.code === "RESULT_TIMEOUT") throw e;
      return e as Error;
    }
  }

  then<R1 = PyValue, R2 = never>(
    onfulfilled?: ((value: PyValue) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.promise().then(onfulfilled, onrejected);
  }

  private promise(): Promise<PyValue> {
    if (this.state === "success") return Promise.resolve(this.value as PyValue);
    if (this.error !== undefined) return Promise.reject(this.error);
    return (this.pending ??= new Promise<PyValue>((resolve, reject) => {
      this.resolvePending = resolve;
      this.rejectPending = reject;
    }));
  }

  /** @internal Once done(): the value without a promise turn, or throws the error. */
  _settledValue(): PyValue {
    if (this.state === "success") return this.value as PyValue;
    throw this.error ?? new Error(`_settledValue() before task ${this.taskId ?? ""} settled`);
  }

  /** @internal For the Executor: a non-terminal state change. */
  _setState(state: FutureState, transitions?: readonly TaskTransition[]): void {
    if (this.done()) return;
    const changed = state !== this.state || (transitions !== undefined && transitions !== this.transitions);
    this.state = state;
    if (transitions !== undefined) this.transitions = transitions;
    if (changed) this.notify();
  }

  /** @internal */
  _resolve(value: PyValue): void {
    if (this.done()) return;
    this.value = value;
    this.state = "success";
    this.resolvePending?.(value);
    this.settled();
  }

  /** @internal */
  _reject(error: Error, state: "failed" | "cancelled" = "failed"): void {
    if (this.done()) return;
    this.error = error;
    this.state = state;
    this.rejectPending?.(error);
    this.settled();
  }

  private settled(): void {
    this.pending = undefined;
    this.resolvePending = undefined;
    this.rejectPending = undefined;
    this.notify();
    this.emitter?.dispose();
    this.emitter = undefined;
    this.owner = undefined;
  }

  private notify(): void {
    this.owner?.changed(this);
    this.emitter?.fire(this);
  }
}

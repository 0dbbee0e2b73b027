/**
 * ComputeFuture: one task's handle. A native Promise (so `await fut` and `Promise.all` take it as it is,
 * with no wrapper promise, thenable job or promise of our own per await), with the SDK's synchronous
 * surface (`done()`, `taskId`) plus what a UI needs (`state`, `transitions`, change events).
 *
 * Futures are kept lean (a target of ≤ 1 KiB while pending): no timer or emitter exists until someone
 * asks for one, and the Executor reaches futures through one shared `FutureOwner`, not closures.
 */
import type { TaskTransition } from "../protocol/messages";
import type { PyValue } from "../protocol/pyValue";
import { Emitter, type Event } from "../util/event";
import { TurnBudget } from "../util/turnBudget";
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

interface SharedCancelErrors {
  unsent: TaskCancelledError;
  sent: TaskCancelledError;
}

/** A cancel of many futures gives up this much of an event-loop turn at a time. */
const CANCEL_BUDGET_MS = 5;

/** The Executor side of a future (one shared object per Executor). */
export interface FutureOwner {
  /** Sends no queued task until the returned release is called (cancelAll spread over turns). */
  pauseSending(): () => void;
  /** Takes a queued future out of the queue; false when it already left. */
  withdraw(future: ComputeFuture): boolean;
  /** Forgets a submitted future that nobody waits for any more. */
  detach(future: ComputeFuture): void;
  changed(future: ComputeFuture): void;
}

const NO_TRANSITIONS: readonly TaskTransition[] = Object.freeze([]);

/**
 * The settle functions of the promise under construction: the Promise constructor calls its executor
 * synchronously, so one shared executor hands them over (no closure per future).
 */
let capturedResolve: (v: PyValue) => void = () => undefined;
let capturedReject: (e: Error) => void = () => undefined;
function capture(resolve: (v: PyValue) => void, reject: (e: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** Marks a rejection handled: a failed task nobody awaits is shown by its owner, not reported as unhandled. */
const IGNORE = () => undefined;

export class ComputeFuture extends Promise<PyValue> {
  /** Derived promises (`then`, `catch`, `finally`) are plain Promises, not futures. */
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

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
  /** The value, or the error once failed or cancelled, for synchronous reads (`_settledValue`). */
  private outcome: PyValue | Error = null;
  /** The promise's settle functions until it settles. */
  private resolveSettle: ((v: PyValue) => void) | undefined;
  private rejectSettle: ((e: Error) => void) | undefined;
  private emitter: Emitter<ComputeFuture> | undefined;
  private owner: FutureOwner | undefined;

  constructor(owner: FutureOwner | undefined, taskId?: string) {
    super(capture);
    this.resolveSettle = capturedResolve;
    this.rejectSettle = capturedReject;
    this.owner = owner;
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
    return this._cancelWith(undefined);
  }

  /**
   * Cancels futures as cancel() does each, a few milliseconds per event-loop turn, their Executors sending
   * nothing meanwhile (so every task not yet sent when this is called is cancelled). Futures cancelled
   * together share one error per outcome: building one per future (~8 µs with its stack) held the host
   * for a second when a 100k-task map was cancelled. Resolves with each future's outcome.
   */
  static async cancelAll(futures: readonly ComputeFuture[]): Promise<CancelOutcome[]> {
    const releases = new Map<FutureOwner, () => void>();
    for (const f of futures) if (f.owner !== undefined && !releases.has(f.owner)) releases.set(f.owner, f.owner.pauseSending());
    try {
      const shared: SharedCancelErrors = {
        unsent: new TaskCancelledError(false, undefined),
        sent: TaskCancelledError.stoppedWaitingTogether("it was cancelled together with others"),
      };
      const outcomes: CancelOutcome[] = [];
      const budget = new TurnBudget(CANCEL_BUDGET_MS);
      for (let i = 0; i < futures.length; i++) {
        outcomes.push(futures[i]._cancelWith(shared));
        if (i + 1 < futures.length && budget.spent) await budget.nextTurn();
      }
      return outcomes;
    } finally {
      for (const release of releases.values()) release();
    }
  }

  /** @internal cancel(), with errors shared by many futures cancelled together (see cancelAll). */
  _cancelWith(shared: SharedCancelErrors | undefined): CancelOutcome {
    if (this.done()) return "already-done";
    const owner = this.owner;
    if (this.state === "queued" && owner?.withdraw(this)) {
      this._reject(shared?.unsent ?? new TaskCancelledError(false, undefined), "cancelled");
      return "cancelled";
    }
    this._reject(shared?.sent ?? new TaskCancelledError(true, this.taskId), "cancelled");
    owner?.detach(this);
    return "stopped-waiting";
  }

  /** The result; rejects with the task's error. With `timeoutMs`, gives up waiting (the task goes on). */
  result(timeoutMs?: number): Promise<PyValue> {
    if (timeoutMs === undefined || this.done()) return this;
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
      this.then(resolve, reject).finally(() => clearTimeout(timer));
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

  /** @internal Once done(): the value without a promise turn, or throws the error. */
  _settledValue(): PyValue {
    if (this.state === "success") return this.outcome as PyValue;
    throw this.done() ? (this.outcome as Error) : new Error(`_settledValue() before task ${this.taskId ?? ""} settled`);
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
    this.outcome = value;
    this.state = "success";
    this.resolveSettle?.(value);
    this.settled();
  }

  /** @internal */
  _reject(error: Error, state: "failed" | "cancelled" = "failed"): void {
    if (this.done()) return;
    this.outcome = error;
    this.state = state;
    // Handled from the start: awaiting it still throws, but nobody awaiting it is no process-level error.
    super.then(undefined, IGNORE);
    this.rejectSettle?.(error);
    this.settled();
  }

  private settled(): void {
    this.resolveSettle = undefined;
    this.rejectSettle = undefined;
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
/*
 * `await fut` and `Promise.resolve(fut)` (so `Promise.all`) take a promise as it is only when its
 * `constructor` is Promise itself; any other promise gets a wrapper promise and a thenable job per await.
 * The class stays a subclass for `instanceof ComputeFuture`.
 */
Object.defineProperty(ComputeFuture.prototype, "constructor", { value: Promise, writable: true, configurable: true });

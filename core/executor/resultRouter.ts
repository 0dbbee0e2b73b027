/**
 * ResultRouter: the Executor's receiving side. It holds the futures the service has acknowledged, watches
 * their task groups' result streams, and settles each future from its result (or, for high-assurance
 * endpoints, from a REST fetch). Results for tasks without a future yet are kept and matched later: the
 * stream can overtake a submit response, and a reload can find results already queued.
 */
import type { ComputeService, ResultEvent, ResultWatch, TaskStateEvent, TaskStatusRecord, WatchState } from "../service/computeService";
import { DisposableStore, type Disposable } from "../util/disposable";
import { Emitter, type Event } from "../util/event";
import type { ComputeFuture } from "./computeFuture";
import { ExecutorError, TaskCancelledError } from "./errors";
import { applyStatusRecord, settleFromResult } from "./resultDecoding";

/** A result message that could not settle its task; the task keeps waiting and its record is fetched. */
export interface MalformedResult {
  taskId: string;
  error: ExecutorError;
}

export interface WatchStateChange {
  taskGroupId: string;
  state: WatchState;
  reason?: string;
}

/** Results kept for tasks without a future yet (bounded, in case many requests are in flight at once). */
const MAX_UNMATCHED = 100_000;
/** How soon a result fetched from the service, but not finished there yet, is asked for again. */
const STATUS_RETRY_MS = 1000;
/**
 * Failed fetches of a high-assurance result before its future fails: backoff from STATUS_RETRY_MS to
 * FETCH_RETRY_MAX_MS waits out a REST outage of about two minutes (on top of the REST client's retries).
 */
const FETCH_ATTEMPTS = 8;
const FETCH_RETRY_MAX_MS = 30_000;

export class ResultRouter implements Disposable {
  /** Acknowledged, unsettled futures by task id. */
  private readonly open = new Map<string, ComputeFuture>();
  /** Further futures of an open future's task, settled as it is (see follow()). */
  private readonly followers = new Map<ComputeFuture, ComputeFuture[]>();
  private readonly unmatched = new Map<string, ResultEvent>();
  /** The latest state change of tasks without a future yet (a worker can start one before the submit ack). */
  private readonly unmatchedStates = new Map<string, TaskStateEvent>();
  private readonly watches = new Map<string, ResultWatch>();
  /** The group whose watch was opened last: most tasks belong to it. */
  private lastWatched: string | undefined;
  /** Futures whose result is to be fetched from the service's records, in the next batch. */
  private readonly toFetch = new Set<ComputeFuture>();
  private fetchFlush: NodeJS.Timeout | undefined;
  /** Futures whose result message was malformed: a failed fetch retries for them instead of failing. */
  private readonly afterMalformed = new WeakSet<ComputeFuture>();
  /** Failed fetches so far, per future (see FETCH_ATTEMPTS). */
  private readonly fetchFailures = new WeakMap<ComputeFuture, number>();
  private idleWaiters: (() => void)[] = [];
  private readonly disposables = new DisposableStore();
  private readonly stateChange = this.disposables.add(new Emitter<WatchStateChange>());
  readonly onWatchStateChange: Event<WatchStateChange> = this.stateChange.event;
  private readonly malformed = this.disposables.add(new Emitter<MalformedResult>());
  /** A result message was malformed: logged by the owner, while the task keeps waiting. */
  readonly onMalformedResult: Event<MalformedResult> = this.malformed.event;

  constructor(
    private readonly service: ComputeService,
    private readonly amqpPort: number | undefined,
    /** Status records are fetched in chunks of this many task ids. */
    private readonly chunkSize: number,
    /**
     * Whether a submission of this Executor awaits the service's answer: only then can a result of a task
     * without a future be one of its own (overtaking the answer). Otherwise it is another Executor's on
     * the same group (a map still running there), or a duplicate, and is not kept.
     */
    private readonly awaitingAcknowledgement: () => boolean,
  ) {}

  get isDisposed(): boolean {
    return this.disposables.isDisposed;
  }

  has(taskId: string): boolean {
    return this.open.has(taskId);
  }

  watchState(taskGroupId: string): WatchState {
    return this.watches.get(taskGroupId)?.state ?? "closed";
  }

  /** Starts waiting for an acknowledged future (its `taskId` and `taskGroupId` set). */
  track(future: ComputeFuture): void {
    const id = future.taskId as string;
    const open = this.open.get(id);
    if (open !== undefined && open !== future) return this.follow(future, open);
    this.open.set(id, future);
    // Per task, so the usual case (the group watched already, nothing early) costs no further lookups.
    this.listen(future.taskGroupId as string);
    const earlyState = this.unmatchedStates.size === 0 ? undefined : this.unmatchedStates.get(id);
    if (earlyState !== undefined) {
      this.unmatchedStates.delete(id);
      this.onTaskState(earlyState);
    }
    const early = this.unmatched.size === 0 ? undefined : this.unmatched.get(id);
    if (early !== undefined) {
      this.unmatched.delete(id);
      this.deliver(future, early);
    }
  }

  /**
   * Subscribes to a group's results ahead of its tasks' acknowledgement: results that arrive first are
   * kept and matched in track(). A stream shared with another Executor would otherwise hand them only to
   * that one, and they are acked once delivered.
   */
  listen(group: string): void {
    if (group !== this.lastWatched) this.watch(group);
  }

  /** Settles the finished ones among tracked futures from the service's status records (reload). */
  async settleFromStatuses(futures: readonly ComputeFuture[]): Promise<void> {
    for (let i = 0; i < futures.length; i += this.chunkSize) {
      const slice = futures.slice(i, i + this.chunkSize).filter((f) => !f.done());
      if (slice.length > 0) this.applyStatuses(slice, await this.service.getTaskStatuses(slice.map((f) => f.taskId as string)));
    }
    this.checkIdle();
  }

  /** Stops waiting for a future (cancelled by its owner). */
  forget(future: ComputeFuture): void {
    if (future.taskId !== undefined && this.open.get(future.taskId) === future) {
      this.open.delete(future.taskId);
      // At once, not when its promise settles: a result may come before then.
      const followers = this.followers.get(future);
      this.followers.delete(future);
      for (const f of followers ?? []) this.track(f);
    }
    this.toFetch.delete(future);
    this.checkIdle();
  }

  /** Resolves once no tracked future is left unsettled (or on dispose). */
  idle(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops waiting for everything: cancels (stopped-waiting) every tracked future, closes the streams. */
  dispose(): void {
    if (this.disposables.isDisposed) return;
    if (this.fetchFlush !== undefined) clearTimeout(this.fetchFlush);
    this.disposables.dispose();
    // One error for all: one per future (~8 µs each with its stack) held the host for a second at 100k.
    const stopped = TaskCancelledError.stoppedWaitingTogether("its Executor was shut down");
    for (const f of [...this.open.values()]) f._reject(stopped, "cancelled");
    this.open.clear();
    this.unmatched.clear();
    this.unmatchedStates.clear();
    this.watches.clear();
    this.checkIdle();
  }

  /**
   * A second future for a task already waited for (a reload listed it while the submission that made it
   * was still unanswered): it settles as the first does, or takes its place if the first stops waiting.
   */
  private follow(future: ComputeFuture, first: ComputeFuture): void {
    const waiting = this.followers.get(first);
    if (waiting !== undefined) return void waiting.push(future);
    this.followers.set(first, [future]);
    const settle = () => {
      const followers = this.followers.get(first);
      this.followers.delete(first);
      for (const f of followers ?? []) settleLike(f, first); // none left when forget() handed them over
    };
    first.then(settle, settle);
  }

  private watch(group: string): void {
    if (this.disposables.isDisposed) return;
    this.lastWatched = group;
    // A watch that gave up (state failed) is replaced: its futures failed, new ones wait anew.
    if (this.watches.has(group) && this.watches.get(group)?.state !== "failed") return;
    const watch = this.service.watchResults(group, { amqpPort: this.amqpPort, pendingTaskIds: () => this.pendingIn(group) });
    this.watches.set(group, watch);
    this.disposables.add(watch);
    this.disposables.add(watch.onResult((e) => this.onResult(e)));
    if (watch.onTaskState) this.disposables.add(watch.onTaskState((e) => this.onTaskState(e)));
    this.disposables.add(
      watch.onStateChange((s) => {
        if (s.error !== undefined) this.failGroup(group, s.error);
        this.stateChange.fire({ taskGroupId: group, ...s });
      }),
    );
  }

  /** The group's watch gave up for good: its futures fail with its error (the service keeps their results). */
  private failGroup(group: string, error: Error): void {
    if (this.lastWatched === group) this.lastWatched = undefined; // a later track() watches it anew
    for (const [id, f] of this.open) {
      if (f.taskGroupId !== group) continue;
      this.open.delete(id);
      this.toFetch.delete(f);
      f._reject(error);
    }
    this.checkIdle();
  }

  private *pendingIn(group: string): Iterable<string> {
    for (const [id, f] of this.open) if (f.taskGroupId === group) yield id;
  }

  private onResult(event: ResultEvent): void {
    const id = event.result.task_id;
    const future = this.open.get(id);
    if (future !== undefined) {
      this.deliver(future, event);
      return;
    }
    if (!this.keepsUnmatched()) return;
    if (this.unmatched.size >= MAX_UNMATCHED) this.unmatched.delete(this.unmatched.keys().next().value as string);
    this.unmatched.set(id, event);
  }

  /**
   * Whether events of tasks without a future are kept. Once no submission awaits its answer, those kept
   * while one did were someone else's (every answer has claimed its own), and go.
   */
  private keepsUnmatched(): boolean {
    if (this.awaitingAcknowledgement()) return true;
    this.unmatched.clear();
    this.unmatchedStates.clear();
    return false;
  }

  /** A live state change: the future shows it (and its transition) until the result arrives. */
  private onTaskState(event: TaskStateEvent): void {
    const future = this.open.get(event.taskId);
    if (future === undefined) {
      if (!this.keepsUnmatched() || this.unmatched.has(event.taskId)) return; // (already finished: the result wins)
      if (this.unmatchedStates.size >= MAX_UNMATCHED) this.unmatchedStates.delete(this.unmatchedStates.keys().next().value as string);
      this.unmatchedStates.set(event.taskId, event);
      return;
    }
    future._setState(event.state, event.transition ? [...future.transitions, event.transition] : undefined);
  }

  private deliver(future: ComputeFuture, event: ResultEvent): void {
    if (event.highAssurance) {
      // The message is only a notification: the result itself must be fetched over REST (protocol.md §7.2).
      if (event.result.task_statuses) future._setState(future.state, event.result.task_statuses);
      this.fetchFromService(future, 0);
      return;
    }
    const malformed = settleFromResult(future, event);
    if (malformed !== undefined) {
      // Not settled: a later good message still wins, and the service's record is asked meanwhile.
      this.malformed.fire({ taskId: future.taskId as string, error: malformed });
      this.afterMalformed.add(future);
      this.fetchFromService(future, 0);
      return;
    }
    this.open.delete(future.taskId as string);
    if (this.unmatchedStates.size > 0) this.unmatchedStates.delete(future.taskId as string);
    this.checkIdle();
  }

  /**
   * Batches REST fetches of results (high-assurance ones, and those whose message was malformed);
   * `delayMs` > 0 retries tasks not finished there yet.
   */
  private fetchFromService(future: ComputeFuture, delayMs: number): void {
    this.toFetch.add(future);
    if (this.fetchFlush !== undefined || this.disposables.isDisposed) return;
    this.fetchFlush = setTimeout(() => {
      this.fetchFlush = undefined;
      const futures = [...this.toFetch];
      this.toFetch.clear();
      void this.fetchResults(futures);
    }, delayMs);
  }

  private async fetchResults(futures: ComputeFuture[]): Promise<void> {
    for (let i = 0; i < futures.length; i += this.chunkSize) {
      const slice = futures.slice(i, i + this.chunkSize);
      try {
        const statuses = await this.service.getTaskStatuses(slice.map((f) => f.taskId as string));
        // The notification can overtake the REST record: ask again shortly for those not finished there.
        for (const f of this.applyStatuses(slice, statuses)) this.fetchFromService(f, STATUS_RETRY_MS);
      } catch (err) {
        let error: ExecutorError | undefined;
        for (const f of slice) {
          if (f.done()) continue;
          // After a malformed message the stream may still bring the result: keep polling meanwhile.
          if (this.afterMalformed.has(f)) {
            this.fetchFromService(f, STATUS_RETRY_MS);
            continue;
          }
          // The notification was acked: only the service's record holds the result. Wait out an outage.
          const failures = (this.fetchFailures.get(f) ?? 0) + 1;
          if (failures < FETCH_ATTEMPTS) {
            this.fetchFailures.set(f, failures);
            this.fetchFromService(f, Math.min(FETCH_RETRY_MAX_MS, STATUS_RETRY_MS * 2 ** (failures - 1)));
            continue;
          }
          error ??= new ExecutorError(
            "RESULT_FETCH_FAILED",
            `Fetching results from the service failed ${FETCH_ATTEMPTS} times over about two minutes (the last: ${err instanceof Error ? err.message : String(err)}); the service keeps them: reload the task group to try again.`,
            { cause: err },
          );
          this.open.delete(f.taskId as string);
          f._reject(error);
        }
      }
    }
    this.checkIdle();
  }

  /** Applies status records; returns the futures still unfinished. */
  private applyStatuses(futures: readonly ComputeFuture[], statuses: Map<string, TaskStatusRecord>): ComputeFuture[] {
    const unfinished: ComputeFuture[] = [];
    for (const f of futures) {
      if (f.done()) continue;
      const record = statuses.get(f.taskId as string);
      if (record !== undefined && applyStatusRecord(f, record)) this.open.delete(f.taskId as string);
      else unfinished.push(f);
    }
    return unfinished;
  }

  private checkIdle(): void {
    if ((this.open.size > 0 && !this.disposables.isDisposed) || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** Settles `future` with `settled`'s outcome and what the task reported (its timeline, output, result size). */
function settleLike(future: ComputeFuture, settled: ComputeFuture): void {
  if (future.done()) return;
  future.completionT = settled.completionT;
  future.resultSize = settled.resultSize;
  future.stdout = settled.stdout;
  future.stderr = settled.stderr;
  future._setState(future.state, settled.transitions);
  try {
    future._resolve(settled._settledValue());
  } catch (err) {
    future._reject(err as Error, settled.cancelled() ? "cancelled" : "failed");
  }
}

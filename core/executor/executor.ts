/**
 * The Executor: the Globus Compute SDK's `Executor` (protocol.md §8) in TypeScript, bound to one endpoint
 * and talking to it through a `ComputeService` (the cloud or the local endpoint).
 *
 * Where it departs from the SDK, on purpose: `submit()` never blocks (registration happens in the
 * background); a failed batch fails only its own futures and the Executor stays usable; a batch refused
 * as too large goes again in halves; `map()` works; a lost result stream never fails futures (the service
 * reconnects and polls meanwhile); the task group is not shared process-wide between Executors (a local
 * group id would be unknown to the cloud).
 */
import { inspect, type InspectOptions } from "node:util";
import { ComputeApiError } from "../protocol/apiError";
import { PyDict, type PyValue } from "../protocol/pyValue";
import type { ComputeService, SubmitBatchResponse, WatchState } from "../service/computeService";
import type { LocalTaskControl } from "../service/local/localTaskControl";
import { DisposableStore, type Disposable } from "../util/disposable";
import { Emitter, type Event } from "../util/event";
import { TurnBudget } from "../util/turnBudget";
import { BurstLimiter } from "./burstLimiter";
import { ComputeFuture, type FutureOwner } from "./computeFuture";
import { ExecutorError, TaskCancelledError } from "./errors";
import { autoChunkSize, chunkCosts, chunkRunner, chunkStarts, MapResult, MAX_AUTO_CHUNK_BYTES, type ChunkCosts } from "./mapResult";
import { FunctionRegistry, validateFunction, type FunctionRef, type PythonFunction } from "./functionRegistry";
import { canonicalUuid, jsonDict, resolveOptions, resultSerializers, type ExecutorOptions, type ResolvedOptions } from "./options";
import { ResultRouter, type MalformedResult, type WatchStateChange } from "./resultRouter";
import { encodeChunkPayload, encodeTaskPayload, unsendable, type Kwargs } from "./taskPayload";
import { TaskSubmitter, type BatchSpec, type SentBatch } from "./taskSubmitter";

/** `submit(fn, { args, kwargs })`: the explicit form, needed for keyword arguments. */
export interface CallArguments {
  args?: readonly PyValue[];
  kwargs?: Kwargs;
}

export interface MapOptions {
  /** Items per task: "auto" (default) or a positive integer; 1 sends one task per item. */
  chunk?: number | "auto";
  /** Workers the endpoint runs, for `chunk: "auto"` (default 4). */
  workers?: number;
  /** Each item is a dict of keyword arguments (`fn(**item)`), e.g. the rows of a CSV file. */
  keywordItems?: boolean;
}

export interface BatchSplit {
  /** Tasks in the refused request. */
  refused: number;
  /** Most tasks per request from now on. */
  batchSize: number;
  error: ComputeApiError;
}

export interface ShutdownOptions {
  /** Wait until every submitted task of this Executor has settled (default true). */
  wait?: boolean;
  /** Cancel the tasks not yet sent (default false). Sent tasks cannot be cancelled. */
  cancelFutures?: boolean;
}

export class Executor implements Disposable, AsyncDisposable {
  readonly endpointId: string;
  readonly label: string;
  private readonly options: ResolvedOptions;
  private readonly service: ComputeService;
  private readonly registry: FunctionRegistry;
  private readonly submitter: TaskSubmitter;
  private readonly disposables = new DisposableStore();
  private readonly router: ResultRouter;
  private spec: BatchSpec | undefined;
  private groupId: string | undefined;
  private submittedCount = 0;
  private stopped = false;
  /** Maps still encoding and queueing their tasks (see feed()). */
  private readonly feeding = new Set<Promise<void>>();
  /** Per chunk wrapper's source: what its chunks cost per item so far (sizes later automatic chunks; see noteChunkCosts). */
  private readonly chunkCosts = new Map<string, ChunkCosts>();
  /**
   * Set by dispose() and shutdown({ cancelFutures }): tasks not sent yet are cancelled, all with this one
   * error (it names no task; building one per future cost ~5 µs each, seconds for a 100k-task map).
   */
  private unsentCancelled: TaskCancelledError | undefined;
  /** Sent tasks cancelled this turn, for a service that can stop them (see stopSent). */
  private readonly toStop = new Set<string>();
  private readonly futureChange = this.disposables.add(new Emitter<ComputeFuture>());
  private readonly taskGroupChange = this.disposables.add(new Emitter<string>());
  private readonly batchSplit = this.disposables.add(new Emitter<BatchSplit>());
  private readonly owner: FutureOwner = {
    pauseSending: () => this.submitter.pause(),
    withdraw: (f) => f.state === "queued",
    detach: (f) => {
      this.router.forget(f);
      this.stopSent(f);
    },
    changed: (f) => this.futureChange.fire(f),
  };

  /** Any future of this Executor changed state (one event source for a whole UI, not one per future). */
  readonly onFutureChange: Event<ComputeFuture> = this.futureChange.event;
  /** The task group became known or changed: persist it to reload later. */
  readonly onTaskGroupChange: Event<string> = this.taskGroupChange.event;
  /** How results currently arrive (streaming, reconnecting, polling). */
  readonly onWatchStateChange: Event<WatchStateChange>;
  /** A result message could not be decoded; its task keeps waiting (for the owner to log). */
  readonly onMalformedResult: Event<MalformedResult>;
  /** The service refused a batch for its number of tasks: it went again in halves, and batches are smaller from now on. */
  readonly onBatchSplit: Event<BatchSplit> = this.batchSplit.event;

  constructor(options: ExecutorOptions) {
    this.options = resolveOptions(options);
    this.endpointId = this.options.endpointId;
    this.label = this.options.label;
    this.service = this.options.service;
    this.groupId = this.options.taskGroupId;
    this.registry = new FunctionRegistry(this.service);
    this.router = this.disposables.add(
      new ResultRouter(this.service, this.options.amqpPort, this.options.batchSize, () => this.submitter.awaitingAcknowledgement),
    );
    this.onWatchStateChange = this.router.onWatchStateChange;
    this.onMalformedResult = this.router.onMalformedResult;
    // The burst limit protects the web service (protocol.md §8.3); the local endpoint has none to protect,
    // and holding back a fifth small batch for 16 s would only stall maps and loops of submits there.
    const burst = this.service.kind === "local" ? Infinity : this.options.apiBurstLimit;
    const limiter = new BurstLimiter(burst, this.options.apiBurstWindowS * 1000);
    this.submitter = this.disposables.add(
      new TaskSubmitter(this.service, this.endpointId, this.options.batchSize, limiter, {
        currentTaskGroupId: () => this.groupId,
        // Forgotten by a local endpoint (it prunes its oldest groups): later tasks start a new one. On the
        // cloud an unknown group is the caller's mistake (a typo, another environment): the batch fails, as
        // in the SDK, rather than its tasks silently landing in a new group.
        groupGone:
          this.service.kind === "local"
            ? (id) => {
                if (this.groupId === id) {
                  this.groupId = undefined;
                  this.spec = undefined;
                }
                return this.groupId;
              }
            : undefined,
        // Listening before the tasks go: another Executor on the group may have its result stream flowing,
        // which would deliver (and ack) a quick result before this Executor's submission is acknowledged.
        sending: (group) => {
          if (group !== undefined) this.router.listen(group);
        },
        acknowledged: (batch, response) => this.acknowledged(batch, response),
        failed: (futures, error, stage) => this.failBatch(futures, error, stage),
        split: (refused, batchSize, error) => this.batchSplit.fire({ refused, batchSize, error }),
      }),
    );
  }

  get taskGroupId(): string | undefined {
    return this.groupId;
  }

  /** Points later submissions (and reloadTasks()) at an existing task group. */
  set taskGroupId(id: string | undefined) {
    const next = id === undefined ? undefined : canonicalUuid(id, "taskGroupId");
    if (next === this.groupId) return;
    this.groupId = next;
    this.spec = undefined;
    if (next !== undefined) this.taskGroupChange.fire(next);
  }

  /** Number of tasks the service has acknowledged for this Executor. */
  get taskCountSubmitted(): number {
    return this.submittedCount;
  }

  get batchSize(): number {
    return this.options.batchSize;
  }

  get resourceSpecification(): Record<string, unknown> | undefined {
    return this.options.resourceSpecification;
  }

  set resourceSpecification(value: Record<string, unknown> | undefined) {
    this.options.resourceSpecification = jsonDict(value, "resourceSpecification");
    this.spec = undefined;
  }

  get userEndpointConfig(): Record<string, unknown> | undefined {
    return this.options.userEndpointConfig;
  }

  set userEndpointConfig(value: Record<string, unknown> | undefined) {
    this.options.userEndpointConfig = jsonDict(value, "userEndpointConfig");
    this.spec = undefined;
  }

  get resultSerializers(): readonly string[] {
    return this.options.resultSerializers;
  }

  set resultSerializers(value: readonly string[] | undefined) {
    this.options.resultSerializers = resultSerializers(value);
    this.spec = undefined;
  }

  /** How results of the current task group arrive; `closed` when nothing is watched. */
  get watchState(): WatchState {
    return this.groupId === undefined ? "closed" : this.router.watchState(this.groupId);
  }

  get isShutdown(): boolean {
    return this.stopped;
  }

  /**
   * Queues a call of `fn` and returns its future at once; nothing is sent before the next turn of the
   * event loop, so a loop of submits goes out in few batches. Positional arguments directly, or
   * `submit(fn, { args, kwargs })`.
   */
  submit(fn: PythonFunction, ...args: PyValue[]): ComputeFuture;
  submit(fn: PythonFunction, call: CallArguments): ComputeFuture;
  submit(fn: PythonFunction, ...rest: unknown[]): ComputeFuture {
    this.assertRunning();
    // The positional form (most submits) goes straight through: no call object per task.
    const call = rest.length === 1 && isPlainObject(rest[0]) ? explicitCall(rest[0]) : undefined;
    const args = call === undefined ? (rest as PyValue[]) : call.args;
    const payload = encodeTaskPayload(args, call?.kwargs ?? NO_KWARGS, this.options.argumentSerialization);
    return this.enqueue(this.registry.refFor(validateFunction(fn)), payload);
  }

  /** Queues a call of a function registered earlier (possibly by someone else, e.g. a public function). */
  submitToRegisteredFunction(functionId: string, args: readonly PyValue[] = [], kwargs: Kwargs = {}): ComputeFuture {
    this.assertRunning();
    const id = canonicalUuid(functionId, "functionId");
    const payload = encodeTaskPayload(args, kwargs, this.options.argumentSerialization);
    return this.enqueue({ id, error: undefined, settled: Promise.resolve() }, payload);
  }

  /**
   * Registers `fn` now and returns its function id; later submits of the same source reuse it. With
   * `functionId`, binds the source to that id without calling the service.
   */
  async registerFunction(fn: PythonFunction, options: { functionId?: string } = {}): Promise<string> {
    this.assertRunning();
    const f = validateFunction(fn);
    const ref =
      options.functionId !== undefined
        ? this.registry.bind(f, canonicalUuid(options.functionId, "functionId"))
        : this.registry.refFor(f);
    await ref.settled;
    if (ref.error !== undefined) throw ref.error;
    return ref.id as string;
  }

  /**
   * Calls `fn` on every item (each item is the single argument); the result iterates (async) over the
   * results in input order, and the first failed item throws a MapItemError naming it. Everything is
   * submitted at once. Items go in chunks, one task running `fn` over many items, as Pool.map does:
   * `chunk: "auto"` (the default) picks about four chunks per worker (`workers`, default 4; pass the
   * endpoint's worker count when known), at most 2,000 items unless this function's earlier chunks showed
   * bigger ones keep a small result and a short run (see autoChunkSize); a number sets the chunk size,
   * 1 makes one task per item.
   */
  map(fn: PythonFunction, items: Iterable<PyValue>, options: MapOptions = {}): MapResult {
    this.assertRunning();
    const f = validateFunction(fn);
    const all = [...items];
    // Before anything is queued, by index: encoded later, a bad item would fail its whole chunk.
    for (let i = 0; i < all.length; i++) {
      const why = unsendable(all[i]);
      if (why !== undefined)
        throw new ExecutorError("INVALID_ARGUMENTS", `map item ${i} (${inspect(all[i], INSPECT_ITEM)}) cannot be sent: ${why}.`);
    }
    const auto = options.chunk === undefined || options.chunk === "auto";
    const keywords = options.keywordItems === true;
    const runner = validateFunction(chunkRunner(f, keywords));
    const chunk = options.chunk === undefined || options.chunk === "auto" ? autoChunkSize(all.length, options.workers, this.chunkCosts.get(runner.source)) : options.chunk;
    if (!Number.isInteger(chunk) || chunk < 1)
      throw new ExecutorError("INVALID_ARGUMENTS", `map chunk must be a positive integer or "auto", got ${String(chunk)}.`);
    if (keywords) for (const x of all) keywordArguments(x);
    const mode = this.options.argumentSerialization;
    // An automatic chunk is capped by bytes too; a chunk size the caller set is kept as given.
    const starts = chunk === 1 ? undefined : chunkStarts(all, chunk, auto ? MAX_AUTO_CHUNK_BYTES : Infinity);
    // Task i's payload, encoded only when it is queued (one function for the map, not a closure per item).
    const payloadOf =
      starts === undefined
        ? (i: number) => (keywords ? encodeTaskPayload([], keywordArguments(all[i]), mode) : encodeTaskPayload([all[i]], {}, mode))
        : (i: number) => encodeChunkPayload(all.slice(starts[i], starts[i + 1] ?? all.length), mode);
    const ref = this.registry.refFor(chunk === 1 ? f : runner);
    const futures = Array.from({ length: starts?.length ?? all.length }, () => new ComputeFuture(this.owner));
    // Once a chunk ran (whoever reads its results, and however often), its costs size this function's later automatic chunks.
    starts?.forEach((first, i) => {
      const future = futures[i];
      void future.then(() => this.noteChunkCosts(runner.source, (starts[i + 1] ?? all.length) - first, future), NOTHING);
    });
    return new MapResult(futures, chunk, all, this.feed(ref, payloadOf, futures), starts);
  }

  /**
   * Futures for every task of a task group (default: the current one), e.g. after the process that
   * submitted them died. Finished tasks settle at once; the rest are watched. Tasks this Executor already
   * has futures for are left out (as in the SDK). Returned in task-group order.
   */
  async reloadTasks(taskGroupId?: string): Promise<ComputeFuture[]> {
    this.assertRunning();
    if (taskGroupId !== undefined) this.taskGroupId = taskGroupId;
    const group = this.groupId;
    if (group === undefined)
      throw new ExecutorError("NO_TASK_GROUP", "No task group to reload: pass a task group id or set executor.taskGroupId.");
    const info = await this.service.getTaskGroup(group);
    if (info.taskGroupId !== group)
      throw new ExecutorError(
        "TASK_GROUP_MISMATCH",
        `Asked for task group ${group} but the service answered for ${info.taskGroupId}.`,
      );
    const futures: ComputeFuture[] = [];
    for (const { id } of info.tasks) {
      if (this.router.has(id)) continue;
      const f = new ComputeFuture(this.owner, id);
      f.taskGroupId = group;
      this.router.track(f);
      futures.push(f);
    }
    try {
      await this.router.settleFromStatuses(futures);
    } catch (err) {
      // Nobody gets these futures: stop waiting for them, so that a retry lists their tasks again and
      // shutdown does not wait for them. (Tracked before the statuses load, so no result is missed meanwhile.)
      const stopped = TaskCancelledError.stoppedWaitingTogether("reloading its task group failed");
      for (const f of futures) {
        if (f.done()) continue;
        f._reject(stopped, "cancelled");
        this.router.forget(f);
      }
      throw err;
    }
    return futures;
  }

  /**
   * Stops accepting tasks. Queued tasks are still sent unless `cancelFutures`; with `wait` (default) it
   * resolves once every task of this Executor has settled. Resources are released once nothing is left
   * to wait for. Idempotent.
   */
  async shutdown({ wait = true, cancelFutures = false }: ShutdownOptions = {}): Promise<void> {
    this.stopped = true;
    if (cancelFutures) {
      this.cancelUnsent();
    }
    const finished = Promise.all([...this.feeding])
      .then(() => this.submitter.idle())
      .then(() => this.router.idle())
      .then(() => this.dispose());
    if (wait) await finished;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }

  /** Hard stop: cancels queued tasks, stops waiting for sent ones, closes result streams. */
  dispose(): void {
    if (this.disposables.isDisposed) return;
    this.stopped = true;
    this.cancelUnsent();
    this.disposables.dispose();
  }

  /**
   * A sent task the person cancelled: a service that can stop it (the local endpoint kills its worker) is
   * asked, once per turn for all of them (cancelling a map's sent chunks is one request). The cloud cannot,
   * and closing (dispose, shutdown) never stops sent tasks: a window closed keeps its tasks running.
   */
  private stopSent(future: ComputeFuture): void {
    const control = this.service as Partial<LocalTaskControl>;
    if (future.taskId === undefined || typeof control.cancelTasks !== "function") return;
    if (this.toStop.size === 0) {
      setImmediate(() => {
        const ids = [...this.toStop];
        this.toStop.clear();
        // The task was cancelled here already; a task that ended meanwhile is simply not stopped.
        control.cancelTasks!(ids).catch(() => undefined);
      });
    }
    this.toStop.add(future.taskId);
  }

  private noteChunkCosts(source: string, count: number, future: ComputeFuture): void {
    const seen = chunkCosts(count, future);
    if (seen === undefined) return;
    const known = this.chunkCosts.get(source);
    if (known === undefined) return void this.chunkCosts.set(source, seen);
    // The largest result size (the limit is hard); run time as an average quick to rise and slow to fall,
    // as one chunk's may include the function's first import or a stall of a busy machine.
    known.bytesPerItem = Math.max(known.bytesPerItem, seen.bytesPerItem);
    known.secondsPerItem += (seen.secondsPerItem - known.secondsPerItem) * (seen.secondsPerItem > known.secondsPerItem ? 1 / 2 : 1 / 8);
  }

  private cancelUnsent(): void {
    const error = (this.unsentCancelled ??= new TaskCancelledError(false, undefined));
    for (const f of this.submitter.takeQueued()) f._reject(error, "cancelled");
  }

  private assertRunning(): void {
    if (this.stopped)
      throw new ExecutorError("EXECUTOR_SHUT_DOWN", "This Executor is shut down; create a new one to submit more tasks.");
  }

  /**
   * Encodes and queues a map's tasks, giving the event loop a turn every FEED_BUDGET_MS: a map of 100k
   * items must not stall the host that started it. A small map is queued before map() returns.
   */
  private feed(fn: FunctionRef, payloadOf: (task: number) => string, futures: readonly ComputeFuture[]): Promise<void> {
    const spec = this.currentSpec();
    const release = this.submitter.hold();
    const feeding = (async () => {
      // Not in the caller's turn: map() returns its futures at once, and a big map's caller (the editor's
      // Map Function, which parsed the items in this turn) has its own work to do there.
      await new Promise((resolve) => setImmediate(resolve));
      const budget = new TurnBudget(FEED_BUDGET_MS);
      for (let i = 0; i < futures.length; i++) {
        const future = futures[i];
        if (this.unsentCancelled) future._reject(this.unsentCancelled, "cancelled");
        // A future cancelled while waiting its turn is skipped; cancelling is spread over turns as queueing is.
        if (!future.done()) {
          let payload: string | undefined;
          try {
            payload = payloadOf(i);
          } catch (err) {
            future._reject(err instanceof Error ? err : new Error(String(err)));
          }
          if (payload !== undefined) this.submitter.enqueue({ future, fn, payload, spec });
        }
        if (i + 1 < futures.length && budget.spent) await budget.nextTurn();
      }
    })();
    this.feeding.add(feeding);
    void feeding.finally(() => {
      release();
      this.feeding.delete(feeding);
    });
    return feeding;
  }

  private enqueue(fn: FunctionRef, payload: string): ComputeFuture {
    const future = new ComputeFuture(this.owner);
    this.submitter.enqueue({ future, fn, payload, spec: this.currentSpec() });
    return future;
  }

  /** The spec every new task shares until an option changes (one object for many tasks). */
  private currentSpec(): BatchSpec {
    if (this.spec === undefined) {
      const o = this.options;
      this.spec = {
        key: JSON.stringify([
          this.groupId ?? null,
          sortedJson(o.resourceSpecification),
          sortedJson(o.userEndpointConfig),
          o.resultSerializers,
        ]),
        taskGroupId: this.groupId,
        resourceSpecification: o.resourceSpecification,
        userEndpointConfig: o.userEndpointConfig,
        resultSerializers: o.resultSerializers,
      };
    }
    return this.spec;
  }

  private acknowledged(batch: SentBatch, response: SubmitBatchResponse): void {
    const group = response.taskGroupId;
    // The service assigns the group on first submit; adopt it unless the user has moved on meanwhile.
    if (group !== this.groupId && batch.taskGroupId === this.groupId) {
      this.groupId = group;
      this.spec = undefined;
      this.taskGroupChange.fire(group);
    }
    for (const [functionId, futures] of batch.byFunction) {
      const ids = response.tasks[functionId];
      this.submittedCount += ids?.length ?? 0;
      if (ids === undefined || ids.length !== futures.length) {
        const error = new ExecutorError(
          "SUBMIT_RESPONSE_MISMATCH",
          `The service acknowledged ${ids?.length ?? 0} task(s) of function ${functionId} but ${futures.length} were sent; the tasks' fate is unknown (reload the task group ${group} to find them).`,
        );
        for (const f of futures) f._reject(error);
        continue;
      }
      futures.forEach((f, i) => {
        const id = ids[i];
        if (f.done()) return; // stopped waiting while the request was in flight
        f.taskId = id;
        f.taskGroupId = group;
        if (this.router.isDisposed) {
          f.cancel(); // disposed while the request was in flight: nobody watches for results any more
          return;
        }
        f._setState("received");
        this.router.track(f);
      });
    }
  }

  private failBatch(futures: readonly ComputeFuture[], error: unknown, stage: "register" | "submit"): void {
    const err =
      error instanceof ExecutorError
        ? error
        : new ExecutorError(
            "SUBMIT_FAILED",
            `Submitting ${futures.length} task(s) to endpoint ${this.endpointId} failed${stage === "submit" && retried(error) ? " after retries" : ""}: ${error instanceof Error ? error.message : String(error)}. Other tasks are unaffected; submit these again when the cause is fixed.`,
            { cause: error },
          );
    for (const f of futures) f._reject(err);
  }
}

/** Whether the REST client retried before giving up with this error (it retries what may pass later). */
function retried(error: unknown): boolean {
  return !(error instanceof ComputeApiError) || error.retryable;
}

/** A bad map item or call object as its error names it: short, on one line. */
const INSPECT_ITEM: InspectOptions = { depth: 1, maxArrayLength: 5, maxStringLength: 40, breakLength: Infinity };

/** A map queues tasks for this long before the event loop gets a turn. */
const FEED_BUDGET_MS = 4;

function keywordArguments(item: PyValue): Kwargs {
  if (!(item instanceof PyDict) || !item.entries.every(([k]) => typeof k === "string"))
    throw new ExecutorError("INVALID_ARGUMENTS", "map with keywordItems needs every item to be a dict with str keys (keyword arguments).");
  return item;
}

const NO_KWARGS: Kwargs = Object.freeze({});
/** A failed chunk teaches nothing (its error goes to whoever reads it). */
const NOTHING = (): void => undefined;

/**
 * The call form, `{ args, kwargs }`, with at least one of them: a plain object is never taken as keyword
 * arguments (`{}` would call fn() with none, `{ a: 1 }` would be a dict argument written the wrong way).
 */
function explicitCall(call: CallArguments & Record<string, unknown>): { args: readonly PyValue[]; kwargs: Kwargs } {
  const keys = Object.keys(call);
  if (keys.length === 0 || !keys.every((k) => k === "args" || k === "kwargs"))
    throw new ExecutorError(
      "INVALID_ARGUMENTS",
      `submit() got a plain object (${inspect(call, INSPECT_ITEM)}), which is neither a Python value nor the call form: pass a dict argument as PyDict.fromObject({...}), keyword arguments as submit(fn, { kwargs: {...} }), and both kinds as submit(fn, { args: [...], kwargs: {...} }).`,
    );
  if (call.args !== undefined && !Array.isArray(call.args))
    throw new ExecutorError("INVALID_ARGUMENTS", "args must be an array of positional arguments.");
  if (call.kwargs !== undefined && (typeof call.kwargs !== "object" || call.kwargs === null || Array.isArray(call.kwargs)))
    throw new ExecutorError("INVALID_ARGUMENTS", "kwargs must be a PyDict or a plain object of keyword arguments.");
  return { args: call.args ?? [], kwargs: call.kwargs ?? NO_KWARGS };
}

/** PyValues are never plain objects: a lone one is meant as the call form (explicitCall checks it is). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function sortedJson(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Follows each task group the extension runs, from submission (or reload) to its last result: feeds its
 * futures into the TaskGroupModel, stores the group once the service acknowledged it (so the workspace
 * reloads it), reports each result, and releases the Executor when nothing is left to wait for. Forgetting
 * the group in the model stops all of that and forgets the stored record.
 */
import { randomUUID } from "node:crypto";
import type { ComputeFuture, Executor } from "../../core/executor";
import type { ChunkItems } from "../../core/executor/mapResult";
import { ExecutorError } from "../../core/executor/errors";
import { ResultWatchFailed, type WatchState } from "../../core/service/computeService";
import { DisposableStore, toDisposable, type Disposable } from "../../core/util/disposable";
import { Emitter, type Event } from "../../core/util/event";
import type { SettledTask } from "../output/resultOutput";
import type { StoredOrigin, TaskGroupStore } from "../state/taskGroupStore";
import { feedFutures, type FedCall } from "./futureFeed";
import type { TaskGroupModel } from "./taskGroupModel";
import type { TaskHistoryRecorder } from "./taskHistoryRecorder";

export interface TrackedEndpoint {
  kind: "local" | "cloud";
  name: string;
  /** `local` or the endpoint UUID. */
  id: string;
}

export interface TrackRequest {
  executor: Executor;
  calls: readonly FedCall[];
  functionName: string;
  endpoint: TrackedEndpoint;
  /** LOCAL_SERVICE or the web-service URL. */
  service: string;
  origin?: StoredOrigin;
  /** A multi-user endpoint's configuration, when one was chosen. */
  configuration?: string;
  createdAt?: number;
  /** The model key: a reloaded group keeps its task group id as key; a new one gets a fresh key. */
  key?: string;
  /** False for groups reloaded from the store (already recorded). */
  persist: boolean;
  /** A map from the editor: it reports progress and a summary itself, so no output per task. */
  summaryOnly?: boolean;
}

/** What the rest of the extension may know about a tracked group. */
export interface TrackedGroup {
  readonly key: string;
  readonly functionName: string;
  readonly endpoint: TrackedEndpoint;
  readonly service: string;
  readonly origin: StoredOrigin | undefined;
  readonly futures: readonly ComputeFuture[];
  readonly calls: readonly string[];
  /** A map's chunk tasks, by their index in `futures`: the items each carried. */
  readonly chunkItems: ReadonlyMap<number, ChunkItems>;
  readonly taskGroupId: string | undefined;
  /** The multi-user endpoint configuration the tasks ran with (a Re-run reuses it). */
  readonly configuration: string | undefined;
  readonly summaryOnly: boolean;
  /** A task failed because the service refused the sign-in while waiting (ResultWatchFailed): reload it after signing in. */
  readonly signInRefused: boolean;
}

export interface TrackerHooks {
  /** A task settled; `live` is false for results that were in before the group was fed (a reload). */
  onSettled(task: SettledTask, group: TrackedGroup, live: boolean, future: ComputeFuture): void;
  /**
   * A map's chunks settled (summaryOnly groups, whose tasks are not reported one by one): at each tenth of
   * its items and when all are done, with `tookMs` from the group's creation to its last result then.
   */
  onMapProgress?(group: TrackedGroup, progress: MapProgress): void;
  /** The group's tasks could not be submitted (once per group): the error says why. */
  onSubmitFailure(error: ExecutorError, group: TrackedGroup): void;
  /** Releases the Executor once the group has nothing left to wait for. */
  release(executor: Executor): void;
  log(message: string): void;
  /** The durable history every tracked group is recorded in. */
  history?: Pick<TaskHistoryRecorder, "follow" | "settled" | "forget">;
}

export interface MapProgress {
  total: number;
  done: number;
  failed: number;
  /** Milliseconds since the epoch of the latest result. */
  at: number;
  tookMs?: number;
}

/** Acknowledgements arriving within this window are stored in one write. */
const PERSIST_DELAY_MS = 100;

interface Entry extends TrackedGroup {
  /** The Executors whose futures are still followed (released when everything settled). */
  readonly executors: Executor[];
  readonly futures: ComputeFuture[];
  readonly calls: string[];
  readonly chunkItems: Map<number, ChunkItems>;
  /** The task group id, once known (kept after its Executors are released). */
  knownTaskGroupId: string | undefined;
  readonly configuration: string | undefined;
  readonly persist: boolean;
  readonly createdAt: number;
  readonly disposables: DisposableStore;
  settled: number;
  failureReported: boolean;
  signInRefused: boolean;
  /** A map's items (summaryOnly groups): how many, how many settled and failed, the tenths reported, the last result's time. */
  readonly map: { total: number; done: number; failed: number; tenths: number; lastAt: number };
}

export class TaskGroupTracker implements Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly disposables = new DisposableStore();
  private readonly watchStates = new Map<string, WatchState>();
  private readonly watchChange = this.disposables.add(new Emitter<void>());
  /** The result streams' states changed (see `watchStates`). */
  readonly onWatchStateChange: Event<void> = this.watchChange.event;

  constructor(
    private readonly model: TaskGroupModel,
    private readonly store: TaskGroupStore,
    private readonly hooks: TrackerHooks,
  ) {
    this.disposables.add(
      model.onDidChange((change) => {
        if (change.kind === "removed") this.forget(change.groupKey);
      }),
    );
  }

  /** How results arrive, per tracked group that is still waiting. */
  get currentWatchStates(): readonly WatchState[] {
    return [...this.watchStates.values()];
  }

  get(key: string): TrackedGroup | undefined {
    return this.entries.get(key);
  }

  /** Adds the group to the model (unless it is there already) and follows it; returns its model key. */
  track(request: TrackRequest): string {
    const key = request.key ?? randomUUID();
    const createdAt = request.createdAt ?? Date.now();
    if (this.model.get(key) === undefined) {
      this.model.add({
        key,
        taskGroupId: request.executor.taskGroupId,
        functionName: request.functionName,
        endpoint: { name: request.endpoint.name, id: request.endpoint.id },
        ...(request.configuration !== undefined ? { configuration: request.configuration } : {}),
        createdAt,
      });
    }
    const entry: Entry = {
      key,
      functionName: request.functionName,
      endpoint: request.endpoint,
      service: request.service,
      origin: request.origin,
      configuration: request.configuration,
      futures: [],
      calls: [],
      chunkItems: new Map(),
      summaryOnly: request.summaryOnly === true,
      get taskGroupId() {
        return this.knownTaskGroupId ?? this.executors.find((e) => e.taskGroupId !== undefined)?.taskGroupId;
      },
      knownTaskGroupId: request.executor.taskGroupId,
      executors: [],
      createdAt,
      disposables: new DisposableStore(),
      settled: 0,
      failureReported: false,
      signInRefused: false,
      map: { total: 0, done: 0, failed: 0, tenths: 0, lastAt: 0 },
      persist: request.persist,
    };
    this.entries.set(key, entry);
    this.follow(entry, request.executor, request.calls);
    return key;
  }

  /**
   * Adds calls submitted through another Executor into the same task group to a tracked group (as the SDK's
   * Executor adds each submission to its one group). False when the group is not tracked (forgotten).
   */
  extend(key: string, executor: Executor, calls: readonly FedCall[]): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined || this.model.get(key) === undefined) return false;
    this.follow(entry, executor, calls);
    return true;
  }

  private follow(entry: Entry, executor: Executor, calls: readonly FedCall[]): void {
    const { key, disposables } = entry;
    entry.executors.push(executor);
    entry.futures.push(...calls.map((c) => c.future));
    calls.forEach((c, i) => {
      if (c.items === undefined) return;
      entry.chunkItems.set(entry.calls.length + i, c.items);
      entry.map.total += c.items.count;
    });
    entry.calls.push(...calls.map((c) => c.call));
    if (entry.persist) this.persistOnAcknowledgement(entry, executor);
    const history = this.hooks.history;
    if (history !== undefined) {
      const { name, id } = entry.endpoint;
      const recorded = { key, functionName: entry.functionName, endpoint: { name, id }, service: entry.service, createdAt: entry.createdAt };
      disposables.add(history.follow({ ...recorded, origin: entry.origin, configuration: entry.configuration }, calls, executor));
    }
    disposables.add(
      executor.onWatchStateChange(({ state }) => {
        this.watchStates.set(key, state);
        this.watchChange.fire();
      }),
    );
    disposables.add(
      toDisposable(() => {
        if (this.watchStates.delete(key)) this.watchChange.fire();
      }),
    );
    disposables.add(
      feedFutures(this.model, key, calls, {
        onSettled: (task, { live, future, row, chunk }) => {
          this.hooks.history?.settled(future, row);
          this.settled(entry, task, live, future);
          if (chunk && entry.summaryOnly) this.chunkSettled(entry, chunk, Number(future.completionT ?? 0) * 1000 || Date.now());
        },
      }),
    );
    if (entry.settled === entry.futures.length) this.finish(entry);
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.disposables.dispose();
    this.entries.clear();
    this.disposables.dispose();
  }

  private settled(entry: Entry, task: SettledTask, live: boolean, future: ComputeFuture): void {
    entry.settled++;
    const error = "error" in task.outcome ? task.outcome.error : undefined;
    if (error instanceof ResultWatchFailed && error.code === "SIGN_IN_REFUSED") entry.signInRefused = true;
    if (
      error instanceof ExecutorError &&
      (error.code === "SUBMIT_FAILED" || error.code === "REGISTRATION_FAILED" || error.code === "INVALID_ARGUMENTS") &&
      !entry.failureReported
    ) {
      entry.failureReported = true;
      this.hooks.onSubmitFailure(error, entry);
    }
    if (!entry.summaryOnly) this.hooks.onSettled(task, entry, live, future);
    if (entry.settled === entry.futures.length) this.finish(entry);
  }

  private chunkSettled(entry: Entry, chunk: { count: number; failed: number }, at: number): void {
    const map = entry.map;
    map.done += chunk.count;
    map.failed += chunk.failed;
    map.lastAt = Math.max(map.lastAt, at);
    const tenths = Math.floor((map.done * 10) / map.total);
    if (map.done < map.total && tenths <= map.tenths) return;
    map.tenths = tenths;
    const progress: MapProgress = { total: map.total, done: map.done, failed: map.failed, at: map.lastAt };
    if (map.done === map.total) progress.tookMs = map.lastAt - entry.createdAt;
    this.hooks.onMapProgress?.(entry, progress);
  }

  /** Everything settled: stop watching, keep the rows (and the entry, for Open Result and Re-run). */
  private finish(entry: Entry): void {
    entry.knownTaskGroupId = entry.taskGroupId; // kept after the Executors that know it go
    for (const executor of entry.executors.splice(0)) this.hooks.release(executor);
    if (this.watchStates.delete(entry.key)) this.watchChange.fire();
  }

  private persistOnAcknowledgement(entry: Entry, executor: Executor): void {
    let timer: NodeJS.Timeout | undefined;
    const persist = () => {
      timer = undefined;
      const taskGroupId = entry.taskGroupId;
      if (taskGroupId === undefined || this.model.get(entry.key) === undefined) return;
      this.store
        .save({
          taskGroupId,
          endpoint: { name: entry.endpoint.name, id: entry.endpoint.id },
          service: entry.service,
          functionName: entry.functionName,
          createdAt: entry.createdAt,
          calls: entry.futures.map((f, i) => ({ call: entry.calls[i], taskId: f.taskId })),
          origin: entry.origin,
        })
        .then(undefined, (err: unknown) => this.hooks.log(`Could not store task group ${taskGroupId}: ${String(err)}`));
    };
    entry.disposables.add(
      executor.onFutureChange((f) => {
        // A task id arrives with the service's acknowledgement; store the group then (batched).
        if (f.taskId !== undefined && f.state === "received") timer ??= setTimeout(persist, PERSIST_DELAY_MS);
      }),
    );
    entry.disposables.add(
      toDisposable(() => {
        if (timer !== undefined) clearTimeout(timer);
      }),
    );
  }

  /** Stops following a group (its Executors released), keeping its record: it is about to be reloaded again. */
  stopFollowing(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    entry.disposables.dispose();
    this.finish(entry);
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    this.stopFollowing(key);
    this.hooks.history?.forget(key);
    // A group that could not be reloaded is not tracked, but stored under its id (its model key).
    const id = entry?.taskGroupId ?? (this.store.get(key) !== undefined ? key : undefined);
    if (id !== undefined) {
      void this.store.forget(id).then(undefined, (err: unknown) => this.hooks.log(`Could not forget task group ${id}: ${String(err)}`));
    }
  }
}

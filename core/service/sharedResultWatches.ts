/**
 * One underlying watch per task group per service, shared by every watch of that group (as the SDK keeps
 * one watcher per group per process). In the cloud, two consumers on one queue would split the messages
 * between them, round robin, and each would ack the other's results: those would be lost to their
 * futures. On the local endpoint, each watch would be sent, and would decode, every result of the group.
 */
import type { ResultEvent, ResultWatch, TaskStateEvent, WatchOptions, WatchState, WatchStateEvent } from "./computeService";
import { DisposableStore } from "../util/disposable";
import type { Event } from "../util/event";

/** What the underlying watch is told of the watches sharing it. */
export interface SharedWatchOptions {
  amqpPort?: number;
  /** What the watches that say so still await (polled while a cloud stream is down, replayed locally). */
  pendingTaskIds: () => Iterable<string>;
  /** Whether one of them does not say, so awaits any task of the group (the local endpoint replays all). */
  awaitsAnyTask: () => boolean;
}

type WatchFactory = (taskGroupId: string, options: SharedWatchOptions) => ResultWatch;

interface Entry {
  watcher: ResultWatch;
  handles: Set<SharedWatch>;
}

export class SharedResultWatches {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly create: WatchFactory) {}

  /** A watch of `taskGroupId`; the first one's `amqpPort` applies to the shared connection. */
  watch(taskGroupId: string, options: WatchOptions): ResultWatch {
    let entry = this.entries.get(taskGroupId);
    // A watch that gave up (its group gone, its service unreachable, the sign-in refused) is not handed to
    // newcomers: they try anew (a reload after signing in again).
    if (entry === undefined || entry.watcher.state === "closed" || entry.watcher.state === "failed") {
      const handles = new Set<SharedWatch>();
      const watcher = this.create(taskGroupId, {
        amqpPort: options.amqpPort,
        pendingTaskIds: function* () {
          for (const h of handles) yield* h.pendingTaskIds?.() ?? [];
        },
        awaitsAnyTask: () => [...handles].some((h) => h.pendingTaskIds === undefined),
      });
      entry = { watcher, handles };
      this.entries.set(taskGroupId, entry);
    }
    const e = entry;
    const handle = new SharedWatch(e.watcher, options.pendingTaskIds, () => {
      e.handles.delete(handle);
      if (e.handles.size > 0) return;
      if (this.entries.get(taskGroupId) === e) this.entries.delete(taskGroupId);
      e.watcher.dispose();
    });
    e.handles.add(handle);
    return handle;
  }

  dispose(): void {
    for (const e of [...this.entries.values()]) for (const h of [...e.handles]) h.dispose();
  }
}

class SharedWatch implements ResultWatch {
  private readonly subscriptions = new DisposableStore();
  readonly onResult: Event<ResultEvent>;
  readonly onTaskState: Event<TaskStateEvent> | undefined;
  readonly onStateChange: Event<WatchStateEvent>;

  constructor(
    private readonly watcher: ResultWatch,
    readonly pendingTaskIds: (() => Iterable<string>) | undefined,
    private readonly release: () => void,
  ) {
    this.onResult = (listener) => this.subscriptions.add(watcher.onResult(listener));
    const onTaskState = watcher.onTaskState;
    this.onTaskState = onTaskState && ((listener) => this.subscriptions.add(onTaskState(listener)));
    this.onStateChange = (listener) => this.subscriptions.add(watcher.onStateChange(listener));
  }

  get taskGroupId(): string {
    return this.watcher.taskGroupId;
  }

  get state(): WatchState {
    return this.subscriptions.isDisposed ? "closed" : this.watcher.state;
  }

  dispose(): void {
    if (this.subscriptions.isDisposed) return;
    this.subscriptions.dispose();
    this.release();
  }
}

/**
 * One ResultWatcher per task group per service, shared by every watch of that group (as the SDK keeps
 * one watcher per group per process). Two consumers on one queue would split the messages between
 * them, round robin, and each would ack the other's results: those would be lost to their futures.
 */
import type { ResultEvent, ResultWatch, TaskStateEvent, WatchOptions, WatchState } from "../computeService";
import { DisposableStore } from "../../util/disposable";
import type { Event } from "../../util/event";
import type { ResultWatcher } from "./resultWatcher";

type WatcherFactory = (taskGroupId: string, options: { amqpPort?: number; pendingTaskIds: () => Iterable<string> }) => ResultWatcher;

interface Entry {
  watcher: ResultWatcher;
  handles: Set<SharedWatch>;
}

export class SharedResultWatchers {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly create: WatcherFactory) {}

  /** A watch of `taskGroupId`; the first one's `amqpPort` applies to the shared connection. */
  watch(taskGroupId: string, options: WatchOptions): ResultWatch {
    let entry = this.entries.get(taskGroupId);
    if (entry === undefined) {
      const handles = new Set<SharedWatch>();
      const watcher = this.create(taskGroupId, {
        amqpPort: options.amqpPort,
        // While the stream is down, poll for what any of the watches still awaits.
        pendingTaskIds: function* () {
          for (const h of handles) yield* h.pendingTaskIds?.() ?? [];
        },
      });
      entry = { watcher, handles };
      this.entries.set(taskGroupId, entry);
    }
    const e = entry;
    const handle = new SharedWatch(e.watcher, options.pendingTaskIds, () => {
      e.handles.delete(handle);
      if (e.handles.size > 0) return;
      this.entries.delete(taskGroupId);
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
  readonly onTaskState: Event<TaskStateEvent>;
  readonly onStateChange: Event<{ state: WatchState; reason?: string }>;

  constructor(
    private readonly watcher: ResultWatcher,
    readonly pendingTaskIds: (() => Iterable<string>) | undefined,
    private readonly release: () => void,
  ) {
    this.onResult = (listener) => this.subscriptions.add(watcher.onResult(listener));
    this.onTaskState = (listener) => this.subscriptions.add(watcher.onTaskState(listener));
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

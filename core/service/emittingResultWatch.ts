import { Emitter, type Event } from "../util/event";
import type { ResultEvent, ResultWatch, TaskStateEvent, WatchState } from "./computeService";

/**
 * The event plumbing and closing rules every ResultWatch shares: results and task states are
 * passed on until the watch closes (also while it is still connecting: an event may arrive just
 * before the reply that opened the watch is processed), a watch closes once, and `close(reason)` announces itself on the
 * next turn so that a caller who just received the watch can still subscribe. Subclasses say how
 * results reach them and what detaching means (`detach`).
 */
export abstract class EmittingResultWatch implements ResultWatch {
  private readonly resultEmitter = new Emitter<ResultEvent>();
  private readonly stateEmitter = new Emitter<{ state: WatchState; reason?: string }>();
  private readonly taskStateEmitter = new Emitter<TaskStateEvent>();
  readonly onResult: Event<ResultEvent> = this.resultEmitter.event;
  readonly onStateChange: Event<{ state: WatchState; reason?: string }> = this.stateEmitter.event;
  readonly onTaskState: Event<TaskStateEvent> = this.taskStateEmitter.event;
  private current: WatchState;

  constructor(
    readonly taskGroupId: string,
    initial: WatchState,
  ) {
    this.current = initial;
  }

  get state(): WatchState {
    return this.current;
  }

  /** Stops whatever feeds this watch; called once, when it closes. */
  protected abstract detach(): void;

  setState(state: WatchState, reason?: string): void {
    if (this.current === "closed" || this.current === state) return;
    this.current = state;
    this.stateEmitter.fire({ state, reason });
  }

  protected emitResult(event: ResultEvent): void {
    if (this.current !== "closed") this.resultEmitter.fire(event);
  }

  protected emitTaskState(event: TaskStateEvent): void {
    if (this.current !== "closed") this.taskStateEmitter.fire(event);
  }

  /** Ends the watch; the state change is announced after the caller had a chance to subscribe. */
  close(reason: string): void {
    if (this.current === "closed") return;
    this.current = "closed";
    this.detach();
    setImmediate(() => {
      this.stateEmitter.fire({ state: "closed", reason });
      this.disposeEmitters();
    });
  }

  dispose(): void {
    if (this.current === "closed") return;
    this.current = "closed";
    this.detach();
    this.stateEmitter.fire({ state: "closed" });
    this.disposeEmitters();
  }

  private disposeEmitters(): void {
    this.resultEmitter.dispose();
    this.stateEmitter.dispose();
    this.taskStateEmitter.dispose();
  }
}

/**
 * Runs work in order, a few milliseconds of it per turn of the event loop. A socket read can bring many
 * results at once (the daemon coalesces them; amqplib handles every frame of a read in one go), and each
 * settles a future whose listeners decode and record it: done in one turn, a burst of 2,000-item map
 * chunks kept the extension host busy for tens of milliseconds. Work that finds the turn's budget spent
 * waits for a later turn (setImmediate), behind anything already waiting, so the order never changes.
 */
import type { Disposable } from "./disposable";

/** Work per turn before the rest waits for a later one (at least one piece of work always runs). */
export const TURN_BUDGET_MS = 5;

export interface TurnSlicerOptions {
  budgetMs?: number;
  /**
   * Called with true when work starts waiting and false once it has all run, so the source can stop
   * reading (pause its socket) while there is a backlog.
   */
  onBacklog?: (waiting: boolean) => void;
}

export class TurnSlicer implements Disposable {
  private readonly queue: (() => void)[] = [];
  /** When the current turn's work started; undefined until some runs in a turn. */
  private turnStarted: number | undefined;
  private scheduled = false;
  private disposed = false;
  private readonly budgetMs: number;

  constructor(private readonly options: TurnSlicerOptions = {}) {
    this.budgetMs = options.budgetMs ?? TURN_BUDGET_MS;
  }

  /** The number of pieces of work waiting for a later turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Runs `work` now if nothing waits and this turn has budget left, else on a later turn. */
  run(work: () => void): void {
    if (this.disposed) return;
    if (this.queue.length === 0 && this.withinBudget()) {
      work();
      return;
    }
    this.queue.push(work);
    if (this.queue.length === 1) this.options.onBacklog?.(true);
    this.schedule();
  }

  /** Drops the work still waiting. */
  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
  }

  private withinBudget(): boolean {
    const now = performance.now();
    if (this.turnStarted === undefined) {
      this.turnStarted = now;
      // The turn ends once the loop reaches its check phase; the next work starts a budget of its own.
      setImmediate(() => (this.turnStarted = undefined));
      return true;
    }
    return now - this.turnStarted < this.budgetMs;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drain);
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const started = performance.now();
    try {
      while (!this.disposed && this.queue.length > 0) {
        (this.queue.shift() as () => void)();
        if (performance.now() - started >= this.budgetMs) break;
      }
    } finally {
      // Also after work that threw: what waits behind it still runs.
      if (!this.disposed && this.queue.length > 0) this.schedule();
      else if (!this.disposed) this.options.onBacklog?.(false);
    }
  };
}

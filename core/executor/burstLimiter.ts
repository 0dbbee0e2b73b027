/**
 * Client-side burst limit on small submissions (protocol.md §8.3): at most `limit` small batches per
 * sliding `windowMs`. Waiting happens in the submitter, never in `submit()`, and while it waits more tasks
 * queue up, so the next batch is bigger: the limiter turns a burst of tiny requests into few large ones.
 */
import type { Disposable } from "../util/disposable";

export class BurstLimiter implements Disposable {
  private readonly sent: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private disposed = false;
  private interrupted = false;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Milliseconds to wait before the next small batch may go (0: go now). */
  delayMs(): number {
    const t = this.now();
    while (this.sent.length > 0 && t - this.sent[0] >= this.windowMs) this.sent.shift();
    return this.sent.length < this.limit ? 0 : this.sent[0] + this.windowMs - t;
  }

  /** Resolves when a small batch may go, or at once after dispose() or interrupt() (the caller checks which). */
  async wait(): Promise<void> {
    this.interrupted = false;
    for (let d = this.delayMs(); d > 0 && !this.disposed && !this.interrupted; d = this.delayMs()) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(() => this.release(), d);
      });
    }
  }

  /** Records a small batch sent now. */
  record(): void {
    this.sent.push(this.now());
  }

  /** Ends the current wait() early: what it waited for was cancelled. */
  interrupt(): void {
    this.interrupted = true;
    this.release();
  }

  dispose(): void {
    this.disposed = true;
    this.release();
  }

  private release(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

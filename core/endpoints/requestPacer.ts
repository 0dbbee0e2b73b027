/**
 * Runs requests with bounded concurrency and within a request budget per sliding window, so that
 * background work (endpoint statuses) never trips the service's rate limit (about 20 requests per 10 s
 * per client, protocol.md §2.3) and leaves room for submissions. `pause()` holds everything back, e.g.
 * for a 429's Retry-After. Jobs run in the order they were queued.
 */
import type { Disposable } from "../util/disposable";

export interface PacerOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** At most `requests` started per `windowMs`. */
  requests: number;
  windowMs: number;
  now?: () => number;
}

interface Job {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class PacerDisposedError extends Error {
  override readonly name = "PacerDisposedError";
  readonly code = "DISPOSED";
  constructor() {
    super("stopped before the request was sent");
  }
}

export class RequestPacer implements Disposable {
  private readonly queue: Job[] = [];
  private readonly started: number[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly now: () => number;

  constructor(private readonly options: PacerOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get queued(): number {
    return this.queue.length;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new PacerDisposedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /** Starts nothing for `ms` (a longer pause already in force is kept). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.schedule(ms);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const job of this.queue.splice(0)) job.reject(new PacerDisposedError());
  }

  private pump(): void {
    if (this.disposed) return;
    while (this.queue.length > 0 && this.inFlight < this.options.concurrency) {
      const wait = this.delayMs();
      if (wait > 0) {
        this.schedule(wait);
        return;
      }
      const job = this.queue.shift() as Job;
      this.started.push(this.now());
      this.inFlight++;
      let result: Promise<unknown>;
      try {
        result = job.run();
      } catch (err) {
        result = Promise.reject(err);
      }
      result.then(job.resolve, job.reject).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private delayMs(): number {
    const t = this.now();
    const { requests, windowMs } = this.options;
    while (this.started.length > 0 && t - this.started[0] >= windowMs) this.started.shift();
    const budget = this.started.length < requests ? 0 : this.started[0] + windowMs - t;
    return Math.max(budget, this.pausedUntil - t, 0);
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(1, Math.ceil(ms)));
  }
}

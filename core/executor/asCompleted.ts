/** `concurrent.futures.as_completed` as an async iterator: futures in the order they settle. */
import type { PyValue } from "../protocol";
import type { ComputeFuture } from "./computeFuture";
import { ExecutorError } from "./errors";

/**
 * One finished future, as `Promise.allSettled` reports it. (Yielding the bare future is impossible:
 * futures are promises, and `for await` would unwrap them into values.)
 */
export type Completed =
  | { future: ComputeFuture; ok: true; value: PyValue }
  | { future: ComputeFuture; ok: false; error: Error };

/**
 * Iterates each future once it is done (success, failure or cancellation), earliest first; futures
 * already done come first. With `timeoutMs`, throws RESULT_TIMEOUT if the whole set is not done in time.
 */
export function asCompleted(
  futures: Iterable<ComputeFuture>,
  options: { timeoutMs?: number } = {},
): AsyncIterableIterator<Completed> {
  return new CompletionIterator([...futures], options.timeoutMs);
}

class CompletionIterator implements AsyncIterableIterator<Completed> {
  private remaining: number;
  private readonly ready: Completed[] = [];
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;

  constructor(
    futures: ComputeFuture[],
    private readonly timeoutMs: number | undefined,
  ) {
    const unique = new Set(futures);
    this.remaining = unique.size;
    for (const future of unique) {
      // Already-settled futures resolve first (their callbacks run in this order, before pending ones).
      future.then(
        (value) => this.push({ future, ok: true, value }),
        (error: unknown) => this.push({ future, ok: false, error: error as Error }),
      );
    }
    if (timeoutMs !== undefined)
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.wake?.();
      }, timeoutMs);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Completed> {
    return this;
  }

  private push(done: Completed): void {
    this.ready.push(done);
    this.wake?.();
  }

  async next(): Promise<IteratorResult<Completed, undefined>> {
    if (this.remaining === 0) return this.finish();
    while (this.ready.length === 0) {
      if (this.timedOut) {
        this.finish();
        throw new ExecutorError(
          "RESULT_TIMEOUT",
          `${this.remaining} of the futures did not finish within ${this.timeoutMs} ms; they go on, iterate them again to keep waiting.`,
        );
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    this.remaining--;
    const value = this.ready.shift() as Completed;
    if (this.remaining === 0) this.finish();
    return { value, done: false };
  }

  async return(): Promise<IteratorResult<Completed, undefined>> {
    this.remaining = 0;
    return this.finish();
  }

  private finish(): IteratorResult<Completed, undefined> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return { value: undefined, done: true };
  }
}

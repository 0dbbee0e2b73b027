/** A sliding-window request limit per token; past it the service answers 429 with `Retry-After`. */

export interface RateLimit {
  requests: number;
  windowMs: number;
}

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  /** `null` disables limiting. */
  constructor(private limit: RateLimit | null) {}

  set(limit: RateLimit | null): void {
    if (limit && !(Number.isInteger(limit.requests) && limit.requests > 0 && limit.windowMs > 0)) {
      throw new RangeError("a rate limit needs a positive integer of requests and a positive window");
    }
    this.limit = limit;
    this.hits.clear();
  }

  /** Records a request; returns the seconds to wait when it is over the limit (and then not recorded). */
  take(key: string, now = Date.now()): number | undefined {
    if (!this.limit) return undefined;
    const { requests, windowMs } = this.limit;
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
    this.hits.set(key, recent);
    if (recent.length >= requests) return Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000));
    recent.push(now);
    return undefined;
  }
}

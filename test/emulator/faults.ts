/** Injected HTTP faults: fail the next N matching requests, or delay matching requests. */
import { ApiError, defaultCodeFor } from "./apiError";

export interface RequestMatcher {
  /** Only requests whose path contains this substring (default: every API request). */
  route?: string;
  /** Only this HTTP method. */
  method?: string;
}

export interface FailureFault extends RequestMatcher {
  count: number;
  status: number;
  /** ErrorResponse code; defaults to the historical code for the status. */
  code?: string;
  /** Sent as `Retry-After` (seconds). */
  retryAfterS?: number;
}

export interface LatencyFault extends RequestMatcher {
  ms: number;
}

export class Faults {
  private failures: FailureFault[] = [];
  private latencies: LatencyFault[] = [];

  failNext(fault: FailureFault): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) throw new RangeError("count must be a positive integer");
    if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) {
      throw new RangeError("status must be an HTTP error status (400-599)");
    }
    this.failures.push({ ...fault });
  }

  /** Adds latency to matching requests; `ms: 0` removes the latency faults with the same matcher. */
  setLatency(fault: LatencyFault): void {
    if (!(Number.isFinite(fault.ms) && fault.ms >= 0)) throw new RangeError("ms must be a non-negative number");
    this.latencies = this.latencies.filter((l) => l.route !== fault.route || l.method !== fault.method);
    if (fault.ms > 0) this.latencies.push({ ...fault });
  }

  clear(): void {
    this.failures = [];
    this.latencies = [];
  }

  /** The error to answer with, consuming one use of the first matching failure fault. */
  takeFailure(method: string, path: string): ApiError | undefined {
    const f = this.failures.find((x) => matches(x, method, path));
    if (!f) return undefined;
    if (--f.count === 0) this.failures.splice(this.failures.indexOf(f), 1);
    const headers: Record<string, string> = f.retryAfterS !== undefined ? { "retry-after": String(f.retryAfterS) } : {};
    return new ApiError(f.status, f.code ?? defaultCodeFor(f.status), `Injected failure (${f.status})`, [], headers);
  }

  latencyMs(method: string, path: string): number {
    return this.latencies.filter((l) => matches(l, method, path)).reduce((sum, l) => sum + l.ms, 0);
  }
}

function matches(m: RequestMatcher, method: string, path: string): boolean {
  return (!m.method || m.method.toUpperCase() === method) && (!m.route || path.includes(m.route));
}

/**
 * The Compute REST transport: Bearer token from a provider, the SDK's User-Agent convention, and
 * globus-sdk's retry policy (protocol.md §2.2): 429/500/502/503/504 and network errors are retried with
 * jittered exponential backoff (or `Retry-After`), a 401 refreshes the token once. Every failure is a
 * `ComputeApiError`. A redirect to another origin (scheme, host, port) is followed without the token; a
 * plain http:// base URL for another host than this machine is refused (INSECURE_URL) before any request.
 */
import type { Response } from "node-fetch";
import { ComputeApiError } from "../../protocol";
import { quotedBody } from "../../util/redaction";
import { SDK_VERSION } from "../sdkVersion";
import { cleartextProblem } from "./cleartextUrl";
import { originBoundFetch } from "./originBoundFetch";

/** Returns an access token for the Compute API; `forceRefresh` after the service refused the last one. */
export type TokenProvider = (options: { forceRefresh: boolean }) => Promise<string>;

export interface RetryPolicy {
  maxRetries: number;
  /** Cap of one backoff sleep. */
  maxSleepMs: number;
  /** Backoff is `(0.25 + 0.5·random) · 2^attempt · baseMs`. */
  baseMs: number;
}

export const SDK_RETRY_POLICY: RetryPolicy = { maxRetries: 5, maxSleepMs: 10_000, baseMs: 1000 };

export interface RestClientOptions {
  baseUrl: string;
  token: TokenProvider;
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout (globus-sdk: 60 s). */
  timeoutMs?: number;
  /** Product name in the User-Agent, before the compute SDK substring the service parses. */
  product?: string;
  /** Told before each backoff sleep, so callers can say that the service is being waited for. */
  onRetry?: (retry: { status: number | undefined; code: string; delayMs: number }) => void;
}

export class RestClient {
  private readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private closed = new AbortController();

  constructor(private readonly options: RestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.retry = { ...SDK_RETRY_POLICY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 60_000;
    // The service reads the SDK version from the `globus-compute-sdk-<v>` part (protocol.md §2.1).
    this.userAgent = `${options.product ?? "globus-compute-vscode"}/globus-compute-sdk-${SDK_VERSION}`;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  /** Aborts requests in flight and their retry sleeps. */
  close(): void {
    this.closed.abort();
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    // Checked before a token is even asked for: every request carries one.
    const cleartext = cleartextProblem(this.baseUrl);
    if (cleartext !== undefined) {
      throw new ComputeApiError({ httpStatus: undefined, code: "INSECURE_URL", detail: `${this.baseUrl}: ${cleartext}`, retryable: false });
    }
    let refreshed = false;
    let forceRefresh = false;
    for (let attempt = 0; ; attempt++) {
      let error: ComputeApiError;
      const token = await this.options.token({ forceRefresh });
      forceRefresh = false;
      // Closed during the backoff sleep or the token wait: no further attempt.
      if (this.closed.signal.aborted) throw closedError();
      try {
        const response = await this.send(method, path, token, body);
        const text = await response.text();
        if (response.ok) return parseBody<T>(text, method, path);
        error = ComputeApiError.fromResponse(response.status, text, response.headers);
        if (response.status === 401 && !refreshed) {
          refreshed = forceRefresh = true;
          attempt--; // the refresh retry does not count against the transient-error budget
          continue;
        }
      } catch (err) {
        if (err instanceof ComputeApiError) throw err;
        if (this.closed.signal.aborted) throw closedError();
        error = ComputeApiError.fromNetworkError(err);
      }
      if (!error.retryable || attempt >= this.retry.maxRetries) throw error;
      const delayMs = this.backoffMs(attempt, error.retryAfterS);
      this.options.onRetry?.({ status: error.httpStatus, code: error.code, delayMs });
      await this.sleep(delayMs);
    }
  }

  private async send(method: string, path: string, token: string, body: unknown): Promise<Response> {
    const signal = AbortSignal.any([this.closed.signal, AbortSignal.timeout(this.timeoutMs)]);
    // The token goes to the service's origin only, whatever a redirect says.
    return originBoundFetch(this.baseUrl + path, {
      method,
      signal,
      headers: {
        authorization: `Bearer ${token}`,
        "user-agent": this.userAgent,
        "x-globus-client-info": `product=${this.options.product ?? "globus-compute-vscode"},version=${SDK_VERSION}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private backoffMs(attempt: number, retryAfterS: number | undefined): number {
    const ms = retryAfterS !== undefined ? retryAfterS * 1000 : (0.25 + 0.5 * Math.random()) * 2 ** attempt * this.retry.baseMs;
    return Math.min(ms, this.retry.maxSleepMs);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.closed.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done);
    });
  }
}

function closedError(): ComputeApiError {
  return ComputeApiError.fromNetworkError(new Error("client closed"));
}

function parseBody<T>(text: string, method: string, path: string): T {
  try {
    return (text === "" ? null : JSON.parse(text)) as T;
  } catch (err) {
    throw new ComputeApiError({
      httpStatus: 200,
      code: "MALFORMED_RESPONSE",
      detail: `${method} ${path} answered with a body that is not JSON: ${quotedBody(text, 80)}`,
      retryable: false,
      cause: err,
    });
  }
}

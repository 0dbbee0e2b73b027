/**
 * An error answer of the Globus Compute REST service (protocol.md §2.3), normalised: the service's
 * upper-case `code` string when the body has one (else one derived from the HTTP status), a readable
 * `detail`, and whether retrying can help (the globus-sdk transport retries 429 and 5xx).
 */
import { quotedBody, redactCredentials } from "../util/redaction";

export type HeaderSource = { get(name: string): string | null } | Readonly<Record<string, string | undefined>>;

export interface ComputeApiErrorInit {
  httpStatus: number | undefined;
  code: string;
  detail: string;
  retryable: boolean;
  retryAfterS?: number;
  /** Present on a Globus Auth Requirements Error (GARE): parameters for a fresh login. */
  authorizationParameters?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

const MAX_DETAIL = 500;

/** The statuses the SDK's retry policy retries (protocol.md §2.2): 501, 505 and the like never pass by waiting. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export class ComputeApiError extends Error {
  override readonly name = "ComputeApiError";
  /** HTTP status, or undefined when no response arrived (`code` is then NETWORK_ERROR, or INSECURE_URL when nothing was sent). */
  readonly httpStatus: number | undefined;
  readonly code: string;
  readonly detail: string;
  readonly retryable: boolean;
  readonly retryAfterS: number | undefined;
  readonly authorizationParameters: Readonly<Record<string, unknown>> | undefined;

  constructor(init: ComputeApiErrorInit) {
    const where = init.httpStatus === undefined ? "" : ` (HTTP ${init.httpStatus})`;
    // Whatever a server or a request put in it: the message is shown, logged and kept in the task history.
    const detail = redactCredentials(init.detail);
    super(`${init.code}${where}: ${detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.detail = detail;
    this.retryable = init.retryable;
    this.retryAfterS = init.retryAfterS;
    this.authorizationParameters = init.authorizationParameters;
  }

  /** Builds the error from any HTTP answer; never throws, whatever the body holds. */
  static fromResponse(status: number, bodyText: string, headers?: HeaderSource): ComputeApiError {
    const body = parseJson(bodyText);
    const obj = isRecord(body) ? body : undefined;
    const code = typeof obj?.code === "string" && obj.code.trim() !== "" ? obj.code : codeForStatus(status);
    const field = readableDetail(obj?.detail) ?? readableDetail(obj?.reason) ?? readableDetail(obj?.message) ?? readableDetail(obj?.title);
    const detail =
      field !== undefined
        ? clip(field)
        : typeof body === "string"
          ? quotedBody(body, MAX_DETAIL)
          : bodyText.trim() !== "" && obj === undefined
            ? quotedBody(bodyText, MAX_DETAIL)
            : `HTTP ${status}`;
    const retryAfterS = status === 429 || status === 503 ? retryAfter(headers) : undefined;
    const gare = obj?.authorization_parameters;
    return new ComputeApiError({
      httpStatus: status,
      code,
      detail,
      retryable: RETRYABLE_STATUSES.has(status),
      retryAfterS,
      authorizationParameters: isRecord(gare) ? gare : undefined,
    });
  }

  /** No HTTP answer at all (DNS, refused connection, reset, timeout): always worth retrying. */
  static fromNetworkError(cause: unknown): ComputeApiError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new ComputeApiError({ httpStatus: undefined, code: "NETWORK_ERROR", detail: clip(detail), retryable: true, cause });
  }
}

/** Codes for bodies without one, named like the service's own codes where one fits. */
function codeForStatus(status: number): string {
  const known: Record<number, string> = {
    400: "REQUEST_MALFORMED",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "RESOURCE_CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "VALIDATION_ERROR",
    423: "RESOURCE_LOCKED",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
  };
  if (known[status]) return known[status];
  if (status >= 500) return "SERVICE_UNAVAILABLE";
  return "UNKNOWN_ERROR";
}

/** A string as is; a FastAPI 422 list as `loc: msg` items joined by `; `. */
function readableDetail(v: unknown): string | undefined {
  if (typeof v === "string" && v.trim() !== "") return v;
  if (!Array.isArray(v)) return undefined;
  const parts = v.map((item) => {
    if (!isRecord(item)) return String(item);
    const loc = Array.isArray(item.loc) ? item.loc.join(".") : undefined;
    const msg = typeof item.msg === "string" ? item.msg : JSON.stringify(item);
    return loc ? `${loc}: ${msg}` : msg;
  });
  return parts.length ? parts.join("; ") : undefined;
}

function retryAfter(headers: HeaderSource | undefined): number | undefined {
  if (!headers) return undefined;
  const raw =
    typeof headers.get === "function"
      ? headers.get("retry-after")
      : headerLookup(headers as Readonly<Record<string, string | undefined>>);
  // globus-sdk honours only an integer number of seconds (not an HTTP date).
  return raw != null && /^\s*\d+\s*$/.test(raw) ? Number(raw) : undefined;
}

function headerLookup(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === "retry-after");
  return key === undefined ? undefined : headers[key];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function clip(s: string): string {
  return s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL)}…` : s;
}

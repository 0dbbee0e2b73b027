/**
 * Why the directory could not tell something about an endpoint, as a stable `code` the extension maps to
 * the action that fixes it (sign in, consent, pick another endpoint, wait).
 */
import { ComputeApiError } from "../protocol/apiError";

export type EndpointProblemCode =
  /** No token: sign in. */
  | "NOT_SIGNED_IN"
  /** The token lacks the Compute scope or a session requirement (a GARE): sign in again and consent. */
  | "CONSENT_REQUIRED"
  /** Deleted, or never existed, as far as this identity can see. */
  | "NOT_FOUND"
  /** Exists but this identity may not use it. */
  | "FORBIDDEN"
  /** The service is rate limiting; the directory backs off. */
  | "RATE_LIMITED"
  /** No answer from the service. */
  | "UNREACHABLE"
  | "FAILED";

export interface EndpointProblem {
  code: EndpointProblemCode;
  message: string;
}

export function endpointProblem(err: unknown): EndpointProblem {
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "NOT_SIGNED_IN" || code === "SESSION_EXPIRED") return { code: "NOT_SIGNED_IN", message };
  if (!(err instanceof ComputeApiError)) return { code: "FAILED", message };
  if (err.authorizationParameters !== undefined || err.code === "INSUFFICIENT_AUTH_SCOPE")
    return { code: "CONSENT_REQUIRED", message: `The Globus sign-in does not allow this: ${err.detail}` };
  if (err.httpStatus === 401) return { code: "NOT_SIGNED_IN", message: err.detail };
  if (err.httpStatus === 404) return { code: "NOT_FOUND", message: "Deleted, or not visible to the signed-in identity" };
  if (err.httpStatus === 403) return { code: "FORBIDDEN", message: `Not allowed: ${err.detail}` };
  if (err.httpStatus === 429) return { code: "RATE_LIMITED", message: "The service is rate limiting requests" };
  if (err.httpStatus === undefined) return { code: "UNREACHABLE", message: `The service cannot be reached: ${err.detail}` };
  return { code: "FAILED", message: err.message };
}

/**
 * Error bodies exactly as the Globus Compute service sends them (protocol.md §2.3): `ErrorResponse`
 * for API errors and `ValidationErrorResponse` (FastAPI-style details) for malformed requests.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errorArgs: unknown[] = [],
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  body(): Record<string, unknown> {
    return {
      status: "Failed",
      code: this.code,
      error_args: this.errorArgs,
      http_status_code: this.status,
      detail: this.detail,
      reason: this.detail,
    };
  }
}

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** 422 with a list of issues, as FastAPI reports request validation failures. */
export class ValidationError extends ApiError {
  constructor(readonly issues: ValidationIssue[]) {
    super(422, "REQUEST_MALFORMED", issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; "));
  }

  override body(): Record<string, unknown> {
    return { ...super.body(), detail: this.issues, reason: this.issues };
  }
}

/** The historical default code for each HTTP status (protocol.md §2.3), for injected failures. */
export function defaultCodeFor(status: number): string {
  const codes: Record<number, string> = {
    400: "REQUEST_MALFORMED",
    401: "INVALID_AUTH_TOKEN",
    403: "ENDPOINT_ACCESS_FORBIDDEN",
    404: "TASK_NOT_FOUND",
    409: "RESOURCE_CONFLICT",
    413: "TASK_PAYLOAD_TOO_LARGE",
    423: "RESOURCE_LOCKED",
    500: "INTERNAL_ERROR",
    502: "FORWARDER_CONTACT_ERROR",
  };
  return codes[status] ?? "UNKNOWN_ERROR";
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in canonical lower-case form, or 400 INVALID_UUID. */
export function parseUuid(value: unknown, what: string): string {
  if (typeof value !== "string" || !UUID_RE.test(value)) {
    throw new ApiError(400, "INVALID_UUID", `Invalid UUID for ${what}: ${JSON.stringify(value)}`, [String(value)]);
  }
  return value.toLowerCase();
}

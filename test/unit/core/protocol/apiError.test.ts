import { test } from "node:test";
import assert from "node:assert/strict";
import { ComputeApiError } from "../../../../core/protocol/apiError";

test("an ErrorResponse body gives its code and detail", () => {
  const body = JSON.stringify({
    status: "Failed",
    code: "ENDPOINT_NOT_FOUND",
    error_args: ["x"],
    http_status_code: 404,
    detail: "Endpoint x could not be resolved",
    reason: "Endpoint x could not be resolved",
  });
  const e = ComputeApiError.fromResponse(404, body);
  assert.ok(e instanceof Error);
  assert.equal(e.name, "ComputeApiError");
  assert.equal(e.httpStatus, 404);
  assert.equal(e.code, "ENDPOINT_NOT_FOUND");
  assert.equal(e.detail, "Endpoint x could not be resolved");
  assert.equal(e.retryable, false);
  assert.equal(e.message, "ENDPOINT_NOT_FOUND (HTTP 404): Endpoint x could not be resolved");
});

test("a FastAPI 422 list becomes one readable detail", () => {
  const body = JSON.stringify({
    detail: [
      { loc: ["body", "tasks"], msg: "field required", type: "value_error.missing" },
      { loc: ["body", "create_queue"], msg: "value is not a valid boolean", type: "type_error.bool" },
    ],
  });
  const e = ComputeApiError.fromResponse(422, body);
  assert.equal(e.code, "VALIDATION_ERROR");
  assert.equal(e.detail, "body.tasks: field required; body.create_queue: value is not a valid boolean");
});

test("the code is derived from the status when the body has none, and what the SDK retries (429, 500, 502-504) is retryable", () => {
  const cases: [number, string, boolean][] = [
    [400, "REQUEST_MALFORMED", false],
    [401, "UNAUTHORIZED", false],
    [413, "PAYLOAD_TOO_LARGE", false],
    [418, "UNKNOWN_ERROR", false],
    [429, "RATE_LIMITED", true],
    [500, "INTERNAL_ERROR", true],
    [502, "SERVICE_UNAVAILABLE", true],
    [503, "SERVICE_UNAVAILABLE", true],
    [504, "SERVICE_UNAVAILABLE", true],
    [501, "SERVICE_UNAVAILABLE", false],
    [505, "SERVICE_UNAVAILABLE", false],
  ];
  for (const [status, code, retryable] of cases) {
    const e = ComputeApiError.fromResponse(status, "");
    assert.deepEqual([e.code, e.retryable, e.detail], [code, retryable, `HTTP ${status}`], String(status));
  }
  assert.equal(ComputeApiError.fromResponse(500, '{"code": ""}').code, "INTERNAL_ERROR", "empty code is no code");
  assert.equal(ComputeApiError.fromResponse(500, '{"code": 0}').code, "INTERNAL_ERROR", "the historical numeric code");
});

test("garbage bodies never throw and still give a detail", () => {
  assert.equal(ComputeApiError.fromResponse(502, "<html><body>502 Bad Gateway</body></html>").detail, "an HTML page", "summarised, not quoted");
  assert.equal(ComputeApiError.fromResponse(400, '"just a string"').detail, "just a string");
  assert.equal(ComputeApiError.fromResponse(400, "[1,2]").detail, "[1,2]", "unexpected JSON is shown raw");
  assert.equal(ComputeApiError.fromResponse(400, '{"unrelated": 1}').detail, "HTTP 400");
  assert.equal(ComputeApiError.fromResponse(400, '{"message": "from globus-sdk style"}').detail, "from globus-sdk style");
  assert.equal(ComputeApiError.fromResponse(400, "x".repeat(10_000)).detail.length, 501, "clipped");
});

test("credentials a gateway echoes never reach the detail or the message; JSON fields are preferred, HTML is named by its title", () => {
  const echo = (body: string, status = 400) => {
    const e = ComputeApiError.fromResponse(status, body);
    assert.doesNotMatch(`${e.message}\n${e.detail}`, /SECRET/);
    return e.detail;
  };
  const page = "<html><head><title>400 Bad Request</title></head><body><pre>POST /v3/functions\nAuthorization: Bearer SECRET-A</pre></body></html>";
  assert.equal(echo(page), 'an HTML page titled "400 Bad Request"');
  assert.equal(echo("refused POST /v2/oauth2/token\nAuthorization: Bearer SECRET-A\n\nrefresh_token=SECRET-R&grant_type=refresh_token"), "refused POST /v2/oauth2/token\nAuthorization: [redacted]\n\nrefresh_token=[redacted]&grant_type=refresh_token");
  assert.equal(echo(JSON.stringify({ code: "BAD", detail: "bad header Bearer SECRET-A", headers: { authorization: "x" } })), "bad header Bearer [redacted]");
  assert.equal(echo(JSON.stringify("token Bearer SECRET-A")), "token Bearer [redacted]");
  assert.equal(new ComputeApiError({ httpStatus: 200, code: "X", detail: '{"access_token": "SECRET-A"}', retryable: false }).detail, '{"access_token": "[redacted]"}');
});

test("Retry-After (integer seconds) is read on 429 and 503, from Headers or a plain record", () => {
  assert.equal(ComputeApiError.fromResponse(429, "", new Headers({ "Retry-After": "7" })).retryAfterS, 7);
  assert.equal(ComputeApiError.fromResponse(503, "", { "retry-after": "3" }).retryAfterS, 3);
  assert.equal(ComputeApiError.fromResponse(429, "", { "Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT" }).retryAfterS, undefined);
  assert.equal(ComputeApiError.fromResponse(500, "", { "Retry-After": "3" }).retryAfterS, undefined);
});

test("a GARE body exposes its authorization parameters", () => {
  const body = JSON.stringify({ code: "AUTHORIZATION_REQUIRED", authorization_parameters: { session_required_mfa: true } });
  assert.deepEqual(ComputeApiError.fromResponse(403, body).authorizationParameters, { session_required_mfa: true });
});

test("network failures are retryable NETWORK_ERRORs without a status", () => {
  const cause = new Error("connect ECONNREFUSED 127.0.0.1:5000");
  const e = ComputeApiError.fromNetworkError(cause);
  assert.deepEqual([e.httpStatus, e.code, e.retryable, e.cause], [undefined, "NETWORK_ERROR", true, cause]);
  assert.equal(e.message, "NETWORK_ERROR: connect ECONNREFUSED 127.0.0.1:5000");
});

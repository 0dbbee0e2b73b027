import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ExecutorError } from "../../../../core/executor/errors";
import { ComputeApiError } from "../../../../core/protocol/apiError";
import { AuthError } from "../../../../extension/auth/authError";
import { describeFailure } from "../../../../extension/submit/failureMessages";

const wrapped = (cause: unknown) => new ExecutorError("SUBMIT_FAILED", "Submitting 1 task(s) failed", { cause });

test("each failure gets its own message and the action that fixes it, found through the cause chain", () => {
  const notSignedIn = describeFailure(new AuthError("NOT_SIGNED_IN", "no token"), "hpc");
  assert.match(notSignedIn.message, /sign in to Globus/);
  assert.deepEqual(notSignedIn.actions.map((a) => a.command), ["globusCompute.signIn"]);

  const unauthorized = describeFailure(wrapped(ComputeApiError.fromResponse(401, '{"code":"UNAUTHORIZED"}')), "hpc");
  assert.deepEqual(unauthorized.actions.map((a) => a.command), ["globusCompute.signIn"]);

  const limited = describeFailure(wrapped(ComputeApiError.fromResponse(429, "{}", { "retry-after": "7" })), "hpc");
  assert.match(limited.message, /rate limiting requests; try again in 7 s/);

  const tooLarge = describeFailure(wrapped(ComputeApiError.fromResponse(413, '{"code":"TASK_PAYLOAD_TOO_LARGE"}')), "local");
  assert.match(tooLarge.message, /task's arguments are larger than the service accepts in one submission \(10 MB\)/);
  assert.deepEqual(tooLarge.actions.map((a) => a.command), ["globusCompute.showOutput"]);

  const unknownEndpoint = describeFailure(wrapped(ComputeApiError.fromResponse(404, '{"code":"ENDPOINT_NOT_FOUND"}')), "hpc");
  assert.match(unknownEndpoint.message, /does not know endpoint "hpc"/);
  assert.deepEqual(unknownEndpoint.actions.map((a) => a.command), ["globusCompute.selectEndpoint"]);

  const json = describeFailure(new ExecutorError("INVALID_ARGUMENTS", "a tuple cannot be JSON"), "local");
  assert.deepEqual(json.actions[0].arguments, ["globusCompute.argumentSerialization"]);

  const other = describeFailure(new Error("boom"), "local");
  assert.deepEqual(other, { message: "boom", actions: [{ title: "Show Output", command: "globusCompute.showOutput" }] });
});

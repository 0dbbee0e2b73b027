import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ComputeFuture, TaskExecutionFailed } from "../../../../core/executor";
import { applyStatusRecord } from "../../../../core/executor/resultDecoding";
import type { TaskStatusRecord } from "../../../../core/service/computeService";
import { failureCode, recordTransitions } from "../../../../core/service/taskStatusRecord";

const record = (exception: string, extra: Partial<TaskStatusRecord> = {}): TaskStatusRecord => ({
  task_id: "t1",
  status: "failed",
  exception,
  completion_t: "1700000003.5",
  ...extra,
});
const TRACEBACK = 'Traceback (most recent call last):\n  File "<string>", line 2, in boom\nValueError: bad value 42\n';
const TRANSITIONS = { "execution-end": 1700000003.25, "waiting-for-ep": 1700000001, "execution-start": 1700000002.000001 };

describe("REST task records read as the result message would say", () => {
  it("the error code: the endpoint's own errors by their repr, a traceback as RemoteExecutionError, else unknown", () => {
    assert.equal(failureCode(record("MaxResultSizeExceeded(11534348, 10485760)")), "MaxResultSizeExceeded");
    assert.equal(failureCode(record("CouldNotExecuteUserTaskError('no python')")), "CouldNotExecuteUserTaskError");
    assert.equal(failureCode(record(TRACEBACK)), "RemoteExecutionError");
    assert.equal(failureCode(record("Unable to start user endpoint process for alice [exit code: 1]")), "UNKNOWN_TASK_FAILURE");
    assert.equal(failureCode(record(TRACEBACK, { details: { error_code: "FUNCTION_NOT_ALLOWED" } })), "FUNCTION_NOT_ALLOWED");
  });

  it("details.task_transitions become transitions, oldest first (nanoseconds, no actor)", () => {
    const t = recordTransitions(record(TRACEBACK, { details: { os: "Linux", task_transitions: TRANSITIONS } }));
    assert.deepEqual(
      t?.map((x) => [x.state, x.timestamp, x.actor]),
      [
        ["waiting-for-ep", 1700000001_000000000n, ""],
        ["execution-start", 1700000002_000001000n, ""],
        ["execution-end", 1700000003_250000000n, ""],
      ],
    );
    assert.equal(recordTransitions(record(TRACEBACK)), undefined);
    assert.equal(recordTransitions(record(TRACEBACK, { details: { task_transitions: [1] } })), undefined);
  });

  it("the reload path settles a too-large result as MaxResultSizeExceeded, with the record's transitions", async () => {
    const future = new ComputeFuture(undefined, "t1");
    assert.equal(applyStatusRecord(future, record("MaxResultSizeExceeded(11534348, 10485760)", { details: { task_transitions: TRANSITIONS } })), true);
    const err = await future.exception();
    assert.ok(err instanceof TaskExecutionFailed);
    assert.equal(err.errorCode, "MaxResultSizeExceeded");
    assert.match(err.message, /larger than the endpoint's limit/);
    assert.deepEqual(future.transitions.map((x) => x.state), ["waiting-for-ep", "execution-start", "execution-end"]);
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { TASK_STATES, isKnownTaskState, isTerminal, taskOutcome } from "../../../../core/protocol/taskState";

test("only success and failed are terminal, in any case", () => {
  assert.deepEqual(
    TASK_STATES.filter((s) => isTerminal(s)),
    ["success", "failed"],
  );
  assert.ok(isTerminal("Failed") && isTerminal("SUCCESS"));
  assert.ok(!isTerminal("unknown-future-state") && !isTerminal(""));
});

test("unknown states are pending; terminal outcomes are normalised", () => {
  assert.equal(taskOutcome("Failed"), "failed");
  assert.equal(taskOutcome("success"), "success");
  assert.equal(taskOutcome("waiting-for-ep"), "pending");
  assert.equal(taskOutcome("brand-new-state"), "pending");
  assert.ok(isKnownTaskState("waiting-for-nodes"));
  assert.ok(!isKnownTaskState("Waiting-For-Nodes"));
});

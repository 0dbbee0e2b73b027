import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeTaskState, encodeTaskState } from "../../../../../../core/service/local/daemon/wire";

test("a task state crosses the socket as JSON, its transition's timestamp as a decimal string, and comes back whole", () => {
  const running = { taskId: "t1", state: "running", transition: { timestamp: 1733500000123456789n, state: "execution-start", actor: "worker" } };
  const wire = JSON.stringify(encodeTaskState(running));
  assert.equal(wire, '{"taskId":"t1","state":"running","transition":{"timestamp":"1733500000123456789","state":"execution-start","actor":"worker"}}');
  assert.deepEqual(decodeTaskState(JSON.parse(wire)), running);
});

test("a task state without a transition has no transition key on either side", () => {
  const waiting = { taskId: "t2", state: "waiting-for-launch" };
  assert.equal(JSON.stringify(encodeTaskState(waiting)), '{"taskId":"t2","state":"waiting-for-launch"}');
  const back = decodeTaskState(JSON.parse(JSON.stringify(encodeTaskState(waiting))));
  assert.deepEqual(back, waiting);
  assert.equal("transition" in back, false);
});

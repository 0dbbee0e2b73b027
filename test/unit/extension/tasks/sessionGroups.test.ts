import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ComputeFuture } from "../../../../core/executor/computeFuture";
import { Emitter } from "../../../../core/util/event";
import { SessionGroups, type SessionSlot, type SessionTarget } from "../../../../extension/tasks/sessionGroups";

const TARGET: SessionTarget = { service: "local", endpointId: "local", uri: "file:///w/a.py", name: "double", lines: "null" };
const GROUP_ID = "11111111-2222-4333-8444-555555555555";

/** An Executor as far as naming its group goes: the service names it on the first acknowledgement. */
class Submitter {
  taskGroupId: string | undefined;
  private readonly change = new Emitter<string>();
  readonly onTaskGroupChange = this.change.event;
  acknowledge(id = GROUP_ID): void {
    this.taskGroupId = id;
    this.change.fire(id);
  }
}

/** A tracker that knows the groups in `tracked` (key → service id). */
function trackerOf(tracked: Map<string, string | undefined>) {
  return { get: (key: string) => (tracked.has(key) ? ({ taskGroupId: tracked.get(key) } as never) : undefined) };
}

test("a second click before the service names the first click's group waits for the name and joins it", async () => {
  const tracked = new Map<string, string | undefined>();
  const groups = new SessionGroups(trackerOf(tracked));
  const first = await groups.join(TARGET);
  assert.equal(first.shared, undefined, "the first click starts the group");
  // Clicked again before the first submission even reached the tracker: it waits.
  const seen: { second?: SessionSlot } = {};
  const second = groups.join(TARGET).then((s) => (seen.second = s));
  const executor = new Submitter();
  tracked.set("g1", undefined);
  first.started("g1", executor, [new ComputeFuture(undefined)]);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(seen.second, undefined, "still waiting for the service to name the group");
  tracked.set("g1", GROUP_ID);
  executor.acknowledge();
  assert.deepEqual((await second).shared, { groupKey: "g1", taskGroupId: GROUP_ID });
  // A third, later click joins at once; another function starts its own.
  assert.deepEqual((await groups.join(TARGET)).shared, { groupKey: "g1", taskGroupId: GROUP_ID });
  assert.equal((await groups.join({ ...TARGET, name: "triple" })).shared, undefined);
});

test("when the first submission fails unacknowledged, or is abandoned, exactly one waiter starts the next group", async () => {
  const tracked = new Map<string, string | undefined>();
  const groups = new SessionGroups(trackerOf(tracked));
  const first = await groups.join(TARGET);
  const waiters = [groups.join(TARGET), groups.join(TARGET)];
  const future = new ComputeFuture(undefined);
  tracked.set("g1", undefined);
  first.started("g1", new Submitter(), [future]);
  future._reject(new Error("submit failed"));
  // One waiter starts a group; the other waits for that one and joins it.
  const [a] = await Promise.race([waiters[0].then((s) => [s, 0] as const), waiters[1].then((s) => [s, 1] as const)]);
  assert.equal(a.shared, undefined);
  const executor = new Submitter();
  executor.acknowledge();
  tracked.set("g2", GROUP_ID);
  a.started("g2", executor, []);
  const [x, y] = await Promise.all(waiters);
  assert.deepEqual([x.shared, y.shared].filter((s) => s !== undefined), [{ groupKey: "g2", taskGroupId: GROUP_ID }]);

  const other = { ...TARGET, name: "other" };
  (await groups.join(other)).abandoned();
  assert.equal((await groups.join(other)).shared, undefined, "abandoned: the next click starts the group");
});

test("a forgotten group is not joined; a wait for a name that never comes is bounded", async () => {
  const tracked = new Map<string, string | undefined>([["g1", GROUP_ID]]);
  const groups = new SessionGroups(trackerOf(tracked), 50);
  const executor = new Submitter();
  executor.acknowledge();
  (await groups.join(TARGET)).started("g1", executor, []);
  tracked.delete("g1"); // forgotten in the Tasks view
  const next = await groups.join(TARGET);
  assert.equal(next.shared, undefined);
  next.started("g2", new Submitter(), [new ComputeFuture(undefined)]); // never acknowledged, never settles
  const started = Date.now();
  assert.equal((await groups.join(TARGET)).shared, undefined, "gave up waiting and starts its own");
  assert.ok(Date.now() - started >= 45, "it did wait for the name");
});

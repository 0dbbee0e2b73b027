import { test } from "node:test";
import assert from "node:assert/strict";
import { TurnSlicer } from "../../../../core/util/turnSlicer";
import { turnCounter } from "../../../support/turnCounter";

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** Resolves once `slicer` has nothing waiting. */
async function drained(slicer: TurnSlicer): Promise<void> {
  while (slicer.waiting > 0) await new Promise((resolve) => setTimeout(resolve, 1));
}

test("work within the turn's budget runs at once", () => {
  const slicer = new TurnSlicer({ budgetMs: 50 });
  const ran: number[] = [];
  for (let i = 0; i < 5; i++) slicer.run(() => ran.push(i));
  assert.deepEqual(ran, [0, 1, 2, 3, 4]);
  assert.equal(slicer.waiting, 0);
});

test("work past the budget waits for later turns, in order, a budget's worth per turn", async () => {
  const slicer = new TurnSlicer({ budgetMs: 10 });
  const turns = turnCounter();
  const ran: { i: number; turn: number }[] = [];
  try {
    for (let i = 0; i < 12; i++)
      slicer.run(() => {
        ran.push({ i, turn: turns.turn });
        spin(4);
      });
    // 4 ms pieces, 10 ms budget: three at most (fewer when the OS takes the CPU away meanwhile).
    assert.ok(ran.length >= 1 && ran.length <= 3, `${ran.length} ran at once`);
    await drained(slicer);
  } finally {
    turns.stop();
  }
  assert.deepEqual(
    ran.map((r) => r.i),
    [...Array(12).keys()],
    "everything ran, in order",
  );
  const most = turns.mostInOneTurn(ran.map((r) => r.turn));
  assert.ok(most <= 3, `a turn ran ${most} pieces of 4 ms with a 10 ms budget`);
});

test("work never overtakes work that waits", async () => {
  const slicer = new TurnSlicer({ budgetMs: 1 });
  const ran: string[] = [];
  slicer.run(() => spin(3));
  slicer.run(() => ran.push("waiting"));
  await nextTurn();
  await nextTurn();
  slicer.run(() => ran.push("later"));
  await drained(slicer);
  assert.deepEqual(ran, ["waiting", "later"]);
});

test("onBacklog says when work starts waiting and when it has all run", async () => {
  const events: boolean[] = [];
  const slicer = new TurnSlicer({ budgetMs: 1, onBacklog: (waiting) => events.push(waiting) });
  slicer.run(() => spin(2));
  slicer.run(() => spin(2));
  slicer.run(() => spin(2));
  assert.deepEqual(events, [true]);
  await drained(slicer);
  await nextTurn();
  assert.deepEqual(events, [true, false]);
});

test("dispose drops the work still waiting", async () => {
  const slicer = new TurnSlicer({ budgetMs: 1 });
  const ran: number[] = [];
  slicer.run(() => spin(2));
  slicer.run(() => ran.push(1));
  slicer.dispose();
  await nextTurn();
  await nextTurn();
  assert.equal(ran.length, 0);
  slicer.run(() => ran.push(2));
  assert.equal(ran.length, 0, "nothing runs once disposed");
});

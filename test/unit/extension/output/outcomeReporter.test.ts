/** What prints when: live outcomes at once, outcomes that arrived while away once under a summary, nothing twice. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ComputeFuture } from "../../../../core/executor/computeFuture";
import { OutcomeReporter, type PrintedMarks } from "../../../../extension/output/outcomeReporter";
import type { SettledTask } from "../../../../extension/output/resultOutput";

function setup(printedBefore: ComputeFuture[] = []) {
  const lines: string[] = [];
  const printed = new Set(printedBefore);
  const marks: PrintedMarks = { wasPrinted: (f) => printed.has(f), markPrinted: (f) => void printed.add(f) };
  const reporter = new OutcomeReporter({ write: (t) => void lines.push(`write ${t.call}`), info: (m) => void lines.push(m) }, marks);
  return { lines, printed, reporter };
}
const ok = (call: string): SettledTask => ({ call, durationMs: 1, outcome: { value: 1n } });
const bad = (call: string): SettledTask => ({ call, durationMs: 1, outcome: { error: new Error("x") } });
const group = { endpoint: { name: "local" } };

test("live outcomes print at once and are marked; reloaded ones not yet printed wait for the summary", () => {
  const [f1, f2, f3, f4] = [1, 2, 3, 4].map(() => new ComputeFuture(undefined));
  const { lines, printed, reporter } = setup([f3]);
  assert.equal(reporter.settled(ok("live(1)"), group, true, f1), true);
  assert.equal(reporter.settled(ok("away(2)"), group, false, f2), false);
  assert.equal(reporter.settled(ok("seen(3)"), group, false, f3), false, "printed by an earlier window");
  assert.equal(reporter.settled(bad("away(4)"), group, false, f4), false);
  assert.deepEqual(lines, ["write live(1)"]);
  assert.equal(reporter.reloadFinished(2), 2);
  assert.deepEqual(lines, [
    "write live(1)",
    "While you were away: 1 succeeded, 1 failed, 2 still running. Task ids below (Copy Task ID in the Tasks view finds them).",
    "write away(2)",
    "write away(4)",
    "End of what arrived while you were away.",
  ]);
  assert.deepEqual([f1, f2, f3, f4].map((f) => printed.has(f)), [true, true, true, true]);
  // A group reloaded later (Reload Task Group…) prints its unseen outcomes at once, with their own summary.
  const f5 = new ComputeFuture(undefined);
  reporter.settled(ok("later(5)"), group, false, f5);
  assert.deepEqual(lines.slice(5), [
    "While you were away: 1 succeeded, 0 failed. Task ids below (Copy Task ID in the Tasks view finds them).",
    "write later(5)",
    "End of what arrived while you were away.",
  ]);
});

test("nothing arrived while away: no summary", () => {
  const { lines, reporter } = setup();
  assert.equal(reporter.reloadFinished(3), 0);
  assert.deepEqual(lines, []);
});

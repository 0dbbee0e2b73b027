import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Executor } from "../../../../core/executor";
import { MapRuns } from "../../../../extension/submit/mapRun";
import { taskArgs, MemoryComputeService } from "../../../support/memoryComputeService";

const ENDPOINT = "4b116d3c-1703-4f8f-9f6f-39921e5864df";
const double = { name: "double", source: "def double(x):\n    return x * 2\n" };
const items = (n: number) => Array.from({ length: n }, (_, i) => i);

function setup(respond: MemoryComputeService["respond"]) {
  const service = new MemoryComputeService();
  service.respond = respond;
  const lines: { level: string; text: string }[] = [];
  const lenses: [string, string][] = [];
  const maps = new MapRuns(
    { info: (text) => void lines.push({ level: "info", text }), error: (text) => void lines.push({ level: "error", text }) },
    (groupKey, status) => void lenses.push([groupKey, status]),
  );
  const executor = new Executor({ endpointId: ENDPOINT, service });
  return { service, lines, lenses, maps, executor };
}

describe("MapRun", () => {
  it("cancel before anything was sent cancels every item, and nothing reaches the service", async () => {
    const { service, maps, executor, lines } = setup(() => undefined);
    const run = maps.start(executor, double, "double", { items: items(100), source: "range(100)", keywordItems: false }, "cloud", 2);
    assert.equal(await run.cancel(), 100);
    await run.finished;
    assert.equal(service.submits.length, 0);
    assert.deepEqual([...new Set([...run.rows()].map((r) => ("error" in r.outcome ? r.outcome.error : "")))], [
      "Task cancelled before it was submitted; it never left this process.",
    ]);
    assert.match(lines.at(-1)!.text, /double × 100 \(range\(100\)\) on cloud: 0 succeeded, 100 failed/);
    executor.dispose();
  });

  it("progress lines every tenth for big maps, rows in input order, and a summary", async () => {
    const { maps, executor, lines, lenses } = setup((t) => ({ value: [(taskArgs(t.payload)[0] as number[]).map((x) => 2 * x), []] }));
    const run = maps.start(executor, double, "double", { items: items(4000), source: "range(4000)", keywordItems: false }, "cloud", 10);
    maps.keep("g1", run);
    assert.equal(run.result.chunk, 100);
    assert.equal(run.calls()[1].call, "double ← items 100–199 of range(4000)");
    const reported: string[] = [];
    await run.follow({ report: (m) => void reported.push(m) });
    assert.equal(reported.at(-1), "4000 of 4000 items done");
    const rows = [...run.rows()];
    assert.deepEqual(rows[3999], { index: 3999, input: 3999, outcome: { value: 7998 } });
    assert.ok(lines.length >= 2 && lines.length <= 11, `${lines.length} lines`);
    assert.match(lines.at(-1)!.text, /4000 succeeded, 0 failed/);
    // The lens: from the start, by tenths, then the outcome; never a status per chunk (40 here).
    assert.deepEqual(lenses[0], ["g1", "⋯ map: 0 of 4000 done"]);
    assert.ok(lenses.length >= 3 && lenses.length <= 11, `${lenses.length} lens updates`);
    assert.ok(lenses.every(([key]) => key === "g1"));
    assert.match(lenses.at(-1)![1], /^✓ map × 4000 · \d+ ms$/);
    assert.ok(lenses.slice(1, -1).every(([, status]) => /^⋯ map: \d+ of 4000 done$/.test(status)));
    executor.dispose();
  });

  it("items failing inside chunks: their rows say so, the rest keep their results, the summary names the lowest failed items", async () => {
    // Every 7th item fails; item 14 is reported twice (the later report wins and it counts once).
    const { maps, executor, lines } = setup((t) => {
      const chunk = taskArgs(t.payload)[0] as number[];
      const failures = chunk.flatMap((x, k) => (x % 7 === 0 ? [[k, `Traceback (most recent call last):\n  File "f.py", line 2, in double\nValueError: bad ${x}\n`]] : []));
      if (chunk.includes(14)) failures.push([chunk.indexOf(14), "Traceback (most recent call last):\n  File \"f.py\", line 2, in double\nValueError: bad 14 again\n"]);
      return { value: [chunk.map((x) => (x % 7 === 0 ? null : 2 * x)), failures] };
    });
    const run = maps.start(executor, double, "double", { items: items(100), source: "range(100)", keywordItems: false }, "cloud", 4);
    assert.ok(run.result.futures.length > 1);
    await run.finished;
    const rows = [...run.rows()];
    assert.deepEqual(
      rows.map((r) => r.index),
      items(100),
    );
    assert.deepEqual(rows[13], { index: 13, input: 13, outcome: { value: 26 } });
    assert.deepEqual(rows[21], { index: 21, input: 21, outcome: { error: "ValueError: bad 21" } });
    assert.deepEqual(rows[14], { index: 14, input: 14, outcome: { error: "ValueError: bad 14 again" } });
    assert.equal(rows.filter((r) => "error" in r.outcome).length, 15);
    const summary = lines.at(-1)!;
    assert.equal(summary.level, "error");
    assert.match(summary.text, /85 succeeded, 15 failed/);
    assert.deepEqual(
      [...summary.text.matchAll(/^ {2}item (\d+)/gm)].map((m) => Number(m[1])),
      [0, 7, 14, 21, 28],
    );
    assert.match(summary.text, /… and 10 more/);
    assert.equal(run.lensStatus.replace(/· .*/, "· …"), "✗ map × 100: 15 failed · …");
    executor.dispose();
  });
});

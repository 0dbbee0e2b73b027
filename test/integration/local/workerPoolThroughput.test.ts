// The pool's throughput features keep its semantics: `prefetch` (tasks sent ahead to busy workers run
// exactly once, in order, with the pool's guarantees for what has not started yet), and the worker's
// per-task shortcuts (compiled sources reused, output files left alone when nothing was printed).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deserializeData, type PyValue } from "../../../core/protocol";
import { LocalEndpointError } from "../../../core/local/errors";
import { WorkerPool, type WorkerOutcome } from "../../../core/local/workerPool";
import { PYTHON, startPool, taskBuffer } from "./support";

let n = 0;
const nextId = () => `00000000-0000-4000-9000-${String(++n).padStart(12, "0")}`;
const NAP = "def nap(s, v):\n    import time\n    time.sleep(s)\n    return v\n";
const PID = "def pid(i):\n    import os\n    print(i)\n    return [i, os.getpid()]\n";

function value(outcome: WorkerOutcome): PyValue {
  assert.equal(outcome.result.error_details, null, outcome.result.data);
  return deserializeData(outcome.result.data);
}

describe("WorkerPool prefetch", () => {
  it("runs every task exactly once, with its own output, spread over the workers", async (t) => {
    const pool = await startPool(t, { workers: 2, prefetch: 8 });
    const started: string[] = [];
    pool.onDidStart((id) => started.push(id));
    const runs = Array.from({ length: 300 }, (_, i) => pool.run({ taskId: nextId(), taskBuffer: taskBuffer("pid", PID, [i]) }));
    // 2 running, 2 x 8 sent ahead, the rest queued: all count as queued until they start.
    assert.deepEqual(pool.stats, { total: 2, idle: 0, busy: 2, queued: 298 });
    const outcomes = await Promise.all(runs.map((r) => r.result));
    const pids = new Set<number>();
    outcomes.forEach((o, i) => {
      const [index, pid] = value(o) as [number, number];
      assert.equal(index, i);
      assert.equal(o.stdout, `${i}\n`);
      assert.equal(o.result.task_statuses?.length, 2);
      pids.add(pid);
    });
    assert.equal(pids.size, 2, "both workers took tasks");
    assert.deepEqual([...started].sort(), runs.map((r) => r.taskId).sort(), "each task started once");
    assert.deepEqual(pool.stats, { total: 2, idle: 2, busy: 0, queued: 0 });
  });

  it("cancels a task sent ahead (its worker is stopped when it reaches it) and one left in the queue", async (t) => {
    const pool = await startPool(t, { workers: 1, prefetch: 1 });
    const running = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [0.3, "a"]) });
    const ahead = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [0, "b"]) });
    const queued = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [0, "c"]) });
    const after = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [0, "d"]) });
    assert.equal(ahead.cancel(), true);
    assert.equal(queued.cancel(), true);
    assert.equal((await ahead.result).result.error_details?.code, "TaskCancelled");
    assert.equal((await queued.result).result.error_details?.code, "TaskCancelled");
    assert.equal(value(await running.result), "a");
    assert.equal(value(await after.result), "d");
  });

  it("starts a task's timeout when its worker reaches it, not when it is sent ahead", async (t) => {
    const pool = await startPool(t, { workers: 1, prefetch: 1 });
    const first = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [0.6, 1]) });
    const second = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [0.05, 2]), timeoutMs: 400 });
    assert.equal(value(await first.result), 1);
    assert.equal(value(await second.result), 2);
  });

  it("runs the tasks sent ahead on another worker when theirs dies or times out", async (t) => {
    const pool = await startPool(t, { workers: 1, prefetch: 3 });
    const exit = "def exit():\n    import os\n    os._exit(7)\n";
    const dying = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("exit", exit) });
    const after = [1, 2, 3].map((i) => pool.run({ taskId: nextId(), taskBuffer: taskBuffer("pid", PID, [i]) }));
    assert.equal((await dying.result).result.error_details?.code, "WorkerLost");
    const outcomes = await Promise.all(after.map((r) => r.result));
    assert.deepEqual(outcomes.map((o) => (value(o) as [number, number])[0]), [1, 2, 3]);
    assert.deepEqual(outcomes.map((o) => o.stdout), ["1\n", "2\n", "3\n"], "each ran once, on the new worker");

    const stuck = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [30, 0]), timeoutMs: 300 });
    const next = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [0, "next"]) });
    assert.equal((await stuck.result).result.error_details?.code, "TaskTimeout");
    assert.equal(value(await next.result), "next");
  });

  it("fails the tasks sent ahead with EndpointStopped on dispose", async (t) => {
    const pool = await startPool(t, { workers: 1, prefetch: 2 });
    const runs = [0, 1, 2, 3].map(() => pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", NAP, [30, 0]) }));
    pool.dispose();
    for (const r of runs) assert.equal((await r.result).result.error_details?.code, "EndpointStopped");
  });

  it("rejects a prefetch that is not a non-negative integer", async () => {
    for (const prefetch of [-1, 1.5, Number.NaN]) {
      await assert.rejects(
        WorkerPool.start({ python: PYTHON, workers: 1, prefetch }),
        (e: unknown) => e instanceof LocalEndpointError && e.code === "INVALID_OPTIONS" && /prefetch/.test(e.message),
      );
    }
  });
});

describe("worker shortcuts", () => {
  it("runs a cached compiled source in a fresh namespace each time", async (t) => {
    const pool = await startPool(t, { workers: 1 });
    const counter = "seen = []\ndef count():\n    seen.append(1)\n    return len(seen)\n";
    for (let i = 0; i < 3; i++) {
      assert.equal(value(await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("count", counter) }).result), 1);
    }
  });

  it("gives each task only its own output, whether or not the one before printed", async (t) => {
    const pool = await startPool(t, { workers: 1 });
    const say = "def say(text):\n    import sys\n    if text:\n        print(text)\n        sys.stderr.write(text)\n    return text\n";
    const outputs: [string, string][] = [];
    for (const text of ["a much longer first line", "2nd", "", "", "5th", ""]) {
      const o = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("say", say, [text]) }).result;
      assert.equal(value(o), text);
      outputs.push([o.stdout, o.stderr]);
    }
    assert.deepEqual(outputs, [
      ["a much longer first line\n", "a much longer first line"],
      ["2nd\n", "2nd"],
      ["", ""],
      ["", ""],
      ["5th\n", "5th"],
      ["", ""],
    ]);
  });
});

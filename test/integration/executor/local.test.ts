/** The seed's scenarios end to end on the built-in local endpoint (real Python workers). */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { asCompleted, Executor, MapItemError, TaskExecutionFailed, type ComputeFuture } from "../../../core/executor";
import { MAX_AUTO_CHUNK, MAX_AUTO_CHUNK_RESULT_BYTES, type ItemOutcome } from "../../../core/executor/mapResult";
import { exceptionLine } from "../../../core/executor/exceptionLine";
import { PyBytes, PyDict, PyFloat, PySet, PyTuple, type PyValue } from "../../../core/protocol";
import { LocalComputeService, LOCAL_ENDPOINT_ID } from "../../../core/service/local/localComputeService";
import {
  describeArgs,
  double,
  doubleText,
  generateCollatzSequence,
  generateCollatzSequenceStrict,
  slowDouble,
} from "../../demo/seedFunctions";

const PYTHON = process.env.GC_TEST_PYTHON ?? "/usr/bin/python3";

describe("Executor on the local endpoint", { timeout: 120_000 }, () => {
  let dir: string;
  let service: LocalComputeService;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gc-executor-local-"));
    service = await LocalComputeService.create({ storageDir: dir, python: PYTHON, workers: 2 });
  });
  after(() => {
    service.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const executor = () => new Executor({ endpointId: LOCAL_ENDPOINT_ID, service });

  it("cancelling a sent task that never returns stops it: its worker is replaced and the next tasks run", async () => {
    await using gce = executor();
    const spin = { name: "spin", source: "def spin():\n    while True:\n        pass\n" };
    const spinning = [gce.submit(spin), gce.submit(spin)];
    await Promise.all(spinning.map((f) => new Promise<void>((resolve) => f.onDidChange(() => f.state === "running" && resolve()))));
    assert.deepEqual(
      spinning.map((f) => f.cancel()),
      ["stopped-waiting", "stopped-waiting"],
    );
    // Both workers were spinning: without the stop, these would wait forever.
    assert.deepEqual(await Promise.all([gce.submit(double, 1).result(30_000), gce.submit(double, 2).result(30_000)]), [2, 4]);
  });

  it("double(7) is 14", async () => {
    await using gce = executor();
    const fut = gce.submit(double, 7);
    assert.equal(await fut.result(), 14);
    assert.equal(fut.state, "success");
    assert.ok(fut.taskId);
  });

  it("Collatz 1..100, collected with asCompleted", async () => {
    await using gce = executor();
    const futs = [];
    for (let n = 1; n <= 100; n++) futs.push(gce.submit(generateCollatzSequence, n));
    const seen = new Set<number>();
    for await (const done of asCompleted(futs)) {
      assert.ok(done.ok, "no sequence fails");
      const seq = done.value as number[];
      assert.equal(seq[seq.length - 1], 1);
      seen.add(seq[0]);
    }
    assert.equal(seen.size, 100);
    assert.deepEqual(await futs[5], [6, 3, 10, 5, 16, 8, 4, 2, 1]);
  });

  it("the exception example rejects with the remote traceback", async () => {
    await using gce = executor();
    const future = gce.submit(generateCollatzSequenceStrict, 1234567890);
    assert.equal(future.done(), false, "done() answers at once");
    const exc = await future.exception();
    assert.ok(exc instanceof TaskExecutionFailed);
    assert.match(exc.remoteTraceback, /ValueError: Sequence not terminated in 100 steps/);
    assert.match(exc.remoteTraceback, /Traceback/);
    assert.ok(Number(exc.completionT) > 1e9);
  });

  it("results as they arrive: ordered list first, then asCompleted over slow_double", async () => {
    await using gce = executor();
    const futs = Array.from({ length: 10 }, (_, i) => gce.submit(doubleText, i));
    assert.deepEqual(await Promise.all(futs), Array.from({ length: 10 }, (_, i) => `${i} -> ${i * 2}`));
    const slow = Array.from({ length: 10 }, (_, i) => gce.submit(slowDouble, i + 10));
    const received: PyValue[] = [];
    for await (const done of asCompleted(slow)) if (done.ok) received.push(done.value);
    assert.deepEqual(
      [...received].sort(),
      Array.from({ length: 10 }, (_, i) => `${i + 10} -> ${(i + 10) * 2}`).sort(),
    );
  });

  it("sends what JSON cannot carry as pickle, and Python sees the right types", async () => {
    await using gce = executor();
    const fut = gce.submit(describeArgs, {
      args: [new PyTuple([1, 2]), new PySet([3]), new PyBytes(new Uint8Array([104, 105])), new PyFloat(2), 2n ** 70n],
      kwargs: new PyDict([["k", new PyDict([[1, "int key"]])]]),
    });
    assert.equal(await fut, "((1, 2), {3}, b'hi', 2.0, 1180591620717411303424) [('k', {1: 'int key'})]");
    const plain = gce.submit(describeArgs, { args: [[1, "a"], new PyFloat(3), Number.NaN], kwargs: { x: null } });
    assert.equal(await plain, "([1, 'a'], 3.0, nan) [('x', None)]");
  });

  it("map runs in input order, with and without chunks", async () => {
    await using gce = executor();
    const out: PyValue[] = [];
    for await (const v of gce.map(double, [1, 2, 3, 4, 5], { chunk: 2 })) out.push(v);
    assert.deepEqual(out, [2, 4, 6, 8, 10]);
    const one: PyValue[] = [];
    for await (const v of gce.map(double, [1, 2, 3], { chunk: 1 })) one.push(v);
    assert.deepEqual(one, [2, 4, 6]);
  });

  it("automatic chunks grow past 2,000 items once the function's chunks showed small, quick results", async () => {
    await using gce = executor();
    const items = Array.from({ length: 40_000 }, (_, i) => i);
    const first = gce.map(double, items, { workers: 2 });
    assert.equal(first.chunk, MAX_AUTO_CHUNK, "nothing seen of the function yet: the cap");
    assert.equal((await first.toArray())[39_999], 79_998);
    const again = gce.map(double, items, { workers: 2 });
    // Pool.map's own chunk (40000 / (4 × 2 workers)) or, as its chunks ran under MIN_AUTO_CHUNK_SECONDS,
    // bigger, up to one chunk per worker.
    assert.ok(again.chunk >= 5000 && again.chunk <= 20_000, `from Pool.map's chunk to one per worker, got ${again.chunk}`);
    assert.deepEqual(await again.toArray(), items.map((i) => i * 2));

    // 300-character results (each its own string, so pickle cannot share them): a chunk grows only as
    // far as its serialized result stays under 1 MiB.
    const wide = { name: "wide", source: "def wide(x):\n    return str(x).rjust(300)\n" };
    await gce.map(wide, items.slice(0, 4000), { workers: 2 }).toArray();
    const sized = gce.map(wide, items, { workers: 2 });
    assert.ok(sized.chunk > MAX_AUTO_CHUNK && sized.chunk < 5000, `between the cap and Pool.map's chunk, got ${sized.chunk}`);
    const out = await sized.toArray();
    assert.equal(out.length, 40_000);
    assert.equal(out[39_999], "39999".padStart(300));
    const size = sized.futures[0].resultSize!;
    assert.ok(size <= MAX_AUTO_CHUNK_RESULT_BYTES && size > 0.9 * MAX_AUTO_CHUNK_RESULT_BYTES, `a chunk's result just under 1 MiB, got ${size}`);
  });

  it("map chunks automatically (Pool.map's rule), in order, and a failed item is named with its traceback", async () => {
    await using gce = executor();
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const auto = gce.map(double, items, { workers: 2 });
    assert.equal(auto.chunk, 125, "1000 items / (4 × 2 workers)");
    assert.equal(auto.futures.length, 8);
    const out: PyValue[] = [];
    for await (const v of auto) out.push(v);
    assert.deepEqual(out, items.map((i) => i * 2));

    const inverse = { name: "inverse", source: "def inverse(x):\n    return 1 / x\n" };
    const result = gce.map(inverse, [4, 2, 1, 0, 5], { chunk: 2 });
    const seen: PyValue[] = [];
    await assert.rejects(
      (async () => {
        for await (const v of result) seen.push(v);
      })(),
      (e: MapItemError) => {
        assert.equal(e.code, "MAP_ITEM_FAILED");
        assert.equal(e.index, 3);
        assert.match(e.message, /^map item 3 \(0\) failed: .*ZeroDivisionError/);
        const cause = e.cause as TaskExecutionFailed;
        assert.ok(cause instanceof TaskExecutionFailed);
        assert.match(cause.remoteTraceback, /in inverse\n/);
        assert.doesNotMatch(cause.remoteTraceback, /_gc_map_chunk_/, "the traceback starts in the user's function");
        return true;
      },
    );
    assert.deepEqual(seen, [0.25, 0.5, new PyFloat(1)]);
    // The other items of the failed item's chunk still have their results.
    const outcomes = await result.outcomesOf(2);
    assert.equal(outcomes.length, 1);
    assert.deepEqual(outcomes[0], { index: 4, value: 0.2 });
    const scale = { name: "scale", source: "def scale(x, factor=1):\n    return x * factor\n" };
    const rows = [PyDict.fromObject({ x: 1, factor: 3 }), PyDict.fromObject({ x: 2 }), PyDict.fromObject({ factor: 2, x: "ab" })];
    for (const chunk of [1, 2] as const) {
      const kw: PyValue[] = [];
      for await (const v of gce.map(scale, rows, { chunk, keywordItems: true })) kw.push(v);
      assert.deepEqual(kw, [3, 2, "abab"], `keyword items, chunk ${chunk}`);
    }
    assert.throws(() => gce.map(scale, [1], { keywordItems: true }), /keywordItems needs every item to be a dict/);
    const failedChunk = await result.outcomesOf(1);
    assert.deepEqual(failedChunk[0], { index: 2, value: new PyFloat(1) });
    assert.ok("error" in failedChunk[1]);
    const whole = gce.map(inverse, [4, 0, 2, 0, 5], { chunk: 5 });
    assert.deepEqual(
      (await whole.outcomesOf(0)).map((o) => ("error" in o ? "failed" : o.value)),
      [0.25, "failed", 0.5, "failed", 0.2],
      "a failure mid-chunk: the items after it still run",
    );
    // An item that exits (SystemExit, a BaseException) fails alone, as it would with a task of its own.
    const quits = { name: "quits", source: "def quits(x):\n    import sys\n    if x == 0:\n        sys.exit(3)\n    return x\n" };
    assert.deepEqual(
      (await gce.map(quits, [1, 0, 2], { chunk: 3 }).outcomesOf(0)).map((o) => ("error" in o ? "failed" : o.value)),
      [1, "failed", 2],
    );
  });

  it("an item raising StopIteration fails alone with its traceback, in a chunk as in a task of its own", async () => {
    await using gce = executor();
    // map() in Python takes a StopIteration from its function as the end of the items.
    const stops = { name: "stops", source: "def stops(x):\n    if x == 0:\n        raise StopIteration('no more')\n    return x\n" };
    for (const chunk of [1, 5]) {
      const outcomes: ItemOutcome[] = [];
      await gce.map(stops, [1, 0, 2, 3, 4], { chunk }).forEachSettled((o) => outcomes.push(...o));
      outcomes.sort((a, b) => a.index - b.index);
      assert.deepEqual(
        outcomes.map((o) => ("error" in o ? "failed" : o.value)),
        [1, "failed", 2, 3, 4],
        `chunk ${chunk}`,
      );
      const error = (outcomes[1] as { error: Error }).error as TaskExecutionFailed;
      assert.match(error.remoteTraceback, /in stops\n[^]*StopIteration: no more/, `chunk ${chunk}`);
    }
  });

  it("a chunk whose worker died fails its items with a summary that says one of them may be the cause, and how to find it", async () => {
    await using gce = executor();
    const dies = { name: "dies", source: "import os\n\ndef dies(x):\n    if x == 2:\n        os._exit(3)\n    return x\n" };
    const outcomes: ItemOutcome[] = [];
    await gce.map(dies, [0, 1, 2, 3], { chunk: 4 }).forEachSettled((o) => outcomes.push(...o));
    const error = (outcomes[0] as { error: Error }).error as TaskExecutionFailed;
    assert.equal(error.errorCode, "WorkerLost");
    assert.match(exceptionLine(error.remoteTraceback) ?? "", /^WorkerLost: worker process \d+ exited with code 3 while running this task \(items 0–3 of the map ran in this one task and all failed with it, though one of them may have caused it: map with \{ chunk: 1 \} to see which\)$/);
    assert.match(error.message, /The worker process died \(out of memory, killed, or ended by the task\)\./);
    const single: ItemOutcome[] = [];
    await gce.map(dies, [0, 1, 2, 3], { chunk: 1 }).forEachSettled((o) => single.push(...o));
    single.sort((a, b) => a.index - b.index);
    assert.deepEqual(single.map((o) => ("error" in o ? "failed" : o.value)), [0, 1, "failed", 3]);
    assert.doesNotMatch(exceptionLine(((single[2] as { error: Error }).error as TaskExecutionFailed).remoteTraceback) ?? "", /items/);
  });

  it("a chunk's wrapper reads no name of the user's module: a function named map, every builtin's name bound", { timeout: 30_000 }, async () => {
    await using gce = executor();
    // The wrapper shares this module: it must not call the user's `map` for the builtin, nor read any
    // other name the module rebinds (dunder names aside: a module binding __builtins__ breaks itself).
    const shadowing = `_g = globals()
import builtins as _b
for _name in dir(_b):
    if not _name.startswith("__"):
        _g[_name] = "bound by the user"
builtins = traceback = "bound by the user"


def map(x):
    return 10 // x


def scaled(x, by):
    return x * by
`;
    const shown = (o: ItemOutcome) => ("error" in o ? o.error.message : o.value);
    const mapped = await gce.map({ name: "map", source: shadowing }, [1, 2, 0, 5], { chunk: 4 }).outcomesOf(0);
    assert.deepEqual(mapped.slice(0, 2).concat(mapped.slice(3)).map(shown), [10, 5, 2]);
    assert.match(String(shown(mapped[2])), /ZeroDivisionError/);
    assert.match(((mapped[2] as { error: Error }).error as TaskExecutionFailed).remoteTraceback, /in map\n/, "the item's traceback, from the user's function");
    const rows = [PyDict.fromObject({ x: 2, by: 3 }), PyDict.fromObject({ x: 1 }), PyDict.fromObject({ x: "a", by: 2 })];
    const keywords = await gce.map({ name: "scaled", source: shadowing }, rows, { chunk: 3, keywordItems: true }).outcomesOf(0);
    assert.deepEqual([shown(keywords[0]), shown(keywords[2])], [6, "aa"]);
    assert.match(String(shown(keywords[1])), /TypeError: scaled\(\) missing 1 required positional argument: 'by'/);
  });

  it("a sleeping task is seen running, with the worker's execution-start, before it finishes", async () => {
    await using gce = executor();
    const nap = { name: "nap", source: "def nap(s):\n    import time\n    time.sleep(s)\n    return s\n" };
    const fut = gce.submit(nap, 0.8);
    const states: string[] = [];
    // A snapshot, not the future itself: resolving with a thenable would wait for its result.
    const running = new Promise<{ done: boolean; transitions: ComputeFuture["transitions"] }>((resolve) =>
      fut.onDidChange((f) => {
        states.push(f.state);
        if (f.state === "running") resolve({ done: f.done(), transitions: f.transitions });
      }),
    );
    const seen = await running;
    assert.equal(seen.done, false, "running is announced while the task sleeps");
    const start = seen.transitions.find((t) => t.state === "execution-start");
    assert.ok(start, `an execution-start transition: ${JSON.stringify(seen.transitions, (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
    assert.equal(start.actor, "worker");
    assert.equal(typeof start.timestamp, "bigint");
    // Date.now() truncates to the millisecond, so Python's time_ns() may read up to 1 ms "later".
    const nowNs = BigInt(Date.now() + 1) * 1_000_000n;
    assert.ok(start.timestamp <= nowNs && start.timestamp > nowNs - 60_000_000_000n, "a wall-clock nanosecond timestamp");
    assert.equal(await fut, 0.8);
    assert.deepEqual(states.slice(-2), ["running", "success"]);
    assert.ok(fut.transitions.some((t) => t.state === "execution-end"), "the result's timeline replaces the live one");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  autoChunkSize,
  chunkCosts,
  chunkStarts,
  MapItemError,
  MAX_AUTO_CHUNK,
  MAX_AUTO_CHUNK_BYTES,
  MAX_AUTO_CHUNK_RESULT_BYTES,
  MAX_AUTO_CHUNK_SECONDS,
  MIN_AUTO_CHUNK_SECONDS,
} from "../../../../core/executor/mapResult";
import { Executor, TaskExecutionFailed } from "../../../../core/executor";
import { taskArgs, MemoryComputeService } from "../../../support/memoryComputeService";
import { turnCounter } from "../../../support/turnCounter";

const ENDPOINT = "4b116d3c-1703-4f8f-9f6f-39921e5864df";
const double = { name: "double", source: "def double(x):\n    return x * 2\n" };

describe("map chunks", () => {
  it("autoChunkSize follows Pool.map: ceil(items / (4 × workers)), at least 1, capped", () => {
    assert.equal(autoChunkSize(10_000, 2), 1250);
    assert.equal(autoChunkSize(10_001, 2), 1251);
    assert.equal(autoChunkSize(3, 2), 1);
    assert.equal(autoChunkSize(0, 2), 1);
    assert.equal(autoChunkSize(100, 0), autoChunkSize(100), "a nonsense worker count falls back to the default");
    assert.equal(autoChunkSize(10_000_000, 2), MAX_AUTO_CHUNK);
  });

  it("grows an automatic chunk past the cap only as far as the function's seen result size and run time allow", () => {
    const cheap = { bytesPerItem: 9, secondsPerItem: 1e-6 };
    assert.equal(autoChunkSize(100_000, 2, cheap), 12_500, "small, quick results: Pool.map's own chunk");
    assert.equal(autoChunkSize(10_000, 2, cheap), 1250, "Pool.map's chunk already runs over MIN_AUTO_CHUNK_SECONDS");
    const tiny = { bytesPerItem: 5, secondsPerItem: 2e-7 };
    assert.equal(autoChunkSize(10_000, 2, tiny), 5000, "Pool.map's chunk would run 0.25 ms: one chunk per worker, 1 ms each");
    const quick = { bytesPerItem: 5, secondsPerItem: 5e-7 };
    const shortest = Math.ceil(MIN_AUTO_CHUNK_SECONDS / 5e-7); // 2000 items
    assert.equal(autoChunkSize(10_000, 2, quick), 2500, `two chunks per worker, each over ${shortest} items (MIN_AUTO_CHUNK_SECONDS)`);
    assert.equal(autoChunkSize(10_000, 2, { bytesPerItem: 5, secondsPerItem: 2.14e-7 }), 5000, "not a third chunk of the remainder: one per worker");
    assert.equal(autoChunkSize(3000, 2, tiny), 1500, "but never fewer chunks than workers");
    assert.equal(autoChunkSize(100_000, 2, tiny), 12_500, "a longer map keeps Pool.map's chunk");
    assert.equal(autoChunkSize(10_000, 2, { bytesPerItem: 5, secondsPerItem: 0 }), 5000, "a run too quick to time: one chunk per worker");
    const bigResults = { bytesPerItem: 200, secondsPerItem: 1e-6 };
    assert.equal(autoChunkSize(100_000, 2, bigResults), Math.floor(MAX_AUTO_CHUNK_RESULT_BYTES / 200), "a chunk's result stays under 1 MiB");
    const slow = { bytesPerItem: 9, secondsPerItem: 2e-5 };
    assert.equal(autoChunkSize(100_000, 2, slow), Math.round(MAX_AUTO_CHUNK_SECONDS / 2e-5), "a chunk runs 0.1 s at most");
    assert.equal(autoChunkSize(100_000, 2, { bytesPerItem: 1e6, secondsPerItem: 1 }), MAX_AUTO_CHUNK, "costly items: the cap, as before anything was seen");
  });

  it("reads a chunk's costs per item from its serialized result's size and its execution-start/-end", () => {
    const transitions = [
      { timestamp: 1_000_000_000n, state: "execution-start", actor: "worker" },
      { timestamp: 1_003_000_000n, state: "execution-end", actor: "worker" },
    ];
    assert.deepEqual(chunkCosts(3, { transitions, resultSize: 30 }), { bytesPerItem: 10, secondsPerItem: 0.001 });
    assert.equal(chunkCosts(3, { transitions: [], resultSize: 30 }), undefined, "no run time reported: nothing learned");
    assert.equal(chunkCosts(3, { transitions, resultSize: undefined }), undefined, "no size: nothing learned");
  });

  it("caps an automatic chunk by bytes as well as by count; a chunk size the caller set is kept", async () => {
    const big = "x".repeat(300 * 1024);
    assert.deepEqual(chunkStarts([1, 2, 3, 4, 5], 2), [0, 2, 4]);
    assert.deepEqual(chunkStarts([big, big, big, big, 1, 2], 100, MAX_AUTO_CHUNK_BYTES), [0, 3], "three 300 KiB items fill a 1 MiB chunk");
    assert.deepEqual(chunkStarts(["x".repeat(2 * MAX_AUTO_CHUNK_BYTES), 1], 100, MAX_AUTO_CHUNK_BYTES), [0, 1], "an item too big alone is a chunk of its own");
    assert.deepEqual(chunkStarts([[big, big], [big, big], 7], 100, MAX_AUTO_CHUNK_BYTES), [0, 1], "nested items count");

    const service = new MemoryComputeService();
    service.respond = (t) => {
      const [items] = taskArgs(t.payload) as [string[]];
      return { value: [items.map((x) => x.length), []] };
    };
    await using gce = new Executor({ endpointId: ENDPOINT, service });
    const large = "y".repeat(400 * 1024);
    const items = [...Array.from({ length: 8 }, () => large), "a", "bb"];
    const auto = gce.map({ name: "size", source: "def size(x):\n    return len(x)\n" }, items, { workers: 1 });
    assert.equal(auto.chunk, 3, "ceil(10 / 4)");
    assert.deepEqual(
      auto.futures.map((_, i) => auto.itemRange(i)),
      [
        { first: 0, end: 2 },
        { first: 2, end: 4 },
        { first: 4, end: 6 },
        { first: 6, end: 9 },
        { first: 9, end: 10 },
      ],
      "two 400 KiB items fill a chunk by bytes; small ones go by count",
    );
    const lengths: unknown[] = [];
    for await (const v of auto) lengths.push(v);
    assert.deepEqual(lengths, [...Array.from({ length: 8 }, () => large.length), 1, 2], "results still in input order");
    assert.deepEqual(await auto.toArray(), lengths, "toArray gives the same list");
    const fixed = gce.map(double, items, { chunk: 5 });
    assert.equal(fixed.futures.length, 2, "an explicit chunk size is not split by bytes");
  });

  it("spreads a chunk's failures to its items, and a malformed chunk result fails every item of it", async () => {
    const service = new MemoryComputeService();
    service.respond = (t) => {
      const [items] = taskArgs(t.payload) as [number[]];
      if (items[0] === 0) return { value: [[null, 2], [[0, "Traceback (most recent call last):\n  File \"<string>\", line 2, in double\nValueError: zero\n"]]] };
      return { value: "not a chunk" };
    };
    await using gce = new Executor({ endpointId: ENDPOINT, service });
    const result = gce.map(double, [0, 1, 2, 3], { chunk: 2 });
    const first = await result.outcomesOf(0);
    assert.ok("error" in first[0] && first[0].error instanceof TaskExecutionFailed);
    assert.match((first[0] as { error: Error }).error.message, /ValueError: zero/);
    assert.deepEqual(first[1], { index: 1, value: 2 });
    const second = await result.outcomesOf(1);
    assert.deepEqual(
      second.map((o) => ("error" in o ? (o.error as { code?: string }).code : "value")),
      ["MALFORMED_RESULT", "MALFORMED_RESULT"],
    );
    const seen: number[] = [];
    await result.forEachSettled((outcomes) => outcomes.forEach((o) => seen.push(o.index)));
    assert.deepEqual(seen.sort(), [0, 1, 2, 3]);
    await assert.rejects(
      async () => {
        for await (const _ of result) void _;
      },
      (e: MapItemError) => e.index === 0 && /^map item 0 \(0\) failed/.test(e.message),
    );
    await assert.rejects(result.toArray(), (e: MapItemError) => e.index === 0 && /ValueError: zero/.test(e.message), "toArray names the first failed item");
    service.respond = (t) => {
      const [items] = taskArgs(t.payload) as [number[]];
      return { value: [items.map((x) => (x === 0 ? null : 2 * x)), items.flatMap((x, k) => (x === 0 ? [[k, "ValueError: zero\n"]] : []))] };
    };
    const later = gce.map(double, [5, 6, 7, 0], { chunk: 2 });
    await assert.rejects(later.toArray(), (e: MapItemError) => e.index === 3 && /^map item 3 \(0\) failed/.test(e.message), "an item of a later chunk, by its input index");
  });

  it("a big map queues its tasks over several turns of the event loop, in order, and cancels what was not queued on dispose", async () => {
    const service = new MemoryComputeService();
    service.respond = (t) => ({ value: (taskArgs(t.payload)[0] as number) * 2 });
    const gce = new Executor({ endpointId: ENDPOINT, service, batchSize: 1000 });
    const n = 20_000;
    const result = gce.map(double, Array.from({ length: n }, (_, i) => i), { chunk: 1 });
    assert.equal(result.futures.length, n);
    let queued = false;
    void result.queued.then(() => (queued = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(queued, false, "map() returned, and the event loop turned, before every task was queued");
    let i = 0;
    for await (const v of result) assert.equal(v, 2 * i++);
    assert.equal(i, n);
    assert.equal(queued, true);
    const sizes = service.submits.map((s) => Object.values(s.tasks)[0].length);
    assert.deepEqual(new Set(sizes), new Set([1000]), "full batches only, though the tasks were queued over several turns");

    const again = gce.map(double, Array.from({ length: n }, (_, k) => k), { chunk: 1 });
    gce.dispose();
    const turns = turnCounter();
    const cancelledAt: number[] = [];
    const states = await Promise.all(
      again.futures.map((f) => f.then(() => "ok", (e: unknown) => (cancelledAt.push(turns.turn), (e as { code?: string }).code))),
    );
    turns.stop();
    assert.ok(states.every((s) => s === "CANCELLED"), "nothing sent after dispose");
    assert.ok(turns.mostInOneTurn(cancelledAt) < n, "the cancellations of a big map are spread over turns too");
  });
});

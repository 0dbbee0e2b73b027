// Property-based fuzzing of the daemon's frame decoder: whatever bytes a peer sends, split however the
// socket splits them, the decoder never throws, never hangs, and takes bounded time per input; valid
// frames come out exactly as sent. FUZZ_RUNS sets the number of inputs (default 300; `npm run fuzz`
// runs a long one).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { encodeFrame, FrameDecoder } from "../../../../../../core/service/local/daemon/frameDecoder";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const MAX_MS_PER_INPUT = 250;
const MAX_FRAME = 4096;

/** Splits `bytes` at the given cut points (fast-check chooses them) and feeds the pieces. */
function feed(d: FrameDecoder, bytes: Uint8Array, cuts: number[]): void {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let last = 0;
  for (const p of [...points, bytes.length]) {
    d.push(Buffer.from(bytes.subarray(last, p)));
    last = p;
  }
}

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const stats = { inputs: 0, slowestMs: 0 };

describe("FrameDecoder fuzz", () => {
  it("survives arbitrary bytes split arbitrarily, in bounded time, stopping at the first error", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 10_000 }), fc.string({ unit: "binary", maxLength: 2000 }).map((s) => new TextEncoder().encode(s))),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bytes, cuts) => {
          let errors = 0;
          let framesAfterError = 0;
          const d = new FrameDecoder(
            (f) => {
              assert.ok(typeof f === "object" && f !== null && !Array.isArray(f));
              if (errors > 0) framesAfterError++;
            },
            () => errors++,
            MAX_FRAME,
          );
          const ms = timed(() => feed(d, bytes, cuts));
          stats.inputs++;
          stats.slowestMs = Math.max(stats.slowestMs, ms);
          assert.ok(errors <= 1 && framesAfterError === 0);
          assert.ok(ms < MAX_MS_PER_INPUT, `took ${ms} ms`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("returns valid frames exactly as sent, however the stream is split", () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ unit: "grapheme", maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (objects, cuts) => {
          const frames: unknown[] = [];
          const d = new FrameDecoder(
            (f) => frames.push(f),
            (e) => assert.fail(e.message),
          );
          const bytes = Buffer.from(objects.map(encodeFrame).join(""));
          const ms = timed(() => feed(d, bytes, cuts));
          stats.inputs++;
          stats.slowestMs = Math.max(stats.slowestMs, ms);
          // Through JSON once, as the peer's encoder did (-0 becomes 0, and so on).
          assert.deepEqual(frames, objects.map((o) => JSON.parse(JSON.stringify(o))));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("reports its figures", () => {
    console.log(JSON.stringify({ fuzz: "daemon frame decoder", inputs: stats.inputs, slowestMs: Number(stats.slowestMs.toFixed(3)) }));
  });
});

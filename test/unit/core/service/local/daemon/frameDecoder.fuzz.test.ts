/**
 * Property-based fuzzing of the daemon's frame decoder (fast-check; FUZZ_RUNS / FUZZ_SEED, see
 * test/support/fuzz.ts): whatever bytes a peer sends, split however the socket splits them, the
 * decoder never throws, stops at its first error, and stays within the time budget per input; valid
 * frames come out exactly as sent.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { encodeFrame, FrameDecoder } from "../../../../../../core/service/local/daemon/frameDecoder";
import { fuzzProperty, fuzzTestOptions } from "../../../../../support/fuzz";

const MAX_FRAME = 4096;

/** Splits `bytes` at the given cut points and feeds the pieces. */
function feed(d: FrameDecoder, bytes: Uint8Array, cuts: number[]): void {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let last = 0;
  for (const p of [...points, bytes.length]) {
    d.push(Buffer.from(bytes.subarray(last, p)));
    last = p;
  }
}

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 10_000 }),
  fc.string({ unit: "binary", maxLength: 2000 }).map((s) => new TextEncoder().encode(s)),
  // Near-valid streams: frames of JSON values (objects or not) with bytes flipped.
  fc
    .tuple(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
    .map(([values, flips]) => {
      const bytes = Buffer.from(values.map((v) => JSON.stringify(v) + "\n").join(""));
      for (const [at, b] of flips) if (bytes.length > 0) bytes[at % bytes.length] = b;
      return new Uint8Array(bytes);
    }),
);

test("frame decoder: arbitrary bytes split arbitrarily never throw, stop at the first error, within budget", fuzzTestOptions(60_000), (t) => {
  fuzzProperty(
    t,
    "daemon frame decoder, arbitrary bytes",
    fc.tuple(anyBytes, fc.array(fc.nat(), { maxLength: 20 })),
    ([bytes, cuts]) => {
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
      feed(d, bytes, cuts);
      assert.ok(errors <= 1 && framesAfterError === 0);
    },
    { ciRuns: 300, maxMsPerInput: 250 },
  );
});

test("frame decoder: valid frames come out exactly as sent, however the stream is split", fuzzTestOptions(60_000), (t) => {
  fuzzProperty(
    t,
    "daemon frame decoder, valid frames",
    fc.tuple(fc.array(fc.dictionary(fc.string({ unit: "grapheme", maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 30 })),
    ([objects, cuts]) => {
      const frames: unknown[] = [];
      const d = new FrameDecoder(
        (f) => frames.push(f),
        (e) => assert.fail(e.message),
      );
      feed(d, Buffer.from(objects.map(encodeFrame).join("")), cuts);
      // Through JSON once, as the peer's encoder did (-0 becomes 0, and so on).
      assert.deepEqual(frames, objects.map((o) => JSON.parse(JSON.stringify(o))));
    },
    { ciRuns: 300, maxMsPerInput: 250 },
  );
});

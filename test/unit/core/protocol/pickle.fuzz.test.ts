/**
 * Property-based fuzzing of decodePickle (fast-check; FUZZ_RUNS / FUZZ_SEED, see test/support/fuzz.ts):
 * mutations of real pickles (bit flips, truncations, inserted opcodes, huge length fields, splices),
 * random opcode soups, and memo bombs (a few bytes whose value, expanded, is astronomically large).
 * Each input must give a value or a ProtocolError (INVALID_PICKLE / UNSUPPORTED_PICKLE) within the time
 * budget: no other exception, no hang, no runaway memory. A decoded value that can be pickled again must
 * survive encode → decode unchanged, and every decoded value must format within its budget.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodePickle, encodePickle } from "../../../../core/protocol/pickle";
import { decodeBase64Mime } from "../../../../core/protocol/base64Mime";
import { ProtocolError } from "../../../../core/protocol/errors";
import { formatPython } from "../../../../core/protocol/formatPython";
import { PyDict, PyObject, PyTuple, pyEquals, type PyValue } from "../../../../core/protocol/pyValue";
import { loadVectors } from "../../../support/vectors";
import { fuzzProperty, fuzzTestOptions } from "../../../support/fuzz";
import { RandomPy } from "./randomPyValue";

/** Memory may grow by this much over the run (a 4 GiB allocation, or a leak, would blow past it). */
const MEMORY_BUDGET = 256 * 1024 * 1024;

/** Opcodes worth inserting, with plausible argument bytes. */
const OPCODE_SNIPPETS = [
  "28", "29", "2e", "30", "31", "32", "4e", "88", "89", "5d", "7d", "8f", "61", "65", "73", "75", "74", "85", "86", "87",
  "90", "91", "94", "52", "62", "81", "92", "93", "6c", "64", "4b7f", "4d0100", "4affffffff", "8a0180", "8b0100000080",
  "47" + "7ff8000000000000", "4300", "8c00", "8c01" + "e9", "680000", "6800", "6a00000000", "71ff", "7200000000",
  "950000000000000000", "95ffffffffffffffff", "8effffffff00000000", "8dffffffffffffffff", "96ffffffff00000000",
  "58ffffffff", "42ffffffff", "8bffffff7f", "63" + "6275696c74696e730a7365740a", "49300a", "4c31320a", "46312e350a",
  "56610a", "70300a", "67300a", "5301", "5501" + "41", "5401000000" + "41", "5100", "820100", "97", "98", "80ff", "8002",
].map(hex);

function corpus(): Uint8Array[] {
  const out = loadVectors("dill_data").map((c) => decodeBase64Mime((c.expected as string).slice(3)));
  const rnd = new RandomPy(0x5eed);
  for (let i = 0; i < 60; i++) {
    const v = rnd.value({ maxDepth: 4 });
    out.push(encodePickle(v), encodePickle(v, { protocol: 5 }));
  }
  // Mutating big pickles is slow and adds little: keep the corpus small.
  return out.filter((p) => p.length <= 4096);
}

function hex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, "hex"));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

type Mutation = (b: Uint8Array, at: number) => Uint8Array;

const SEEDS = corpus();
const seedPickle = fc.constantFrom(...SEEDS);
const snippet = fc.constantFrom(...OPCODE_SNIPPETS);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // bit flips
  fc.array(fc.tuple(fc.nat(), fc.nat({ max: 7 })), { minLength: 1, maxLength: 4 }).map((flips) => (b: Uint8Array) => {
    const out = Uint8Array.from(b);
    for (const [i, bit] of flips) if (out.length) out[i % out.length] ^= 1 << bit;
    return out;
  }),
  // random byte values
  fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 3 }).map((sets) => (b: Uint8Array) => {
    const out = Uint8Array.from(b);
    for (const [i, v] of sets) if (out.length) out[i % out.length] = v;
    return out;
  }),
  // truncation
  fc.constant((b: Uint8Array, at: number) => b.subarray(0, at)),
  // an inserted opcode with its arguments
  snippet.map((s) => (b: Uint8Array, at: number) => concat(b.subarray(0, at), s, b.subarray(at))),
  // a huge length field written over whatever follows
  fc.tuple(fc.boolean(), fc.boolean()).map(([hi, top]) => (b: Uint8Array, at: number) => {
    const out = Uint8Array.from(b);
    const huge = [0xff, 0xff, 0xff, 0xff, hi ? 0xff : 0, 0, 0, top ? 0x7f : 0];
    out.set(huge.slice(0, Math.max(0, out.length - at)), at);
    return out;
  }),
  // a deleted or duplicated slice
  fc.tuple(fc.boolean(), fc.nat({ max: 32 })).map(([del, n]) => (b: Uint8Array, at: number) =>
    del ? concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + n))) : concat(b.subarray(0, at), b.subarray(at, at + 1 + n), b.subarray(at)),
  ),
  // spliced with another pickle
  fc.tuple(seedPickle, fc.nat()).map(([other, from]) => (b: Uint8Array, at: number) => concat(b.subarray(0, at), other.subarray(from % (other.length + 1)))),
);

const mutatedPickle = fc.tuple(seedPickle, fc.array(fc.tuple(mutation, fc.nat()), { minLength: 1, maxLength: 3 })).map(([seed, edits]) => {
  let b = seed;
  for (const [m, at] of edits) b = m(b, at % (b.length + 1));
  return b;
});

/** PROTO then random opcode snippets, usually ending in STOP. */
const opcodeSoup = fc
  .tuple(fc.array(snippet, { minLength: 1, maxLength: 30 }), fc.boolean())
  .map(([parts, stop]) => concat(hex("8004"), ...parts, ...(stop ? [hex("2e")] : [])));

/**
 * A memo bomb: level i is a list, tuple or dict built from memo references to earlier levels, so `n`
 * levels of a few bytes each describe a value with up to 2^n leaves (a "billion laughs" pickle).
 */
const memoBomb = fc
  .array(fc.tuple(fc.constantFrom("list", "tuple", "dict", "frozenset"), fc.array(fc.nat(), { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 60 })
  .map((levels) => {
    const out = [0x80, 0x04, 0x4b, 0x07, 0x94]; // PROTO 4, BININT1 7, MEMOIZE → memo 0
    levels.forEach(([kind, refs], i) => {
      const get = (r: number) => [0x6a, ...u32(r % (i + 1))]; // LONG_BINGET of an earlier level
      out.push(0x28); // MARK
      if (kind === "dict") refs.forEach((r, j) => out.push(0x4b, j, ...get(r))); // int key, shared value
      else for (const r of refs) out.push(...get(r));
      out.push(kind === "list" ? 0x6c : kind === "tuple" ? 0x74 : kind === "dict" ? 0x64 : 0x91, 0x94); // LIST/TUPLE/DICT/FROZENSET, MEMOIZE
    });
    out.push(0x2e);
    return Uint8Array.from(out);
  });

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}

const fuzzInput = fc.oneof(
  { arbitrary: mutatedPickle, weight: 16 },
  { arbitrary: opcodeSoup, weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 1 },
  { arbitrary: memoBomb, weight: 1 },
);

/** True when `v` has no cycle, no opaque object and is shallow enough for the recursive pyEquals. */
function reEncodable(v: PyValue): boolean {
  const onPath = new Set<object>();
  let visited = 0;
  const stack: [PyValue, number, boolean][] = [[v, 0, false]];
  while (stack.length > 0) {
    const [x, depth, leaving] = stack.pop() as [PyValue, number, boolean];
    if (typeof x !== "object" || x === null) continue;
    if (leaving) {
      onPath.delete(x);
      continue;
    }
    // A shared-reference bomb is a DAG with astronomically many paths: not worth re-encoding.
    if (x instanceof PyObject || onPath.has(x) || depth > 200 || ++visited > 10_000) return false;
    onPath.add(x);
    stack.push([x, depth, true]);
    const children = Array.isArray(x) ? x : x instanceof PyDict ? x.entries.flat() : "items" in x ? x.items : [];
    for (const c of children) stack.push([c, depth + 1, false]);
  }
  return true;
}

const show = (b: Uint8Array) => Buffer.from(b).toString("hex").slice(0, 400);

test("decodePickle: a value or a typed ProtocolError for every fuzzed input, in bounded time and memory", fuzzTestOptions(120_000), (t) => {
  const outcomes = { value: 0, INVALID_PICKLE: 0, UNSUPPORTED_PICKLE: 0, roundTrips: 0 };
  const memory = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const baseline = memory();
  let peak = baseline;
  let n = 0;
  const { inputs } = fuzzProperty(t, "pickle.decode", fuzzInput, (input) => {
    if (++n % 2000 === 0) peak = Math.max(peak, memory());
    let value: PyValue;
    try {
      value = decodePickle(input);
    } catch (e) {
      if (!(e instanceof ProtocolError)) assert.fail(`${show(input)} threw ${String(e)}`);
      assert.ok(e.code === "INVALID_PICKLE" || e.code === "UNSUPPORTED_PICKLE", `${show(input)}: code ${e.code}`);
      outcomes[e.code]++;
      return;
    }
    outcomes.value++;
    const text = formatPython(value, { maxLength: 2000 });
    assert.ok(text.length <= 2000, `${show(input)}: formatted to ${text.length} characters`);
    if (reEncodable(value)) {
      const again = decodePickle(encodePickle(value));
      assert.ok(pyEquals(again, value), `${show(input)} does not round-trip`);
      outcomes.roundTrips++;
    }
  }, { ciRuns: 20_000 });
  peak = Math.max(peak, memory());
  t.diagnostic(JSON.stringify({ ...outcomes, memoryGrowthMiB: Math.round((peak - baseline) / 2 ** 20) }));
  // Every outcome must actually occur, or the fuzzer is not reaching the decoder's interesting paths.
  assert.ok(outcomes.value > inputs * 0.03, JSON.stringify(outcomes));
  assert.ok(outcomes.roundTrips > inputs * 0.02, JSON.stringify(outcomes));
  assert.ok(outcomes.INVALID_PICKLE > inputs * 0.1, JSON.stringify(outcomes));
  assert.ok(outcomes.UNSUPPORTED_PICKLE > inputs * 0.001, JSON.stringify(outcomes));
  assert.ok(peak - baseline < MEMORY_BUDGET, `memory grew by ${Math.round((peak - baseline) / 2 ** 20)} MiB`);
});

test("memo bombs decode to shared references and format elided, within milliseconds", fuzzTestOptions(60_000), (t) => {
  let decoded = 0;
  const { inputs } = fuzzProperty(t, "pickle.memoBomb", memoBomb, (input) => {
    let value: PyValue;
    try {
      value = decodePickle(input);
    } catch (e) {
      // A list or dict level used inside a frozenset is unhashable: a typed error, as in Python.
      assert.ok(e instanceof ProtocolError && e.code === "INVALID_PICKLE", `${show(input)} threw ${String(e)}`);
      return;
    }
    decoded++;
    const text = formatPython(value, { maxLength: 500 });
    assert.ok(text.length <= 500);
  }, { ciRuns: 2000, maxMsPerInput: 250 });
  assert.ok(decoded > inputs / 4, `${decoded} of ${inputs} bombs decoded`);
});

test("decodeBase64Mime gives bytes or a ProtocolError for random strings", fuzzTestOptions(60_000), (t) => {
  const alphabet = fc.constantFrom(..."ABCZabcz0189+/=\n\r \t-_*{é😀");
  fuzzProperty(t, "base64Mime.decode", fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join("")), (text) => {
    try {
      assert.ok(decodeBase64Mime(text) instanceof Uint8Array);
    } catch (e) {
      assert.ok(e instanceof ProtocolError && e.code === "INVALID_PICKLE", `${JSON.stringify(text)} threw ${String(e)}`);
    }
  }, { ciRuns: 10_000 });
});

test("a decoded PyTuple from a fuzzed stream is a real tuple", () => {
  // Guards the round-trip check above: pyEquals must tell a tuple from a list for it to mean anything.
  assert.equal(pyEquals(decodePickle(hex("80044b0185942e")), new PyTuple([1])), true);
  assert.equal(pyEquals(decodePickle(hex("80045d944b01612e")), new PyTuple([1])), false);
});

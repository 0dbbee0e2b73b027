/**
 * Fuzzing decodePickle with 100k seeded inputs: mutations of real pickles (bit flips, truncations,
 * inserted opcodes, huge length fields, splices) and random opcode soups. Each input must give a value
 * or a ProtocolError (INVALID_PICKLE / UNSUPPORTED_PICKLE): no other exception, no hang (the runner's
 * timeout), no runaway memory. A decoded value that can be pickled again must survive
 * encode → decode unchanged, so the decoder never builds something the codec cannot stand behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodePickle, encodePickle } from "../../../../core/protocol/pickle";
import { decodeBase64Mime } from "../../../../core/protocol/base64Mime";
import { ProtocolError } from "../../../../core/protocol/errors";
import { PyDict, PyObject, PyTuple, pyEquals, type PyValue } from "../../../../core/protocol/pyValue";
import { loadVectors } from "../../../support/vectors";
import { RandomPy, prng } from "./randomPyValue";

const SEED = 0x5eed;
const INPUTS = 100_000;
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
];

function corpus(): Uint8Array[] {
  const out = loadVectors("dill_data").map((c) => decodeBase64Mime((c.expected as string).slice(3)));
  const rnd = new RandomPy(SEED);
  for (let i = 0; i < 60; i++) {
    const v = rnd.value({ maxDepth: 4 });
    out.push(encodePickle(v), encodePickle(v, { protocol: 5 }));
  }
  // Mutating big pickles is slow and adds little: keep the corpus small.
  return out.filter((p) => p.length <= 4096);
}

class Mutator {
  readonly next = prng(SEED);
  constructor(private readonly seeds: Uint8Array[]) {}

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  input(): Uint8Array {
    const r = this.next();
    if (r < 0.08) return this.soup();
    if (r < 0.12) return Uint8Array.from({ length: this.int(64) }, () => this.int(256));
    let b = this.seeds[this.int(this.seeds.length)];
    const rounds = 1 + this.int(3);
    for (let i = 0; i < rounds; i++) b = this.mutate(b);
    return b;
  }

  private mutate(src: Uint8Array): Uint8Array {
    const b = Uint8Array.from(src);
    const at = this.int(b.length + 1);
    switch (this.int(7)) {
      case 0: // bit flips
        for (let i = 0, n = 1 + this.int(4); i < n && b.length; i++) b[this.int(b.length)] ^= 1 << this.int(8);
        return b;
      case 1: // random byte values
        for (let i = 0, n = 1 + this.int(3); i < n && b.length; i++) b[this.int(b.length)] = this.int(256);
        return b;
      case 2: // truncation
        return b.subarray(0, this.int(b.length));
      case 3: // inserted opcode (with arguments)
        return concat(b.subarray(0, at), hex(OPCODE_SNIPPETS[this.int(OPCODE_SNIPPETS.length)]), b.subarray(at));
      case 4: {
        // a huge length field written over whatever follows an opcode
        const huge = [0xff, 0xff, 0xff, 0xff, this.int(2) ? 0xff : 0, 0, 0, this.int(2) ? 0x7f : 0];
        b.set(huge.slice(0, Math.min(huge.length, b.length - Math.min(at, b.length))), Math.min(at, b.length));
        return b;
      }
      case 5: // deleted or duplicated slice
        return this.int(2)
          ? concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + this.int(16))))
          : concat(b.subarray(0, at), b.subarray(at, at + 1 + this.int(32)), b.subarray(at));
      default: {
        // splice with another pickle
        const other = this.seeds[this.int(this.seeds.length)];
        return concat(b.subarray(0, at), other.subarray(this.int(other.length)));
      }
    }
  }

  /** PROTO then random opcode snippets, usually ending in STOP. */
  private soup(): Uint8Array {
    const parts = [hex("8004")];
    for (let i = 0, n = 1 + this.int(30); i < n; i++) parts.push(hex(OPCODE_SNIPPETS[this.int(OPCODE_SNIPPETS.length)]));
    if (this.next() < 0.8) parts.push(hex("2e"));
    return concat(...parts);
  }
}

function hex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, "hex"));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** True when `v` has no cycle, no opaque object and is shallow enough for the recursive pyEquals. */
function reEncodable(v: PyValue): boolean {
  const onPath = new Set<object>();
  const stack: [PyValue, number, boolean][] = [[v, 0, false]];
  while (stack.length > 0) {
    const [x, depth, leaving] = stack.pop() as [PyValue, number, boolean];
    if (typeof x !== "object" || x === null) continue;
    if (leaving) {
      onPath.delete(x);
      continue;
    }
    if (x instanceof PyObject || onPath.has(x) || depth > 200) return false;
    onPath.add(x);
    stack.push([x, depth, true]);
    const children = Array.isArray(x) ? x : x instanceof PyDict ? x.entries.flat() : "items" in x ? x.items : [];
    for (const c of children) stack.push([c, depth + 1, false]);
  }
  return true;
}

test(`decodePickle survives ${INPUTS} fuzzed inputs (seed ${SEED})`, { timeout: 120_000 }, (t) => {
  const mutator = new Mutator(corpus());
  const outcomes = { value: 0, INVALID_PICKLE: 0, UNSUPPORTED_PICKLE: 0, roundTrips: 0 };
  const memory = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const baseline = memory();
  let peak = baseline;
  for (let i = 0; i < INPUTS; i++) {
    const input = mutator.input();
    let value: PyValue;
    try {
      value = decodePickle(input);
    } catch (e) {
      if (!(e instanceof ProtocolError)) {
        assert.fail(`input #${i} (${Buffer.from(input).toString("hex").slice(0, 400)}) threw ${String(e)}`);
      }
      assert.ok(e.code === "INVALID_PICKLE" || e.code === "UNSUPPORTED_PICKLE", `input #${i}: code ${e.code}`);
      outcomes[e.code]++;
      continue;
    }
    outcomes.value++;
    if (reEncodable(value)) {
      const again = decodePickle(encodePickle(value));
      assert.ok(pyEquals(again, value), `input #${i} (${Buffer.from(input).toString("hex").slice(0, 400)}) does not round-trip`);
      outcomes.roundTrips++;
    }
    if (i % 5000 === 0) peak = Math.max(peak, memory());
  }
  peak = Math.max(peak, memory());
  t.diagnostic(JSON.stringify({ ...outcomes, memoryGrowthMiB: Math.round((peak - baseline) / 2 ** 20) }));
  // Every outcome must actually occur, or the fuzzer is not reaching the decoder's interesting paths.
  assert.ok(outcomes.value > INPUTS * 0.03, JSON.stringify(outcomes));
  assert.ok(outcomes.roundTrips > INPUTS * 0.02, JSON.stringify(outcomes));
  assert.ok(outcomes.INVALID_PICKLE > INPUTS * 0.1, JSON.stringify(outcomes));
  assert.ok(outcomes.UNSUPPORTED_PICKLE > 100, JSON.stringify(outcomes));
  assert.ok(peak - baseline < MEMORY_BUDGET, `memory grew by ${Math.round((peak - baseline) / 2 ** 20)} MiB`);
});

test("decodeBase64Mime gives bytes or a ProtocolError for 20k random strings", () => {
  const next = prng(SEED + 1);
  const alphabet = "ABCZabcz0189+/=\n\r \t-_*{é😀";
  for (let i = 0; i < 20_000; i++) {
    const text = Array.from({ length: Math.floor(next() * 40) }, () => [...alphabet][Math.floor(next() * 25)]).join("");
    try {
      assert.ok(decodeBase64Mime(text) instanceof Uint8Array);
    } catch (e) {
      assert.ok(e instanceof ProtocolError && e.code === "INVALID_PICKLE", `${JSON.stringify(text)} threw ${String(e)}`);
    }
  }
});

test("a decoded PyTuple from a fuzzed stream is a real tuple", () => {
  // Guards the round-trip check above: pyEquals must tell a tuple from a list for it to mean anything.
  assert.equal(pyEquals(decodePickle(hex("80044b0185942e")), new PyTuple([1])), true);
  assert.equal(pyEquals(decodePickle(hex("80045d944b01612e")), new PyTuple([1])), false);
});

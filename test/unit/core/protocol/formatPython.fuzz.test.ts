/**
 * Property-based fuzzing of the value formatter (fast-check; FUZZ_RUNS / FUZZ_SEED, see
 * test/support/fuzz.ts): any PyValue, including shared references, cycles, deep nesting and large
 * leaves, formats without throwing, within `maxLength` and the time budget; and a shortened text is
 * always the start of the whole text followed by `…`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatPython } from "../../../../core/protocol/formatPython";
import { PyByteArray, PyBytes, PyDict, PyFrozenSet, PyObject, PySet, PyTuple, pyFloat, pyInt, type PyValue } from "../../../../core/protocol/pyValue";
import { fuzzProperty, fuzzTestOptions } from "../../../support/fuzz";

const leaf: fc.Arbitrary<PyValue> = fc.oneof(
  fc.constantFrom<PyValue>(null, true, false),
  fc.integer().map((n) => n as PyValue),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map((n) => pyInt(n)),
  fc.double().map((x) => pyFloat(x)),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: fc.constantFrom("'", '"', "\\", "\n", "\x00", "\x7f", "é", "\u2028", "😀", "\ud800", "a"), maxLength: 20 }),
  fc.uint8Array({ maxLength: 20 }).map((b) => new PyBytes(b)),
  fc.uint8Array({ maxLength: 8 }).map((b) => new PyByteArray(b)),
  fc.constant(new PyObject("datetime", "datetime")),
);

const { value } = fc.letrec<{ value: PyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.array(tie("value"), { maxLength: 5 }).map((xs) => new PyTuple(xs)),
    fc.array(fc.tuple(leaf, tie("value")), { maxLength: 5 }).map((kv) => {
      const d = new PyDict();
      for (const [k, v] of kv) d.entries.push([k, v]);
      return d;
    }),
    fc.array(leaf, { maxLength: 5 }).map((xs) => new PySet(xs)),
    fc.array(leaf, { maxLength: 5 }).map((xs) => new PyFrozenSet(xs)),
  ),
}));

/** Turns a value into a bomb: shared references doubling `levels` times, a cycle, or deep nesting. */
const hostile: fc.Arbitrary<PyValue> = fc.oneof(
  fc.tuple(value, fc.integer({ min: 1, max: 200 })).map(([v, levels]) => {
    let x = v;
    for (let i = 0; i < levels; i++) x = i % 2 ? new PyTuple([x, x]) : [x, x, x];
    return x;
  }),
  value.map((v) => {
    const l: PyValue[] = [v];
    l.push(l, new PyDict([["self", l]]));
    return l;
  }),
  fc.tuple(value, fc.integer({ min: 1, max: 5000 })).map(([v, depth]) => {
    let x = v;
    for (let i = 0; i < depth; i++) x = [x];
    return x;
  }),
  // (10 MB strings are in the unit tests: here a counterexample must stay printable.)
  fc.integer({ min: 1, max: 100_000 }).map((n) => "x'\n".repeat(n)),
  fc.integer({ min: 60, max: 200_000 }).map((bits) => -(1n << BigInt(bits * 10))),
);

test("any value, bombs included, formats within its length and time budget", fuzzTestOptions(60_000), (t) => {
  const input = fc.tuple(fc.oneof(value, hostile), fc.integer({ min: 0, max: 2000 }));
  fuzzProperty(t, "formatPython.budget", input, ([v, maxLength]) => {
    const text = formatPython(v, { maxLength });
    assert.ok(text.length <= maxLength, `${text.length} > ${maxLength}`);
  }, { ciRuns: 3000, maxMsPerInput: 500 });
});

test("a shortened text is the whole text cut, then an ellipsis", fuzzTestOptions(60_000), (t) => {
  fuzzProperty(t, "formatPython.prefix", fc.tuple(value, fc.integer({ min: 1, max: 200 })), ([v, maxLength]) => {
    const whole = formatPython(v, { maxLength: Infinity, maxMillis: Infinity });
    const short = formatPython(v, { maxLength });
    if (whole.length <= maxLength) return assert.equal(short, whole);
    assert.ok(short.endsWith("…"), short);
    const kept = short.slice(0, -1);
    assert.ok(whole.startsWith(kept), `${JSON.stringify(short)} is not the start of ${JSON.stringify(whole.slice(0, 300))}`);
    assert.ok(kept.length >= maxLength - 2, "cut at the limit (one less before a surrogate pair)");
  }, { ciRuns: 5000 });
});

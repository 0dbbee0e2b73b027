import { test } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../../../core/protocol/errors";
import { fromTagged, toDisplayJson, toTagged } from "../../../../core/protocol/tagged";
import {
  PyByteArray,
  PyBytes,
  PyDict,
  PyFloat,
  PyFrozenSet,
  PyObject,
  PySet,
  PyTuple,
  pyEquals,
  type PyValue,
} from "../../../../core/protocol/pyValue";

const sample = (): PyValue => [
  new PyTuple([1, "a"]),
  new PySet([1]),
  new PyFrozenSet([2n ** 64n]),
  new PyBytes(Uint8Array.from([0, 255])),
  new PyByteArray(Uint8Array.from([97])),
  new PyFloat(2),
  new PyFloat(1e300),
  -0,
  0.5,
  NaN,
  -Infinity,
  new PyDict([["2", 1], ["a", 2]]),
  new PyDict([[1, "x"], [new PyTuple([1, 2]), "t"], [null, "n"]]),
  new PyObject("datetime", "datetime"),
];

test("toTagged writes the README's lossless convention and fromTagged reads it back", () => {
  const tagged = toTagged(sample());
  assert.deepEqual(tagged, [
    { __tuple__: [1, "a"] },
    { __set__: [1] },
    { __frozenset__: [{ __int__: "18446744073709551616" }] },
    { __bytes__: "AP8=" },
    { __bytearray__: "YQ==" },
    { __float__: "2.0" },
    1e300,
    -0,
    0.5,
    { __float__: "nan" },
    { __float__: "-inf" },
    { 2: 1, a: 2 },
    { __dict__: [[1, "x"], [{ __tuple__: [1, 2] }, "t"], [null, "n"]] },
    { __repr__: "<datetime.datetime object>" },
  ]);
  assert.ok(pyEquals(fromTagged(tagged), sample()));
});

test("toDisplayJson shows values as the vectors' decoded_json does", () => {
  assert.deepEqual(toDisplayJson(sample()), [
    [1, "a"],
    [1],
    [{ __int__: "18446744073709551616" }],
    { __bytes__: "AP8=" },
    { __bytes__: "YQ==" },
    2,
    1e300,
    -0,
    0.5,
    { __float__: "nan" },
    { __float__: "-inf" },
    { 2: 1, a: 2 },
    { 1: "x", "(1, 2)": "t", null: "n" },
    null,
  ]);
  const keys = new PyDict([[new PyFloat(2), 1], [NaN, 2], [true, 3], [new PyBytes(Uint8Array.from([104])), 4]]);
  assert.deepEqual(Object.keys(toDisplayJson(keys) as object), ["2.0", "NaN", "true", "b'h'"]);
});

test("a __proto__ key stays an ordinary entry", () => {
  const out = toTagged(new PyDict([["__proto__", 1]])) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
});

test("fromTagged: plain integral numbers beyond 2^53 are floats; __repr__ becomes an object that shows it, or a placeholder", () => {
  assert.ok(pyEquals(fromTagged(1e16), new PyFloat(1e16)));
  assert.ok(pyEquals(fromTagged({ __float__: "1e+16" }), new PyFloat(1e16)));
  assert.ok(pyEquals(fromTagged({ __int__: "-5" }), -5));
  const when = fromTagged({ __repr__: "datetime.datetime(2024, 1, 2)" });
  assert.ok(pyEquals(when, new PyObject("datetime", "datetime")));
  assert.equal(String(when), "datetime.datetime(2024, 1, 2)");
  assert.equal(String(fromTagged({ __repr__: "<__main__.Point object; x=1>" })), "<__main__.Point object>");
  assert.equal(String(fromTagged({ __repr__: "(1-2j)" })), "(1-2j)");
});

test("fromTagged rejects malformed tags with INVALID_TAGGED", () => {
  const bad: unknown[] = [
    { __int__: "1.5" },
    { __float__: "abc" },
    { __tuple__: 1 },
    { __bytes__: "***" },
    { __dict__: [[1]] },
    { __repr__: 3 },
    undefined,
    () => 1,
    10n,
  ];
  for (const b of bad) {
    assert.throws(() => fromTagged(b), (e: unknown) => e instanceof ProtocolError && e.code === "INVALID_TAGGED", String(b));
  }
});

test("cyclic values are refused by toTagged rather than overflowing", () => {
  const l: PyValue[] = [];
  l.push(l);
  assert.throws(() => toTagged(l), (e: unknown) => e instanceof ProtocolError && e.code === "NOT_SERIALIZABLE");
});

test("a value sharing its parts is refused once its expansion passes a million parts, not expanded until memory runs out", () => {
  let bomb: PyValue = [];
  for (let i = 0; i < 60; i++) bomb = [bomb, bomb];
  for (const view of [toTagged, toDisplayJson]) {
    const start = performance.now();
    assert.throws(() => view(bomb), (e: unknown) => e instanceof ProtocolError && e.code === "NOT_SERIALIZABLE" && /too large/.test(e.message));
    assert.ok(performance.now() - start < 5_000);
  }
  let shared: PyValue = [1];
  for (let i = 0; i < 10; i++) shared = [shared, shared];
  assert.equal(JSON.stringify(toDisplayJson(shared)).length, 6 * 2 ** 10 - 3, "2^10 leaves: shown whole");
});

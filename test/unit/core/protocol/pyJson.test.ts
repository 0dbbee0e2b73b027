import { test } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../../../core/protocol/errors";
import { MAX_JSON_DEPTH, pyJsonDumps, pyJsonLoads, writeExactJson } from "../../../../core/protocol/pyJson";
import { PyBytes, PyDict, PyFloat, PyObject, PySet, PyTuple, pyEquals, type PyValue } from "../../../../core/protocol/pyValue";
import { TextBudget } from "../../../../core/protocol/textBudget";

const error = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof ProtocolError && e.code === code && (message === undefined || message.test(e.message));

function nested(depth: number): PyValue {
  let v: PyValue = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

test("dumps writes Python's float repr, bare non-finite floats and exact big ints", () => {
  const cases: [PyValue, string][] = [
    [-0, "-0.0"],
    [new PyFloat(100), "100.0"],
    [1e16, "10000000000000000"], // an integral plain number is an int
    [new PyFloat(1e16), "1e+16"],
    [1.5e-7, "1.5e-07"],
    [0.0001, "0.0001"],
    [[NaN, Infinity, -Infinity], "[NaN, Infinity, -Infinity]"],
    [2n ** 70n, "1180591620717411303424"],
    [new PyTuple([1, new PyTuple([])]), "[1, []]"],
    [new PyDict([["a", null], ["b", true]]), '{"a": null, "b": true}'],
  ];
  for (const [v, want] of cases) assert.equal(pyJsonDumps(v), want);
});

test("dumps converts non-str keys as json.dumps does", () => {
  const d = new PyDict([
    [7, "i"],
    [2n ** 64n, "big"],
    [new PyFloat(3), "f"],
    [0.5, "h"],
    [NaN, "n"],
    [true, "t"],
    [null, "z"],
  ]);
  assert.equal(pyJsonDumps(d), '{"7": "i", "18446744073709551616": "big", "3.0": "f", "0.5": "h", "NaN": "n", "true": "t", "null": "z"}');
});

test("dumps escapes like ensure_ascii: DEL, astral pairs, lone surrogates, controls", () => {
  assert.equal(pyJsonDumps("\x7f😀\ud800\x00\x1f\b\f\n\r\t\"\\/é"), '"\\u007f\\ud83d\\ude00\\ud800\\u0000\\u001f\\b\\f\\n\\r\\t\\"\\\\/\\u00e9"');
});

test("dumps rejects what Python's json rejects, with Python's wording", () => {
  assert.throws(() => pyJsonDumps(new PySet([1])), error("NOT_SERIALIZABLE", /^Object of type set is not JSON serializable$/));
  assert.throws(() => pyJsonDumps(new PyBytes(new Uint8Array())), error("NOT_SERIALIZABLE", /type bytes/));
  assert.throws(() => pyJsonDumps(new PyObject("datetime", "datetime")), error("NOT_SERIALIZABLE", /type datetime/));
  assert.throws(() => pyJsonDumps(new PyDict([[new PyTuple([1]), 1]])), error("NOT_SERIALIZABLE", /not tuple$/));
  const loop: PyValue[] = [];
  loop.push(loop);
  assert.throws(() => pyJsonDumps(loop), error("NOT_SERIALIZABLE", /Circular reference/));
  assert.throws(() => pyJsonDumps(nested(MAX_JSON_DEPTH + 1)), error("NOT_SERIALIZABLE", /recursion/));
  assert.equal(pyJsonDumps(nested(MAX_JSON_DEPTH)).length, MAX_JSON_DEPTH * 2);
});

test("loads keeps int vs float, big ints, -0.0 and the non-finite words", () => {
  const v = pyJsonLoads('[2, 2.0, -0, -0.0, 1e400, 12345678901234567890, -9007199254740991, NaN, Infinity, -Infinity, 1E2]');
  const want: PyValue = [2, new PyFloat(2), 0, -0, Infinity, 12345678901234567890n, -9007199254740991, NaN, Infinity, -Infinity, new PyFloat(100)];
  assert.ok(pyEquals(v, want), String(v));
  assert.ok(Object.is((v as PyValue[])[2], 0), "-0 is the int 0");
});

test("loads builds ordered dicts; a repeated key keeps its first place and its last value", () => {
  const d = pyJsonLoads('{"2": 1, "a": 2, "1": 3, "a": 4}') as PyDict;
  assert.deepEqual(d.entries, [["2", 1], ["a", 4], ["1", 3]]);
});

test("loads decodes escapes, including surrogate pairs and lone surrogates", () => {
  assert.equal(pyJsonLoads(' "\\ud83d\\ude00\\ud800\\u00E9\\/\\b\\f\\n\\r\\t\\"\\\\" '), "😀\ud800é/\b\f\n\r\t\"\\");
});

test("loads rejects malformed JSON with INVALID_JSON and the offset", () => {
  const bad: [string, RegExp][] = [
    ["", /Expecting value: char 0/],
    ["[1,]", /Expecting value/],
    ['{"a" 1}', /Expecting ':' delimiter/],
    ['{"a": 1,}', /property name/],
    ["{1: 2}", /property name/],
    ["[1 2]", /Expecting ',' delimiter: char 3/],
    ["[1] x", /Extra data: char 4/],
    ['"\x01"', /Invalid control character/],
    ['"\\x"', /Invalid \\escape/],
    ['"\\u12G4"', /Invalid \\uXXXX/],
    ['"abc', /Unterminated string/],
    ["01", /Extra data/],
    ["-", /Expecting value/],
    ["nul", /Expecting value/],
    ["[" + "1".repeat(4301) + "]", /Exceeds the limit \(4300 digits\)/],
  ];
  for (const [text, msg] of bad) assert.throws(() => pyJsonLoads(text), error("INVALID_JSON", msg), text);
  assert.equal(typeof pyJsonLoads("1".repeat(4300)), "bigint");
});

test("loads is iterative and caps nesting at MAX_JSON_DEPTH", () => {
  const ok = "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH);
  assert.ok(pyEquals(pyJsonLoads(ok), nested(MAX_JSON_DEPTH)));
  const deep = "[".repeat(MAX_JSON_DEPTH + 1) + "1" + "]".repeat(MAX_JSON_DEPTH + 1);
  assert.throws(() => pyJsonLoads(deep), error("INVALID_JSON", /nesting too deep/));
  assert.throws(() => pyJsonLoads("[".repeat(1_000_000)), error("INVALID_JSON", /nesting too deep/));
});

test("writeExactJson writes json.dumps' text for what every JSON parser reads back exactly, and refuses the rest", () => {
  const exact = (v: PyValue, limit = Infinity) => {
    const w = new TextBudget(limit, Infinity);
    return writeExactJson(v, w) ? (w.cut ?? w.text) : false;
  };
  const shared = [1, "é"];
  const value: PyValue = [null, true, 1.5, new PyFloat(2), 10n ** 30n, "a\u2028\"", shared, shared, PyDict.fromObject({ k: [[]], e: new PyDict() })];
  assert.equal(exact(value), pyJsonDumps(value));
  const cyclic: PyValue[] = [];
  cyclic.push(cyclic);
  for (const v of [NaN, [Infinity], PyDict.fromObject({ x: -Infinity }), new PyTuple([1]), new PyDict([[1, 2]]), new PySet([]), new PyBytes(new Uint8Array()), new PyObject("m", "C"), 10n ** 4300n, nested(MAX_JSON_DEPTH + 1), cyclic])
    assert.equal(exact(v), false);
  assert.equal(exact(["x".repeat(100)], 50), "length", "a long str overflows the budget");
  let bomb: PyValue = [];
  for (let i = 0; i < 100; i++) bomb = [bomb, bomb];
  assert.equal(exact(bomb, 10_000), "length", "2^100 leaves: stopped by the length budget");
  const w = new TextBudget(Infinity, 5);
  const start = performance.now();
  assert.equal(writeExactJson(bomb, w), true);
  assert.equal(w.cut, "time");
  assert.ok(performance.now() - start < 5_000);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatPython } from "../../../../core/protocol/formatPython";
import {
  PyByteArray,
  PyBytes,
  PyDict,
  PyFloat,
  PyFrozenSet,
  PyObject,
  PySet,
  PyTuple,
  type PyValue,
} from "../../../../core/protocol/pyValue";

const bytes = (...b: number[]) => new PyBytes(Uint8Array.from(b));

test("formatPython renders Python's repr for every PyValue kind", () => {
  const cases: [PyValue, string][] = [
    [null, "None"],
    [true, "True"],
    [new PyTuple([1]), "(1,)"],
    [new PyTuple([]), "()"],
    [new PyTuple([1, "a"]), "(1, 'a')"],
    [new PyDict([[1, "a"]]), "{1: 'a'}"],
    [new PyDict(), "{}"],
    [new PySet([1, 2]), "{1, 2}"],
    [new PySet([]), "set()"],
    [new PyFrozenSet([1]), "frozenset({1})"],
    [new PyFrozenSet([]), "frozenset()"],
    [bytes(0), "b'\\x00'"],
    [bytes(0x27), `b"'"`],
    [bytes(0x27, 0x22), `b'\\'"'`],
    [bytes(0x5c, 0x09, 0x0a, 0x0d, 0x7f, 0x80, 0x41), "b'\\\\\\t\\n\\r\\x7f\\x80A'"],
    [new PyByteArray(new Uint8Array()), "bytearray(b'')"],
    [new PyByteArray(Uint8Array.from([0x27])), `bytearray(b"\\'")`],
    [2n ** 100n, "1267650600228229401496703205376"],
    [1e21, "1000000000000000000000"],
    [NaN, "nan"],
    [-Infinity, "-inf"],
    [-0, "-0.0"],
    [new PyFloat(2), "2.0"],
    [new PyFloat(1e16), "1e+16"],
    [1.5e-7, "1.5e-07"],
    [0.0001, "0.0001"],
    [new PyObject("datetime", "datetime"), "<datetime.datetime object>"],
    ["it's", `"it's"`],
    [`it's "x"`, `'it\\'s "x"'`],
    ["tab\tnl\nbs\\ del\x7f nul\x00", "'tab\\tnl\\nbs\\\\ del\\x7f nul\\x00'"],
    ["é中😀", "'é中😀'"],
    ["\xa0\xad\u200b\u2028\u3000\ue000\uffff\u{10ffff}\ud800", "'\\xa0\\xad\\u200b\\u2028\\u3000\\ue000\\uffff\\U0010ffff\\ud800'"],
  ];
  for (const [v, want] of cases) assert.equal(formatPython(v), want);
});

test("formatPython prints self-references like CPython", () => {
  const l: PyValue[] = [1];
  l.push(l);
  assert.equal(formatPython(l), "[1, [...]]");
  const d = new PyDict();
  d.set("me", d);
  assert.equal(formatPython(d), "{'me': {...}}");
  const shared = [1];
  assert.equal(formatPython([shared, shared]), "[[1], [1]]", "shared, not cyclic");
});

test("maxLength truncates with an ellipsis and stops rendering early", () => {
  const big = Array.from({ length: 100_000 }, (_, i) => i);
  const preview = formatPython(big, { maxLength: 20 });
  assert.equal(preview, "[0, 1, 2, 3, 4, 5, …");
  assert.equal(preview.length, 20);
  assert.equal(formatPython([1, 2], { maxLength: 6 }), "[1, 2]", "exactly at the limit: untouched");
  assert.equal(formatPython("😀😀😀", { maxLength: 4 }), "'😀…", "never splits a surrogate pair");
});

test("deep nesting renders a placeholder instead of overflowing the stack", () => {
  let v: PyValue = [];
  for (let i = 0; i < 100_000; i++) v = [v];
  const text = formatPython(v);
  assert.ok(text.startsWith("[[[[") && text.includes("[...]"));
});

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

/** CPU time of `f` in ms (the machine is shared: wall time measures the neighbours too). */
function cpuMs(f: () => unknown): number {
  const start = process.cpuUsage();
  f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

test("shared references that expand to 2^100 items render elided within the length budget", () => {
  let v: PyValue = [1];
  for (let i = 0; i < 100; i++) v = [v, v];
  let text = "";
  assert.ok(cpuMs(() => (text = formatPython(v, { maxLength: 200 }))) < 50);
  assert.equal(text.length, 200);
  assert.ok(text.startsWith("[[[[") && text.endsWith("…"));
  // No option at all: still bounded (the default budget), never the whole text.
  const whole = formatPython(v);
  assert.ok(whole.length <= 100_000 && whole.endsWith("…"));
});

test("the time budget ends rendering with an ellipsis", () => {
  let v: PyValue = [1];
  for (let i = 0; i < 60; i++) v = [v, v];
  const start = performance.now();
  const text = formatPython(v, { maxLength: Infinity, maxMillis: 5 });
  assert.ok(performance.now() - start < 1000, "stopped by the clock");
  assert.ok(text.endsWith("…") && text.length < 50_000_000);
});

test("an int beyond CPython's 4300-digit limit shows its digit count, never its decimal text", () => {
  const tenMillionDigits = 1n << 33_219_280n; // 2^33219280 has 10,000,000 digits
  let text = "";
  assert.ok(cpuMs(() => (text = formatPython([tenMillionDigits, -tenMillionDigits]))) < 500);
  assert.equal(text, "[<10,000,000-digit int>, <negative 10,000,000-digit int>]");
  assert.equal(formatPython(10n ** 4299n), "1" + "0".repeat(4299), "4300 digits: printed");
  assert.equal(formatPython(10n ** 4300n), "<4,301-digit int>");
  assert.equal(formatPython(10n ** 40n, { maxIntDigits: 10 }), "<41-digit int>");
});

test("a 10 MB str or bytes is cut to the budget without escaping all of it", () => {
  const str = "é\n\u0000'".repeat(2_500_000);
  let text = "";
  assert.ok(cpuMs(() => (text = formatPython(str, { maxLength: 80 }))) < 100);
  assert.equal(text, `"é\\n\\x00'é\\n\\x00'é\\n\\x00'é\\n\\x00'é\\n\\x00'é\\n\\x00'é\\n\\x00'é\\n\\x00'é\\n\\x00'é\\n\\x00'é\\n\\x…`.slice(0, 79) + "…");
  const bytes = new PyBytes(new Uint8Array(10_000_000).fill(0x80));
  assert.ok(cpuMs(() => (text = formatPython(new PyTuple([bytes]), { maxLength: 30 }))) < 100);
  assert.equal(text, "(b'\\x80\\x80\\x80\\x80\\x80\\x80\\x…");
});

test("dicts and sets with a million entries stop at the budget", () => {
  const d = new PyDict();
  for (let i = 0; i < 1_000_000; i++) d.entries.push([i, "v"]);
  assert.equal(formatPython(d, { maxLength: 20 }), "{0: 'v', 1: 'v', 2:…");
  assert.equal(formatPython(new PySet(d.keys()), { maxLength: 12 }), "{0, 1, 2, 3…");
});

test("maxDepth bounds nesting", () => {
  assert.equal(formatPython([[[[1]]]], { maxDepth: 2 }), "[[[...]]]");
  assert.equal(formatPython(new PyTuple([new PyDict([[1, new PySet([2])]])]), { maxDepth: 2 }), "({1: set(...)},)");
});

test("offset leaves out the start of the text, so a large value can be shown in pages", () => {
  const v = Array.from({ length: 1000 }, (_, i) => i);
  const whole = formatPython(v);
  const pages: string[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = formatPython(v, { offset, maxLength: 101 });
    pages.push(page.endsWith("…") ? page.slice(0, -1) : page);
    if (!page.endsWith("…")) break;
  }
  assert.equal(pages.join(""), whole);
  assert.ok(pages.slice(0, -1).every((p) => p.length === 100));
  assert.equal(formatPython("abcdef", { offset: 3 }), "cdef'");
  assert.equal(formatPython("abcdef", { offset: 100 }), "");
});

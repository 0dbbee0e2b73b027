import { test } from "node:test";
import assert from "node:assert/strict";
import { ArgumentSyntaxError, MAX_NESTING, parseArguments, parseIterable } from "../../../../core/python/argumentParser";
import { PyBytes, PyDict, PyFloat, PySet, PyTuple, pyEquals, type PyValue } from "../../../../core/protocol/pyValue";

function args(text: string): PyValue[] {
  return parseArguments(text).args;
}

function assertValue(text: string, expected: PyValue): void {
  const got = args(text);
  assert.equal(got.length, 1, text);
  assert.ok(pyEquals(got[0], expected), `${text}: got ${String(got[0])}`);
}

function assertError(text: string, code: string, column: number, length?: number): ArgumentSyntaxError {
  try {
    parseArguments(text);
  } catch (e) {
    assert.ok(e instanceof ArgumentSyntaxError, `${text}: ${String(e)}`);
    assert.equal(e.code, code, `${text}: ${e.message}`);
    assert.equal(e.column, column, `${text}: column (${e.message})`);
    if (length !== undefined) assert.equal(e.length, length, `${text}: length`);
    return e;
  }
  assert.fail(`${text}: expected ${code}`);
}

test("the examples from the issue", () => {
  const a = parseArguments("1234567890, sequence_limit=100");
  assert.deepEqual(a.args, [1234567890]);
  assert.ok(pyEquals(a.kwargs, PyDict.fromObject({ sequence_limit: 100 })));
  const b = parseArguments('(1, 2), {"a": [1.5, None]}, b"\\x00", {1, 2}, -3');
  const expected: PyValue[] = [
    new PyTuple([1, 2]),
    new PyDict([["a", [1.5, null]]]),
    new PyBytes(Uint8Array.of(0)),
    new PySet([1, 2]),
    -3,
  ];
  assert.equal(b.args.length, 5);
  b.args.forEach((v, i) => assert.ok(pyEquals(v, expected[i]), `arg ${i}`));
  assert.equal(b.kwargs.size, 0);
});

test("numbers: big ints, bases, underscores, floats, signs", () => {
  assertValue("123456789012345678901234567890", 123456789012345678901234567890n);
  assertValue("-9007199254740993", -9007199254740993n);
  assertValue("9007199254740991", 9007199254740991);
  assertValue("0x_FF", 255);
  assertValue("0o17", 15);
  assertValue("0B101", 5);
  assertValue("1_000_000", 1000000);
  assertValue("000", 0);
  assertValue("-0", 0);
  assertValue("1.5e-3", 0.0015);
  assertValue("2.0", new PyFloat(2));
  assertValue("1e3", new PyFloat(1000));
  assertValue(".5", 0.5);
  assertValue("5.", new PyFloat(5));
  assertValue("-0.0", -0);
  assertValue("1e400", Infinity);
  assertValue("+3", 3);
});

test("strings: prefixes, escapes, triple quotes, concatenation", () => {
  assertValue(String.raw`'a\tb\n\x41\101\u00e9\U0001F600\\\'\"'`, "a\tb\nAAé😀\\'\"");
  assertValue(String.raw`r'a\tb\''`, String.raw`a\tb\'`);
  assertValue(String.raw`'\d'`, "\\d");
  assertValue(`"""two\nlines"""`, "two\nlines");
  assertValue(`'a' "b" '''c'''`, "abc");
  assertValue(`u'x'`, "x");
  assertValue(String.raw`b'\x00\xff\777A'`, new PyBytes(Uint8Array.of(0, 255, 255, 65)));
  assertValue(String.raw`rb'\x00'`, new PyBytes(new TextEncoder().encode(String.raw`\x00`)));
  assertValue(String.raw`b'\u1234'`, new PyBytes(new TextEncoder().encode(String.raw`\u1234`)));
  assertValue("'é😀'", "é😀");
  assertValue("'a\\\nb'", "ab");
});

test("containers, nesting, True/False/None, set() and dict semantics", () => {
  assertValue("()", new PyTuple([]));
  assertValue("(1,)", new PyTuple([1]));
  assertValue("(1)", 1);
  assertValue("[1, [2, (3, {4: {5}})],]", [1, [2, new PyTuple([3, new PyDict([[4, new PySet([5])]])])]]);
  assertValue("{}", new PyDict());
  assertValue("set()", new PySet([]));
  assertValue("{1, True, 1.0, 2}", new PySet([1, 2]));
  assertValue("{1: 'a', True: 'b', 2: 'c'}", new PyDict([[1, "b"], [2, "c"]]));
  assertValue("[True, False, None]", [true, false, null]);
  assertValue("{(1, 2): 3}", new PyDict([[new PyTuple([1, 2]), 3]]));
  const deep = "[".repeat(MAX_NESTING) + "]".repeat(MAX_NESTING);
  assert.equal(args(deep).length, 1);
});

test("keyword arguments follow Python's rules", () => {
  const { args: a, kwargs } = parseArguments("1, 'x', a=1, b=[2], é=3,");
  assert.deepEqual(a, [1, "x"]);
  assert.deepEqual(kwargs.keys(), ["a", "b", "é"]);
  assert.equal(parseArguments("").args.length, 0);
  assert.equal(parseArguments("  # nothing\n").args.length, 0);
  assertError("a=1, 2", "POSITIONAL_AFTER_KEYWORD", 5, 1);
  assertError("a=1, b=2, a=3", "DUPLICATE_KEYWORD", 10, 1);
  assertError("True=1", "UNEXPECTED_TOKEN", 0, 4);
  // Identifiers are NFKC-normalised, as Python reads them.
  assert.deepEqual(parseArguments("ﬁ=1, ℌ=2, µ=3, e\u0301=4").kwargs.keys(), ["fi", "H", "μ", "é"]);
  assertError("ﬁ=1, fi=2", "DUPLICATE_KEYWORD", 5, 2);
  assertError("__debug__=1", "UNEXPECTED_TOKEN", 0, 9);
  assertError("\u037a=1", "UNEXPECTED_TOKEN", 0, 1);
});

test("line breaks read as Python reads them: CR and CRLF are \\n in a triple-quoted string, and end a comment", () => {
  assertValue("'''a\r\nb\rc'''", "a\nb\nc");
  assertValue("b'''a\r\nb'''", new PyBytes(new TextEncoder().encode("a\nb")));
  assertValue("r'a\\\r\nb'", "a\\\nb");
  assert.deepEqual(args("1, # note\r2"), [1, 2]);
});

test("anything that needs evaluation is a positioned NOT_A_LITERAL error", () => {
  const e = assertError("1, data, 3", "NOT_A_LITERAL", 3, 4);
  assert.match(e.message, /data is a name/);
  assertError("np.zeros(3)", "NOT_A_LITERAL", 0, 2);
  assertError("x=len([1])", "NOT_A_LITERAL", 2, 3);
  assertError("1 + 2", "NOT_A_LITERAL", 2, 1);
  assertError("[1, 2 * 3]", "NOT_A_LITERAL", 6, 1);
  assertError("(1)(2)", "NOT_A_LITERAL", 3, 1);
  assertError("'abc'[0]", "NOT_A_LITERAL", 5, 1);
  assertError("f'{x}'", "NOT_A_LITERAL", 0, 2);
  assertError("1j", "NOT_A_LITERAL", 0, 2);
  assertError("-'a'", "NOT_A_LITERAL", 0, 1);
  assertError("-True", "NOT_A_LITERAL", 0, 1);
  assertError("*xs", "NOT_A_LITERAL", 0, 1);
  assertError("lambda: 1", "UNEXPECTED_TOKEN", 0, 6);
  assertError("inf", "NOT_A_LITERAL", 0, 3);
});

test("malformed literals are positioned errors", () => {
  assertError("0123", "INVALID_NUMBER", 0, 4);
  assertError("1__0", "INVALID_NUMBER", 0, 4);
  assertError("x=0x", "INVALID_NUMBER", 2, 2);
  assertError("1.2.3", "INVALID_NUMBER", 0, 5);
  assertError("'abc", "INVALID_STRING", 0, 4);
  assertError("'ab\ncd'", "INVALID_STRING", 0, 3);
  assertError(String.raw`'\x4'`, "INVALID_STRING", 1, 3);
  assertError(String.raw`'\N{DASH}'`, "INVALID_STRING", 1, 8);
  assertError("b'é'", "INVALID_STRING", 2, 1);
  assertError("b'a' 'b'", "INVALID_STRING", 5, 3);
  assertError("rb'\\é'", "INVALID_STRING", 4, 1);
  assertError("br'\\😀'", "INVALID_STRING", 4, 2);
  assertError("[1, 2", "UNEXPECTED_END", 0, 1);
  assertError("(1, 2", "UNEXPECTED_END", 0, 1);
  assertError("1 2", "UNEXPECTED_TOKEN", 2, 1);
  assertError(",", "UNEXPECTED_TOKEN", 0, 1);
  assertError("1,,", "UNEXPECTED_TOKEN", 2, 1);
  assertError("{[1]: 2}", "UNHASHABLE", 1, 3);
  assertError("{1, {2}}", "UNHASHABLE", 4, 3);
  assertError("{1: 2, 3}", "UNEXPECTED_TOKEN", 8, 1);
  assertError("[".repeat(MAX_NESTING + 1) + "]".repeat(MAX_NESTING + 1), "TOO_DEEP", MAX_NESTING);
  assertError("--1", "NOT_A_LITERAL", 0, 1);
});

test("messages name invisible characters and quote long text briefly", () => {
  assert.match(assertError("1,\u00a02", "UNEXPECTED_TOKEN", 2, 1).message, /unexpected character U\+00A0 \(invisible\)/);
  const long = "n".repeat(200_000);
  assert.ok(assertError(long, "NOT_A_LITERAL", 0).message.length < 200);
  assert.ok(assertError(`${long}(1)`, "NOT_A_LITERAL", 0).message.length < 200);
});

test("parseIterable: range and list/tuple literals", () => {
  assert.deepEqual(parseIterable("range(3)"), [0, 1, 2]);
  assert.deepEqual(parseIterable("range(10, 0, -3)"), [10, 7, 4, 1]);
  assert.deepEqual(parseIterable("range(5, 2)"), []);
  assert.deepEqual(parseIterable(" [1, 'a'] "), [1, "a"]);
  assert.deepEqual(parseIterable("(1, 2)"), [1, 2]);
  for (const [text, code, column] of [
    ["range(0, 5, 0)", "INVALID_RANGE", 0],
    ["range(1.5)", "INVALID_RANGE", 5],
    ["range()", "INVALID_RANGE", 5],
    ["range(10**9)", "NOT_A_LITERAL", 8],
    ["range(2_000_000)", "INVALID_RANGE", 0],
    ["{1, 2}", "NOT_A_LITERAL", 0],
    ["[1] [2]", "NOT_A_LITERAL", 4],
    ["[1], [2]", "UNEXPECTED_TOKEN", 3],
  ] as const) {
    assert.throws(
      () => parseIterable(text),
      (e: unknown) => e instanceof ArgumentSyntaxError && e.code === code && e.column === column,
      text,
    );
  }
});

/** CPU milliseconds of `f` (the machine is shared: wall time would measure the neighbours). */
function cpuMs(f: () => unknown): number {
  const start = process.cpuUsage();
  f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

test("the parser is linear: 8× the entries costs far less than the 64× of a quadratic scan", () => {
  const shapes: [string, (n: number) => string][] = [
    ["dict", (n) => `{${Array.from({ length: n }, (_, i) => `${i}: 'v'`).join(", ")}}`],
    ["tuple-keyed dict", (n) => `{${Array.from({ length: n }, (_, i) => `(${i}, 'k'): ${i}`).join(", ")}}`],
    ["set", (n) => `{${Array.from({ length: n }, (_, i) => `'s${i}'`).join(", ")}}`],
    ["kwargs", (n) => Array.from({ length: n }, (_, i) => `k${i}=${i}`).join(", ")],
  ];
  for (const [what, text] of shapes) {
    const small = text(2500);
    const big = text(20_000);
    parseArguments(small); // warm up the JIT
    const t1 = Math.max(1, Math.min(cpuMs(() => parseArguments(small)), cpuMs(() => parseArguments(small))));
    const t8 = Math.min(cpuMs(() => parseArguments(big)), cpuMs(() => parseArguments(big)));
    assert.ok(t8 < t1 * 24, `${what}: 2,500 entries ${t1.toFixed(1)} ms, 20,000 entries ${t8.toFixed(1)} ms`);
  }
});

test("dict, set and keyword semantics hold with the hash indexes", () => {
  const { args, kwargs } = parseArguments("{1: 'a', True: 'b', 1.0: 'c', (1, 'x'): 1, (1, 'x'): 2}, {1, True, 1.0, (2,), (2,)}, a=1, b=2");
  assert.ok(pyEquals(args[0], new PyDict([[1, "c"], [new PyTuple([1, "x"]), 2]])));
  assert.ok(pyEquals(args[1], new PySet([1, new PyTuple([2])])));
  assert.deepEqual(kwargs.keys(), ["a", "b"]);
  assertError("a=1, b=2, a=3", "DUPLICATE_KEYWORD", 10, 1);
  const many = Array.from({ length: 5000 }, (_, i) => `k${i}=${i}`).join(", ");
  assert.equal(parseArguments(many).kwargs.size, 5000);
  assertError(many + ", k4999=0", "DUPLICATE_KEYWORD", many.length + 2, 5);
});

test("decimal ints stop at CPython's 4300-digit limit; hex of any size is fine", () => {
  assert.equal(parseArguments("1" + "0".repeat(4299)).args[0], 10n ** 4299n);
  const huge = "7".repeat(10_000_000);
  let error: unknown;
  assert.ok(cpuMs(() => {
    try {
      parseArguments(`[${huge}]`);
    } catch (e) {
      error = e;
    }
  }) < 1000);
  assert.ok(error instanceof ArgumentSyntaxError && error.code === "INVALID_NUMBER" && error.column === 1 && error.length === huge.length);
  assert.match(error.message, /10000000 characters.*4300 digits/);
  assert.throws(() => parseArguments("9".repeat(4301)), (e: unknown) => e instanceof ArgumentSyntaxError && e.code === "INVALID_NUMBER" && /4301 digits/.test(e.message));
  assert.equal(parseArguments("0x" + "f".repeat(20_000)).args[0], (1n << 80_000n) - 1n);
});

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";

let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer.dispose());

function codes(text: string): string[] {
  return analyzer.diagnostics(text).map((d) => `${d.code}:${text.slice(d.range.start, d.range.end)}`);
}

test("relative file paths in path-taking calls are flagged, absolute paths, URLs and modes are not", () => {
  const text = `import pandas as pd
import numpy as np
from pathlib import Path


def load():
    a = open("data/x.csv")
    b = pd.read_csv('results.csv')
    c = Path("inputs") / "y"
    d = np.loadtxt("../up/z.txt")
    e = open("/scratch/abs.txt", "r")
    f = pd.read_csv("s3://bucket/key.csv")
    g = open("C:\\\\data\\\\w.txt")
    h = open(path_variable)
    i = open(f"data/{name}.csv")
    j = print("not/a/path/call.txt")
    return a, b, c, d, e, f, g, h, i, j
`;
  const found = codes(text).filter((c) => c.startsWith("RELATIVE_PATH"));
  assert.deepEqual(found, ['RELATIVE_PATH:"data/x.csv"', "RELATIVE_PATH:'results.csv'", 'RELATIVE_PATH:"../up/z.txt"']);
});

test("quick fix moves a computed module value into the function, after the docstring, keeping CRLF", () => {
  const text = 'import logging\r\nlog = logging.getLogger("x")\r\n\r\n\r\ndef f():\r\n    """Doc."""\r\n    log.info("hi")\r\n';
  const d = analyzer.diagnostics(text).find((x) => x.code === "COMPUTED_AT_IMPORT")!;
  assert.equal(text.slice(d.range.start, d.range.end), "log");
  const edit = d.fixes![0].edits[0];
  const fixed = text.slice(0, edit.range.start) + edit.newText + text.slice(edit.range.end);
  assert.equal(fixed, 'import logging\r\nlog = logging.getLogger("x")\r\n\r\n\r\ndef f():\r\n    """Doc."""\r\n    log = logging.getLogger("x")\r\n    log.info("hi")\r\n');
  // After the fix, the function needs only the import, which is shipped.
  const after = analyzer.bundleFunction(fixed, fixed.indexOf("def f"))!;
  assert.deepEqual(after.problems, []);
  assert.deepEqual(after.shipped.map((s) => s.names), [["logging"]]);
});

test("methods, async functions and closures get hints; a clean module-level function only the shipped note", () => {
  const text = `import math


def clean(x):
    return math.sqrt(x)


async def fetch():
    return 1


def outer(k):
    def inner(v):
        return v * k
    return inner


class C:
    def m(self):
        return 1
`;
  const all = analyzer.diagnostics(text).map((d) => [d.code, d.severity, text.slice(d.range.start, d.range.end)]);
  assert.deepEqual(all, [
    ["SHIPPED", "hint", "clean"],
    ["ASYNC_FUNCTION", "hint", "fetch"],
    ["CLOSURE", "hint", "k"],
    ["METHOD", "hint", "m"],
  ]);
});

test("the shipped note lists a dozen names and summarises the rest", () => {
  const helpers = Array.from({ length: 15 }, (_, i) => `def h${i}():\n    return ${i}\n`).join("\n\n");
  const text = `${helpers}\n\ndef main():\n    return ${Array.from({ length: 15 }, (_, i) => `h${i}()`).join(" + ")}\n`;
  const note = analyzer.diagnostics(text).find((d) => d.code === "SHIPPED" && d.message.includes("sends main"))!;
  assert.equal(note.message, "Globus Compute sends main with: h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11 and 3 more");
});

test("a helper's problem is reported once, where it is, however many functions reach the helper", async () => {
  const { PythonAnalyzer } = await import("../../../../core/python/pythonAnalyzer");
  const a = await PythonAnalyzer.load();
  try {
    const text = "def helper(x):\n    return x + missing\n\n\ndef one():\n    return helper(1)\n\n\ndef two():\n    return helper(2)\n\n\ndef three():\n    return one() + two()\n";
    const undefinedNames = a.diagnostics(text).filter((d) => d.code === "UNDEFINED_NAME");
    assert.deepEqual(
      undefinedNames.map((d) => text.slice(d.range.start, d.range.end)),
      ["missing"],
    );
    const shipped = a.diagnostics(text).filter((d) => d.code === "SHIPPED").map((d) => d.message);
    assert.deepEqual(shipped, ["Globus Compute sends one with: helper", "Globus Compute sends two with: helper", "Globus Compute sends three with: helper, one, two"]);
  } finally {
    a.dispose();
  }
});

test("past its time budget, linting stops at a function and says so; the functions above are linted", async () => {
  const { PythonAnalyzer } = await import("../../../../core/python/pythonAnalyzer");
  const a = await PythonAnalyzer.load();
  try {
    const text = Array.from({ length: 50 }, (_, i) => `def f${i}(x):\n    return x + missing_${i}\n\n\n`).join("");
    assert.equal(a.diagnostics(text).filter((d) => d.code === "UNDEFINED_NAME").length, 50);
    const cut = a.diagnostics(text, undefined, -1);
    assert.deepEqual(cut.map((d) => `${d.code} ${text.slice(d.range.start, d.range.end)}`), ["TIME_BUDGET f0"]);
  } finally {
    a.dispose();
  }
});

test("a generic function's type parameters (PEP 695) are not undefined names", () => {
  const text = "def first[T](xs: list[T]) -> T:\n    item: T = xs[0]\n    return item\n\n\ntype Pair[K] = tuple[K, K]\n\n\ndef pair(x) -> Pair[int]:\n    return (x, x)\n";
  assert.deepEqual(codes(text).filter((c) => c.startsWith("UNDEFINED_NAME")), []);
});

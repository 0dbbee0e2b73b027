import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { PythonParserError, defaultWasmLocations } from "../../../../core/python/pythonParser";
import { TIMED_DECORATOR } from "./pythonSources";

const FIXTURES = join(__dirname, "../../../fixtures/python");
const read = (f: string) => readFileSync(join(FIXTURES, f), "utf8");

let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer.dispose());

test("functionAt: decorators belong to the function, the innermost def wins, blank space has none", () => {
  const text = read("decorators.py");
  assert.equal(analyzer.functionAt(text, text.indexOf("@traced"))?.name, "fib");
  assert.equal(analyzer.functionAt(text, text.indexOf("lru_cache"))?.name, "fib");
  assert.equal(analyzer.functionAt(text, text.indexOf('return ("traced"'))?.qualifiedName, "traced.<locals>.wrapper");
  assert.equal(analyzer.functionAt(text, text.indexOf("return wrapper"))?.qualifiedName, "traced");
  assert.equal(analyzer.functionAt(text, 0), undefined);
  assert.equal(analyzer.functionAt(text, text.indexOf("registry = make_registry()")), undefined);
  const fib = analyzer.functionAt(text, text.indexOf("def fib"))!;
  assert.deepEqual(fib.decorators, ["traced", "functools.lru_cache(maxsize=None)"]);
  assert.ok(fib.source.startsWith("@traced\n@functools.lru_cache(maxsize=None)\ndef fib(n: int) -> int:"));
  assert.equal(text.slice(fib.ranges.name.start, fib.ranges.name.end), "fib");
  assert.equal(fib.ranges.definition.start, text.indexOf("@traced"));
  assert.equal(fib.ranges.def.start, text.indexOf("def fib"));
});

test("functionAt / bundleFunction: a cursor right of a def's last line belongs to the def", () => {
  const body = "import math\n\ndef outer(x):\n    def inner(y):\n        return y + 1\n    return x * 2";
  const cases: [string, string, number][] = [
    // [text, expected qualified name ("" for none), cursor offset]
    [body, "outer", body.length], // end of file, no trailing newline
    [`${body}\n`, "outer", body.length], // end of the last line, before its newline
    [`${body}   \n`, "outer", body.length + 3], // after trailing blanks
    [`${body}   \n`, "outer", body.length + 1], // within trailing blanks
    [`${body.replaceAll("\n", "\r\n")}\r\n`, "outer", body.replaceAll("\n", "\r\n").length], // CRLF: before the \r
    [body, "outer.<locals>.inner", body.indexOf("y + 1") + 5], // the inner def's last line
    [`${body}\n`, "", body.length + 1], // the start of the next line is outside
    [`${body}\n\nz = 1\n`, "", body.length + 7], // the end of a module-level line
    [body, "", "import math".length], // likewise
  ];
  for (const [text, expected, offset] of cases) {
    const where = `${JSON.stringify(text.slice(Math.max(0, offset - 8), offset))}|${JSON.stringify(text.slice(offset, offset + 4))}`;
    assert.equal(analyzer.functionAt(text, offset)?.qualifiedName ?? "", expected, `functionAt at ${where}`);
    assert.equal(analyzer.bundleFunction(text, offset)?.function.qualifiedName ?? "", expected, `bundleFunction at ${where}`);
  }
  const lambda = "square = lambda v: v * v\n";
  assert.match(analyzer.explainNoFunction(lambda, lambda.length - 1), /lambda/, "a cursor after a lambda's line still explains it");
});

test("functionAt: signature kinds, defaults and annotations", () => {
  const text = read("signatures.py");
  const f = analyzer.functionAt(text, text.indexOf("def everything"))!;
  assert.deepEqual(
    f.signature.parameters.map((p) => [p.name, p.kind, p.default ?? null, p.annotation ?? null]),
    [
      ["a", "positional-only", null, null],
      ["b", "positional-only", null, "int"],
      ["c", "normal", null, null],
      ["d", "normal", '"x"', '"str"'],
      ["args", "*args", null, "float"],
      ["e", "keyword-only", null, null],
      ["f", "keyword-only", "None", "Optional[int]"],
      ["kwargs", "**kwargs", null, null],
    ],
  );
  assert.equal(f.signature.returns, "tuple");
  assert.equal(f.docstring, "Raw docstring with \\n kept.");
  const star = analyzer.functionAt(text, text.indexOf("def only_star"))!;
  assert.deepEqual(star.signature.parameters, [{ name: "key", kind: "keyword-only" }]);
});

test("functionAt: methods, nesting and async are described, with dedented source", () => {
  const text = read("nested_async.py");
  const inner = analyzer.functionAt(text, text.indexOf("return x * factor"))!;
  assert.equal(inner.enclosingFunction, "outer");
  assert.equal(inner.source, "def inner(x):\n    return x * factor + base");
  const method = analyzer.functionAt(text, text.indexOf("def predict"))!;
  assert.equal(method.isMethod, true);
  assert.equal(method.qualifiedName, "Model.predict");
  assert.equal(analyzer.functionAt(text, text.indexOf("await asyncio"))?.isAsync, true);
  const tabs = read("tabs.py");
  assert.equal(analyzer.functionAt(tabs, tabs.indexOf("return y * 2"))!.source, "def deep(y):\n\treturn y * 2");
});

test("a function with a syntax error is explained; one using it is told why the name is missing", () => {
  const text = read("syntax_error.py");
  assert.equal(analyzer.bundleFunction(text, text.indexOf("return x +")), undefined);
  assert.match(analyzer.explainNoFunction(text, text.indexOf("return x +")), /syntax error/);
  const b = analyzer.bundleFunction(text, text.indexOf("def uses_broken"))!;
  assert.deepEqual(b.problems.map((p) => [p.code, p.name]), [["UNDEFINED_NAME", "broken"]]);
  assert.match(b.problems[0].message, /parts with syntax errors are ignored/);
});

test("names bound by match aliases, a comprehension's walrus or a function's `global` are not reported missing", () => {
  const text = [
    "def kind(v):",
    "    match v:",
    "        case str() as s:",
    "            return s",
    "        case {'k': k, **others}:",
    "            return k, others",
    "",
    "def last_big(xs):",
    "    if any((hit := x) > 5 for x in xs):",
    "        return hit",
    "",
    "def setup():",
    "    global CACHE",
    "    CACHE = {}",
    "",
    "def warm():",
    "    setup()",
    "    return CACHE",
    "",
    "def cached():",
    "    return CACHE",
    "",
  ].join("\n");
  for (const fn of ["kind", "last_big", "setup", "warm"]) {
    assert.deepEqual(analyzer.bundleFunction(text, text.indexOf(`def ${fn}`))!.problems, [], fn);
  }
  // Only what the function ships counts: setup() is not sent with cached(), so CACHE would not exist there.
  assert.deepEqual(analyzer.bundleFunction(text, text.indexOf("def cached"))!.problems.map((p) => [p.code, p.name]), [["UNDEFINED_NAME", "CACHE"]]);
  const undefinedNames = analyzer.diagnostics(text).filter((d) => d.code === "UNDEFINED_NAME");
  assert.deepEqual(undefinedNames.map((d) => text.slice(d.range.start, d.range.end)), ["CACHE"]);
  assert.ok(undefinedNames[0].range.start > text.indexOf("def cached"));
  // Still reported: a name nothing binds.
  const missing = "def f():\n    global G\n    return G + H\n";
  assert.deepEqual(analyzer.bundleFunction(missing, 0)!.problems.map((p) => p.name).sort(), ["G", "H"]);
});

test("registrations: only what a decorator writes when it decorates, and only when the function reads the registry", () => {
  const text = [
    "import functools",
    "import yaml",
    "",
    "COMMANDS = {}",
    "",
    ...TIMED_DECORATOR,
    "",
    "def command(fn):",
    "    COMMANDS[fn.__name__] = fn",
    "    return fn",
    "",
    "@timed",
    "def parse(s):",
    "    return yaml.safe_load(s)",
    "",
    "@command",
    "def dump(x):",
    "    return yaml.safe_dump(x)",
    "",
    "@command",
    "@timed",
    "def add(a, b):",
    "    return a + b",
    "",
    "def run(name, *a):",
    "    return COMMANDS[name](*a)",
    "",
  ].join("\n");
  const shipped = (fn: string) => {
    const b = analyzer.bundleFunction(text, text.indexOf(`def ${fn}`))!;
    assert.deepEqual(b.problems, [], fn);
    return b.shipped.flatMap((s) => s.names).sort();
  };
  // A wrapper's writes happen at call time: `timed` registers nothing, so parse (and yaml) stay home.
  // A registered command needs its decorator, not every other command.
  assert.deepEqual(shipped("add"), ["COMMANDS", "TIMINGS", "command", "functools", "timed"]);
  // Reading the registry needs every registration in it.
  assert.deepEqual(shipped("run"), ["COMMANDS", "TIMINGS", "add", "command", "dump", "functools", "timed", "yaml"]);
});

test("a name that can only come from a * import in a block that runs code is reported", () => {
  const text = "import sys\nif sys.platform:\n    from cmath import *\n    print('loaded')\n\n\ndef root(x):\n    return sqrt(x)\n";
  const b = analyzer.bundleFunction(text, text.indexOf("def root"))!;
  assert.deepEqual(b.problems.map((p) => [p.code, p.name]), [["CONDITIONAL_DEFINITION", "sqrt"]]);
  assert.match(b.problems[0].message, /except perhaps by a \* import/);
});

test("a nested function that only assigns a nonlocal still closes over it", () => {
  const text = "def f():\n    n = 0\n    def g():\n        nonlocal n\n        for n in range(3):\n            pass\n    return g\n";
  const b = analyzer.bundleFunction(text, text.indexOf("def g"))!;
  assert.deepEqual(b.problems.map((p) => [p.code, p.name, text.slice(p.range.start, p.range.end)]), [["CLOSURE", "n", "n"]]);
});

test("a lambda is explained rather than submitted", () => {
  const text = read("nested_async.py");
  const offset = text.indexOf("lambda x: x * x") + 3;
  assert.equal(analyzer.bundleFunction(text, offset), undefined);
  assert.match(analyzer.explainNoFunction(text, offset), /lambda cannot be submitted/);
  assert.match(analyzer.explainNoFunction(text, 0), /not inside a function/);
});

test("incremental re-parsing after edits gives the same answers as a fresh parse", async () => {
  const fresh = await PythonAnalyzer.load({ incremental: false });
  try {
    let text = read("imports_helpers.py");
    // Each step is an edit an editor would send; the incremental analyzer re-parses from the last tree.
    const edits: [string, string][] = [
      ["UNUSED = 99", "UNUSED = compute()"],
      ["return x * x", "return x * x + SCALE"],
      ["def helper(values):", "def helper(values, extra=OFFSET):"],
      ["    p = Point(total, len(values))\n", ""],
      ["import math\n", "import math\nimport statistics\n"],
      ["def _square(x):", "def _square(x:"], // a syntax error: recovery path
      ["def _square(x:", "def _square(x):"],
    ];
    const other = read("decorators.py");
    for (const [from, to] of edits) {
      assert.ok(text.includes(from), from);
      text = text.replace(from, to);
      // Another document analysed in between (as the server re-lints the open ones): the re-parse starts from this one's tree.
      analyzer.diagnostics(other);
      const incremental = analyzer.diagnostics(text);
      assert.deepEqual(incremental, fresh.diagnostics(text), `after ${JSON.stringify(to)}`);
      const offset = text.indexOf("def analyse");
      assert.equal(analyzer.bundleFunction(text, offset)?.source, fresh.bundleFunction(text, offset)?.source);
    }
  } finally {
    fresh.dispose();
  }
});

test("missing or broken wasm files give typed errors", async () => {
  const { runtime } = defaultWasmLocations();
  await assert.rejects(PythonAnalyzer.load({ wasm: { runtime, python: "/nonexistent/tree-sitter-python.wasm" } }), (e: unknown) => e instanceof PythonParserError && e.code === "WASM_NOT_FOUND");
  // A wasm file that is not a grammar (the runtime itself).
  await assert.rejects(PythonAnalyzer.load({ wasm: { runtime, python: runtime } }), (e: unknown) => e instanceof PythonParserError && e.code === "WASM_LOAD_FAILED");
});

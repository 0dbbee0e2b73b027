import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WorkerPool } from "../../../../core/local/workerPool";
import { packBuffers } from "../../../../core/protocol/buffers";
import { PyDict, PyFloat, PyTuple, pyEquals, type PyValue } from "../../../../core/protocol/pyValue";
import { deserializeData, packTaskPayload, serializeCode } from "../../../../core/protocol/strategies";
import { parseArguments } from "../../../../core/python/argumentParser";
import type { LineMap } from "../../../../core/python/lineMap";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { locateTraceback } from "../../../../core/python/tracebackLocations";
import { PYTHON, fromTagged, runPythonJson, type Tagged } from "./pythonOracle";

// Bundles must run: each one goes through the local endpoint's worker pool exactly as a task would
// (st source + dill-pickled args, which keep tuples and sets), and its result is compared with calling the function in its original
// module (runpy) with the real Python.
const FIXTURES = join(__dirname, "../../../fixtures/python");

let analyzer: PythonAnalyzer;
let pool: WorkerPool;
before(async () => {
  analyzer = await PythonAnalyzer.load();
  pool = await WorkerPool.start({ python: PYTHON, workers: 1 });
});
after(() => {
  pool?.dispose();
  analyzer?.dispose();
});

let taskNumber = 0;

async function runBundle(file: string, fn: string, argText: string): Promise<{ value?: PyValue; error?: string; source: string; lineMap: LineMap }> {
  const text = readFileSync(join(FIXTURES, file), "utf8");
  const offset = analyzer.listFunctions(text).find((f) => f.qualifiedName === fn)!.ranges.name.start;
  const bundle = analyzer.bundleFunction(text, offset)!;
  const { args, kwargs } = parseArguments(argText);
  const taskBuffer = packBuffers([serializeCode(bundle.name, bundle.source, "st")]) + packTaskPayload(args, kwargs, "dill");
  const { result } = await pool.run({ taskId: `bundle-${++taskNumber}`, taskBuffer, timeoutMs: 60_000 }).result;
  const { source, lineMap } = bundle;
  if (result.error_details) return { error: result.data, source, lineMap };
  return { value: deserializeData(result.data), source, lineMap };
}

/** The function called in its whole original module, by Python itself. */
function runOriginal(file: string, fn: string, argText: string): PyValue {
  const [out] = runPythonJson<Tagged[]>(
    String.raw`
import json, runpy, sys
path, fn, argtext = json.load(sys.stdin)
ns = runpy.run_path(path)
args, kwargs = eval("(lambda *a, **k: (a, k))(" + argtext + ")")
print(json.dumps([tag(ns[fn](*args, **kwargs))]))
`,
    [join(FIXTURES, file), fn, argText],
  );
  return fromTagged(out);
}

/** [fixture, function, argument text, expected when the original module cannot run as a whole]. */
const CASES: [file: string, fn: string, args: string, expected?: PyValue][] = [
  ["imports_helpers.py", "analyse", "[1.0, 2.0, 2.0], label='x'"],
  ["imports_helpers.py", "helper", "[3, 1, 3]"],
  ["runnable.py", "score", "['ab', 'b', 'ab'], power=3"],
  ["runnable.py", "product", "[1, 2, 3, 4]"],
  ["runnable.py", "recursive", "20"],
  ["crlf.py", "crlf", "2.5"],
  ["tabs.py", "tabs", "16"],
  ["unicode.py", "円周", "2"],
  ["signatures.py", "everything", "1, 2, 3, 'd', 4.5, e=5, z=1, a_=2"],
  ["signatures.py", "defaults", ""],
  ["signatures.py", "only_star", "key=(1, 'k')"],
  ["decorators.py", "fib", "12"],
  ["nested_async.py", "uses_lambda", "7"],
  ["unshippable.py", "counter", "", 1],
  ["large_5k.py", "entry", "3.0"],
  ["star_imports.py", "circle", "2.5"],
];

for (const [file, fn, argText, expected] of CASES) {
  test(`bundle of ${file} ${fn}(${argText}) runs remotely like the original`, async () => {
    const remote = await runBundle(file, fn, argText);
    assert.equal(remote.error, undefined, `remote failure:\n${remote.error}\n--- source ---\n${remote.source}`);
    const local = expected ?? runOriginal(file, fn, argText);
    assert.ok(pyEquals(remote.value!, local), `remote ${String(remote.value)} differs from local`);
  });
}

test("a function in a file with a syntax error elsewhere still runs", async () => {
  const remote = await runBundle("syntax_error.py", "fine", "9");
  assert.ok(pyEquals(remote.value!, new PyFloat(3)), remote.error);
});

test("what the bundle reports as unshippable really fails remotely", async () => {
  const remote = await runBundle("unshippable.py", "uses_everything", "");
  assert.match(remote.error ?? "", /ModuleNotFoundError: No module named 'numpy_not_installed_anywhere'/);
  const text = readFileSync(join(FIXTURES, "unshippable.py"), "utf8");
  const bundle = analyzer.bundleFunction(text, text.indexOf("def uses_everything"))!;
  assert.deepEqual(
    bundle.problems.map((p) => p.name),
    ["logger", "pd", "sibling", "thing", "DATA", "MODE", "LAST", "ARGS", "undefined_name"],
  );
});

test("a closure's bundle fails remotely with the NameError the problem predicts", async () => {
  const remote = await runBundle("nested_async.py", "outer.<locals>.inner", "1");
  assert.match(remote.error ?? "", /NameError: name 'factor' is not defined/);
});

test("every problem-free bundle in the corpus defines its entry point when executed", () => {
  const sources: [string, string][] = [];
  for (const file of ["imports_helpers.py", "runnable.py", "star_imports.py", "crlf.py", "tabs.py", "unicode.py", "signatures.py", "decorators.py", "nested_async.py", "syntax_error.py"]) {
    const text = readFileSync(join(FIXTURES, file), "utf8");
    for (const f of analyzer.listFunctions(text)) {
      const b = analyzer.bundleFunction(text, f.ranges.name.start)!;
      if (b.problems.length === 0) sources.push([b.name, b.source]);
    }
  }
  assert.ok(sources.length >= 20, `only ${sources.length} bundles`);
  const failures = runPythonJson<string[]>(
    String.raw`
import json, sys
out = []
for name, source in json.load(sys.stdin):
    ns = {}
    try:
        exec(source, ns)
        if not callable(ns.get(name)): out.append(name + ": not callable")
    except Exception as e:
        out.append(name + ": " + repr(e))
print(json.dumps(out))
`,
    sources,
  );
  assert.deepEqual(failures, []);
});

test("results keep Python types through the round trip", async () => {
  const remote = await runBundle("signatures.py", "only_star", "key={'a': (1, 2.0)}");
  assert.ok(pyEquals(remote.value!, new PyDict([["a", new PyTuple([1, new PyFloat(2)])]])));
});

/** [fixture, function, arguments that make it fail, the frames expected as `function:document line`]. */
const FAILURES: [file: string, fn: string, args: string, frames: string[]][] = [
  // From __future__, a cut import and constants come first; the helper _square is shipped from above.
  ["imports_helpers.py", "analyse", "[[1]]", ["<genexpr>:42", "_square:18"]],
  ["decorators.py", "fib", "'x'", ["fib:14"]],
  ["crlf.py", "crlf", "'a'", ["crlf:8"]],
  // Dedented and shipped last, yet on its own line.
  ["nested_async.py", "outer.<locals>.independent", "'a'", ["independent:11"]],
];

for (const [file, fn, argText, frames] of FAILURES) {
  test(`the remote traceback of ${file} ${fn}(${argText}) names the file's lines`, async () => {
    const remote = await runBundle(file, fn, argText);
    const path = join(FIXTURES, file);
    const located = locateTraceback(remote.error ?? "", remote.lineMap, path);
    const found = [...located.matchAll(/^ {2}File "(.*)", line (\d+), in (.*)$/gm)].map((m) => {
      assert.equal(m[1], path, located);
      return `${m[3]}:${m[2]}`;
    });
    assert.deepEqual(found, frames, located);
    assert.doesNotMatch(located, /<string>/);
  });
}

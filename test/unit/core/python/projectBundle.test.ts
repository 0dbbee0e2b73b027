import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerPool } from "../../../../core/local/workerPool";
import { packBuffers } from "../../../../core/protocol/buffers";
import { formatPython } from "../../../../core/protocol/formatPython";
import { PyObject } from "../../../../core/protocol/pyValue";
import { deserializeData, packTaskPayload, serializeCode } from "../../../../core/protocol/strategies";
import { parseArguments } from "../../../../core/python/argumentParser";
import type { FunctionBundle } from "../../../../core/python/bundle";
import { PythonAnalyzer, type ProjectLocation } from "../../../../core/python/pythonAnalyzer";
import { PYTHON, runPythonJson } from "./pythonOracle";
import { TIMED_DECORATOR } from "./pythonSources";

// The multi-module bundle through the local endpoint's worker, with the project NOT on the worker's
// path (its cwd is an empty directory): every function of the fixture project gives what Python gives
// running it in place, and its result loads on a client that has the project (pickled by reference).
const PROJECT = join(__dirname, "../../../fixtures/project");
const WORKER = join(__dirname, "../../../../core/local/worker.py");

let analyzer: PythonAnalyzer;
let pool: WorkerPool;
let emptyDir: string;
before(async () => {
  analyzer = await PythonAnalyzer.load();
  emptyDir = mkdtempSync(join(tmpdir(), "gc-project-worker-"));
  pool = await WorkerPool.start({ python: PYTHON, workers: 1, cwd: emptyDir, env: { PYTHONPATH: "" } });
});
after(() => {
  pool?.dispose();
  analyzer?.dispose();
  rmSync(emptyDir, { recursive: true, force: true });
});

function locate(root: string, file: string): ProjectLocation {
  return { path: join(root, file), folders: [root], extraPaths: ["extra"] };
}

function bundleOf(root: string, file: string, fn: string): FunctionBundle {
  const text = readFileSync(join(root, file), "utf8");
  const offset = analyzer.listFunctions(text).find((f) => f.qualifiedName === fn)!.ranges.name.start;
  return analyzer.bundleFunction(text, offset, locate(root, file))!;
}

let taskNumber = 0;
async function run(bundle: Pick<FunctionBundle, "name" | "source">, argText: string): Promise<{ data?: string; error?: string }> {
  const { args, kwargs } = parseArguments(argText);
  const taskBuffer = packBuffers([serializeCode(bundle.name, bundle.source, "st")]) + packTaskPayload(args, kwargs, "dill");
  const { result } = await pool.run({ taskId: `project-${++taskNumber}`, taskBuffer, timeoutMs: 60_000 }).result;
  return result.error_details ? { error: result.data } : { data: result.data };
}

interface InPlaceAndClient {
  /** repr() of the function's result run in place, and of the remote result loaded by a client that has the project on its path. */
  local: string;
  client: string;
  /** The two values are equal and of the same type (a class pickled by value would be a copy of the class, never equal). */
  same: boolean;
  /** The in-place result's class, `module.QualName`. */
  type: string;
}

function inPlaceAndClient(root: string, module: string, fn: string, argText: string, payload: string): InPlaceAndClient {
  return runPythonJson<InPlaceAndClient>(
    String.raw`
import json, sys, importlib, importlib.util
root, module, fn, argtext, payload, worker = json.load(sys.stdin)
sys.path[:0] = [root, root + "/src", root + "/extra"]
args, kwargs = eval("(lambda *a, **k: (a, k))(" + argtext + ")")
local = getattr(importlib.import_module(module), fn)(*args, **kwargs)
spec = importlib.util.spec_from_file_location("gc_worker", worker)
w = importlib.util.module_from_spec(spec); spec.loader.exec_module(w)
client = w.deserialize(payload)
print(json.dumps({
    "local": repr(local),
    "client": repr(client),
    "same": type(client) is type(local) and client == local,
    "type": type(local).__module__ + "." + type(local).__qualname__,
}))
`,
    [root, module, fn, argText, payload, WORKER],
  );
}

const SHIPPABLE: [file: string, fn: string, args: string][] = [
  ["analysis.py", "kelvin_of", "20"],
  ["analysis.py", "reexport", "20"],
  ["analysis.py", "module_attr", "1.5"],
  ["analysis.py", "dotted", "2"],
  ["analysis.py", "reading", "25"],
  ["analysis.py", "pair", "1, 2"],
  ["analysis.py", "scaled", "3"],
  ["analysis.py", "deep_spread", "[1, 2, 6]"],
  ["analysis.py", "precise_third", ""],
  ["analysis.py", "star_fn", "21"],
  ["analysis.py", "ns_shout", "'hi'"],
  ["analysis.py", "src_area", "2.0"],
  ["analysis.py", "vendored", "7"],
  ["analysis.py", "lazy_mean", "[1.0, 2.0, 4.5]"],
  ["lab/report.py", "summary", "[1.0, 2.0]"],
  // Classes defined next to the function: their instances load on the client as the file's own classes.
  ["records.py", "sample", "'s1', 25"],
  ["records.py", "bounds", "[3.5, -1.0, 2.0]"],
  ["records.py", "tally", "['a', 'b', 'a']"],
  ["records.py", "mixed", "10"],
  ["lab/summaries.py", "summarise", "[1.5, 2.5]"],
  // Through packages: a submodule the package imports (relatively, absolutely), a * re-export, a module's
  // __getattr__, and functions that decorators register when their module is imported (in a module, in
  // the file itself).
  ["packages.py", "scaled_by_package", "2"],
  ["packages.py", "shifted_by_package", "2"],
  ["packages.py", "doubled_by_reexport", "21"],
  ["packages.py", "answered_by_getattr", ""],
  ["packages.py", "by_plugin", "'square', 7"],
  ["packages.py", "by_plugin", "'next', 7"],
  ["packages.py", "by_handler", "'halve', 7"],
];

for (const [file, fn, argText] of SHIPPABLE) {
  test(`${file} ${fn}(${argText}) runs on a worker without the project like it does in place`, async () => {
    const bundle = bundleOf(PROJECT, file, fn);
    assert.deepEqual(bundle.problems, [], JSON.stringify(bundle.problems));
    const remote = await run(bundle, argText);
    assert.equal(remote.error, undefined, `${remote.error}\n--- source ---\n${bundle.source}`);
    const decoded = deserializeData(remote.data!); // the extension's own decoder reads it too
    const module = file.replace(/\.py$/, "").replace(/\//g, ".");
    const { local, client, same, type } = inPlaceAndClient(PROJECT, module, fn, argText, remote.data!);
    assert.equal(client, local);
    assert.ok(same, `${client} is not equal to ${local} of the same type`);
    // The extension shows an instance by its class: the one it has in place.
    if (decoded instanceof PyObject) assert.equal(`${decoded.module}.${decoded.name}`, type);
  });
}

test("only what the function reaches is shipped, third-party and stdlib imports stay imports", () => {
  const bundle = bundleOf(PROJECT, "analysis.py", "kelvin_of");
  assert.deepEqual(
    bundle.modules.map((m) => m.name),
    // lab.precision: imported by analysis.py for its effect (decimal precision), so it is never dropped.
    ["lab", "lab.precision", "lab.units"],
  );
  const units = bundle.modules.find((m) => m.name === "lab.units")!;
  assert.match(units.source, /def to_kelvin/);
  assert.doesNotMatch(units.source, /unused_dump|class Reading|import json/);
  // Line numbers are the file's: the kept lines are where they are in lab/units.py.
  assert.equal(units.source.split("\n").indexOf("def to_kelvin(celsius):") + 1, 20);
  assert.deepEqual(bundle.thirdPartyImports, []);
});

test("the unshippable are flagged with the chain that reaches them", () => {
  const messages = (fn: string) => bundleOf(PROJECT, "analysis.py", fn).problems.map((p) => `${p.code} ${p.severity}: ${p.message}`);
  assert.deepEqual(messages("config_value"), ["LOCAL_STATE_AT_IMPORT error: analysis.py → lab.io_utils → CONFIG read from a file at import, which is not there on the endpoint"]);
  assert.deepEqual(messages("cyclic"), [
    "CIRCULAR_IMPORT warning: analysis.py → circular import lab.cycle_a → lab.cycle_b → lab.cycle_a: what each module sees of the other depends on which is imported first",
  ]);
  assert.match(messages("compiled").join("\n"), /^USER_C_EXTENSION error: analysis\.py → lab\.fastmath → is a compiled extension of this project \(.*fastmath\.cpython-311-x86_64-linux-gnu\.so\)/);
});

test("a traceback frame in a helper module names that module's file and line", async () => {
  const bundle = bundleOf(PROJECT, "analysis.py", "fails_in_helper");
  const remote = await run(bundle, "[]");
  // Each frame in a helper module names its file and line, with the line's source (linecache on the worker).
  const frames = [...(remote.error ?? "").matchAll(/^ {2}File "(.*)", line (\d+), in (.*)$/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
  const deep = join(PROJECT, "lab/sub/deep.py");
  const stats = join(PROJECT, "lab/stats.py");
  assert.deepEqual(frames.filter((f) => !f.startsWith("<string>") && !f.startsWith("/usr/")), [`${deep}:6 spread`, `${stats}:7 mean`], remote.error);
  assert.match(remote.error ?? "", new RegExp(`line 6, in spread\\n\\s+centre = mean\\(values\\)`));
});

test("third-party imports the bundle needs are listed through the shipped modules", () => {
  const root = mkdtempSync(join(tmpdir(), "gc-project-"));
  try {
    writeFileSync(join(root, "helpers.py"), "import numpy as np\nimport json\nimport pandas\n\ndef norm(x):\n    return np.linalg.norm(x)\n");
    writeFileSync(join(root, "main.py"), "import scipy\nfrom helpers import norm\n\ndef f(x):\n    import requests\n    return norm(x)\n");
    const bundle = bundleOf(root, "main.py", "f");
    // pandas is imported by helpers.py but nothing the function reaches uses it; scipy is unused here.
    assert.deepEqual(bundle.thirdPartyImports, ["numpy", "requests"]);
    const main = readFileSync(join(root, "main.py"), "utf8");
    assert.deepEqual(analyzer.thirdPartyImports(main, main.indexOf("def f"), locate(root, "main.py")), ["numpy", "requests"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a reused worker: two versions of a module, and a plain task after a bundle, never meet through sys.modules", async () => {
  const root = mkdtempSync(join(tmpdir(), "gc-project-"));
  try {
    cpSync(PROJECT, root, { recursive: true });
    const first = bundleOf(root, "analysis.py", "kelvin_of");
    writeFileSync(join(root, "lab/units.py"), readFileSync(join(root, "lab/units.py"), "utf8").replace("ABSOLUTE_ZERO = -273.15", "ABSOLUTE_ZERO = -300.0"));
    const second = bundleOf(root, "analysis.py", "kelvin_of");
    for (const [bundle, expected] of [[first, "274.15"], [second, "301.0"], [first, "274.15"]] as const) {
      const remote = await run(bundle, "1");
      assert.equal(formatPython(deserializeData(remote.data!)), expected);
    }
    const plain = await run({ name: "probe", source: "def probe():\n    import lab\n    return lab.VERSION\n" }, "");
    assert.match(plain.error ?? "", /ModuleNotFoundError: No module named 'lab'/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a bundle's modules stay while its task runs and its result is pickled, and are gone when the worker's next task starts", async () => {
  const root = mkdtempSync(join(tmpdir(), "gc-project-"));
  try {
    writeFileSync(join(root, "shapes.py"), "from dataclasses import dataclass\n\n\n@dataclass\nclass Point:\n    x: int\n    y: int\n");
    writeFileSync(join(root, "late.py"), "OFFSET = 1\n");
    writeFileSync(
      join(root, "main.py"),
      [
        "import pickle",
        "from dataclasses import dataclass",
        "",
        "from shapes import Point",
        "",
        "",
        "@dataclass",
        "class Labelled:",
        "    label: str",
        "    point: Point",
        "",
        "",
        "def during(x):",
        // What starts a task (an exec, an unpickling) happening inside one must not forget its modules.
        '    exec("pass", {})',
        "    pickle.loads(pickle.dumps(len))",
        "    from late import OFFSET",
        '    return Labelled("p", Point(x + OFFSET, x))',
        "",
        "",
        "def fails(x):",
        "    return Point(x) + 1",
        "",
      ].join("\n"),
    );
    // What a later task of any kind finds in the worker that ran a bundle: none of its modules or its import hook.
    const probe = {
      name: "probe",
      source: [
        "def probe():",
        "    import sys",
        '    names = sorted(k for k in sys.modules if k.partition(".")[0] in ("main", "shapes", "late"))',
        '    return names + [type(f).__name__ for f in sys.meta_path if hasattr(f, "globus_compute_forget")]',
        "",
      ].join("\n"),
    };
    const returned = await run(bundleOf(root, "main.py", "during"), "2");
    assert.equal(returned.error, undefined, returned.error);
    const decoded = deserializeData(returned.data!);
    assert.ok(decoded instanceof PyObject && decoded.module === "main" && decoded.name === "Labelled", formatPython(decoded));
    // Pickled by reference to main and shapes (a class pickled by value would carry its code instead).
    const { same, client } = inPlaceAndClient(root, "main", "during", "2", returned.data!);
    assert.ok(same, client);
    assert.deepEqual(formatPython(deserializeData((await run(probe, "")).data!)), "[]");

    const failed = await run(bundleOf(root, "main.py", "fails"), "2");
    assert.match(failed.error ?? "", /TypeError/);
    assert.deepEqual(formatPython(deserializeData((await run(probe, "")).data!)), "[]");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("arguments holding instances of any class do not make the worker forget the bundle just loaded; the next task's dill-pickled function does", async () => {
  const root = mkdtempSync(join(tmpdir(), "gc-project-"));
  try {
    writeFileSync(join(root, "late.py"), "OFFSET = 1\n");
    writeFileSync(join(root, "main.py"), "def year_after(when):\n    from late import OFFSET\n    return when.year + OFFSET\n");
    const bundle = bundleOf(root, "main.py", "year_after");
    // What an SDK client sends (the extension's literals never name a class): arguments, and then the next
    // task's function, pickled by dill, so unpickling them looks classes up (the audit hook sees each).
    const { args, probe } = runPythonJson<{ args: string; probe: string }>(
      String.raw`
import base64, datetime, json, dill
def probe():
    import sys
    return sorted(k for k in sys.modules if k.partition(".")[0] in ("main", "late")) + [type(f).__name__ for f in sys.meta_path if hasattr(f, "globus_compute_forget")]
b64 = lambda o: base64.encodebytes(dill.dumps(o)).decode()
print(json.dumps({"args": "00\n" + b64((datetime.date(2024, 1, 2),)), "probe": "01\n" + b64(probe)}))
`,
      null,
    );
    const task = async (buffers: string) => (await pool.run({ taskId: `project-${++taskNumber}`, taskBuffer: buffers, timeoutMs: 60_000 }).result).result;
    const ran = await task(packBuffers([serializeCode(bundle.name, bundle.source, "st")]) + packBuffers([args, "5\n11\n{}".slice(2)]));
    assert.equal(ran.error_details, null, ran.data);
    assert.equal(deserializeData(ran.data), 2025);
    const next = await task(packBuffers([probe]) + packTaskPayload([], {}, "dill"));
    assert.equal(formatPython(deserializeData(next.data)), "[]");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("in a project module, a decorator that only wraps registers nothing: the module's other functions (and their state) stay home", async () => {
  const root = mkdtempSync(join(tmpdir(), "gc-project-"));
  try {
    writeFileSync(
      join(root, "utils.py"),
      [
        "import functools",
        "",
        ...TIMED_DECORATOR,
        "",
        "@timed",
        "def render():",
        "    return open('template.txt').read()",
        "",
        "@timed",
        "def add(a, b):",
        "    return a + b",
        "",
      ].join("\n"),
    );
    writeFileSync(join(root, "main.py"), "from utils import add\n\n\ndef job(a, b):\n    return add(a, b)\n");
    const bundle = bundleOf(root, "main.py", "job");
    assert.deepEqual(bundle.problems, []);
    assert.doesNotMatch(bundle.modules.find((m) => m.name === "utils")!.source, /render|template/);
    assert.equal(formatPython(deserializeData((await run(bundle, "1, 2")).data!)), "3");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

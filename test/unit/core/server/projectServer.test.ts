import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { WorkerPool } from "../../../../core/local/workerPool";
import { packBuffers } from "../../../../core/protocol/buffers";
import { formatPython } from "../../../../core/protocol/formatPython";
import { deserializeData, packTaskPayload, serializeCode } from "../../../../core/protocol/strategies";
import { parseArguments } from "../../../../core/python/argumentParser";
import { TaskExecutionFailed } from "../../../../core/executor/errors";
import { BUNDLE_REQUEST, type BundleResult } from "../../../../core/server/protocol";
import { failureText } from "../../../../extension/output/failureText";
import { PYTHON, runPythonJson } from "../python/pythonOracle";
import { buildServerBundle } from "./buildServerBundle";
import { LspTestClient } from "./lspTestClient";

// The fixture project from another editor's point of view: the standalone `dist/server.js --stdio`
// opened on the project folder, with `extra/` as an extra source root. Its bundles run on a worker
// that does not have the project, and give what Python gives running the functions in place.
const PROJECT = join(__dirname, "../../../fixtures/project");
let dir: string;
let child: ChildProcess;
let client: LspTestClient;
let pool: WorkerPool;
let emptyDir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gc-project-server-"));
  emptyDir = mkdtempSync(join(tmpdir(), "gc-project-worker-"));
  const server = await buildServerBundle(dir);
  child = spawn(process.execPath, [server, "--stdio"], { cwd: tmpdir(), stdio: ["pipe", "pipe", "inherit"] });
  client = LspTestClient.over(child.stdout!, child.stdin!);
  await client.initialize({ folders: [pathToFileURL(PROJECT).href], initializationOptions: { extraPaths: ["extra"] } });
  pool = await WorkerPool.start({ python: PYTHON, workers: 1, cwd: emptyDir, env: { PYTHONPATH: "" } });
});

after(async () => {
  pool?.dispose();
  await client.shutdown(true).catch(() => undefined);
  if (child.exitCode === null) child.kill();
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

const uri = pathToFileURL(join(PROJECT, "analysis.py")).href;
const text = readFileSync(join(PROJECT, "analysis.py"), "utf8");

test("the server flags what cannot travel with the chain that reaches it", async () => {
  await client.open(uri, text);
  const diagnostics = await client.diagnosticsFor(uri, 1);
  const chains = diagnostics.filter((d) => String(d.message).includes("→")).map((d) => `${String(d.code)}: ${d.message}`);
  assert.deepEqual(chains.map((c) => c.replace(/\(.*\.so\)/, "(…)")).sort(), [
    "CIRCULAR_IMPORT: analysis.py → circular import lab.cycle_a → lab.cycle_b → lab.cycle_a: what each module sees of the other depends on which is imported first",
    "LOCAL_STATE_AT_IMPORT: analysis.py → lab.io_utils → CONFIG read from a file at import, which is not there on the endpoint",
    "USER_C_EXTENSION: analysis.py → lab.fastmath → is a compiled extension of this project (…): it cannot be sent; install it on the endpoint",
  ]);
  const configUse = diagnostics.find((d) => d.code === "LOCAL_STATE_AT_IMPORT")!;
  assert.equal(text.split("\n")[configUse.range.start.line].trim(), "from lab.io_utils import CONFIG");
});

for (const [fn, args] of [
  ["deep_spread", "[1, 2, 6]"],
  ["precise_third", ""],
  ["src_area", "2.0"],
  ["vendored", "7"],
  ["module_attr", "1.5"],
] as const) {
  test(`the server's bundle of ${fn}(${args}) runs without the project like it does in place`, async () => {
    await client.open(uri, text);
    const result = await client.request<BundleResult>(BUNDLE_REQUEST, { uri, offset: text.indexOf(`def ${fn}`) + 4 });
    assert.ok(result.bundle, JSON.stringify(result));
    assert.deepEqual(result.bundle.problems, []);
    assert.ok(result.bundle.modules.length > 0);
    const { args: a, kwargs } = parseArguments(args);
    const taskBuffer = packBuffers([serializeCode(result.bundle.name, result.bundle.source, "st")]) + packTaskPayload(a, kwargs, "dill");
    const { result: r } = await pool.run({ taskId: `server-${fn}`, taskBuffer, timeoutMs: 60_000 }).result;
    assert.ok(!r.error_details, r.data);
    const [local] = runPythonJson<string[]>(
      String.raw`
import json, sys
root, fn, argtext = json.load(sys.stdin)
sys.path[:0] = [root, root + "/src", root + "/extra"]
import analysis
args, kwargs = eval("(lambda *a, **k: (a, k))(" + argtext + ")")
v = getattr(analysis, fn)(*args, **kwargs)
print(json.dumps([repr(v)]))
`,
      [PROJECT, fn, args],
    );
    assert.equal(formatPython(deserializeData(r.data)), local);
  });
}

const NOTEBOOK = join(PROJECT, "notebook.ipynb");
let notebookCells: Promise<{ uri: string; index: number; text: string }[]> | undefined;

/** Opens the fixture notebook as VS Code's client syncs one (its Python cells only); its code cells with their place in the notebook. */
function openNotebook(): Promise<{ uri: string; index: number; text: string }[]> {
  return (notebookCells ??= (async () => {
    const notebook = JSON.parse(readFileSync(NOTEBOOK, "utf8")) as { cells: { cell_type: string; source: string[] }[] };
    const code = notebook.cells
      .map((c, index) => ({ uri: `vscode-notebook-cell:${NOTEBOOK}#c${index}`, index, text: c.source.join(""), code: c.cell_type === "code" }))
      .filter((c) => c.code);
    await client.notify("notebookDocument/didOpen", {
      notebookDocument: { uri: pathToFileURL(NOTEBOOK).href, notebookType: "jupyter-notebook", version: 1, cells: code.map((c) => ({ kind: 2, document: c.uri })) },
      cellTextDocuments: code.map((c) => ({ uri: c.uri, languageId: "python", version: 1, text: c.text })),
    });
    return code;
  })());
}

test("a notebook cell: the closure comes from the code cells above it, the run gives what the kernel would", async () => {
  const code = await openNotebook();
  const [, , analyseCell, brokenCell] = code;
  const diagnostics = await client.diagnosticsFor(brokenCell.uri, 1);
  const undefinedName = diagnostics.find((d) => d.code === "UNDEFINED_NAME");
  assert.ok(undefinedName, JSON.stringify(diagnostics));
  assert.deepEqual(undefinedName.range.start, { line: 1, character: 11 });

  const result = await client.request<BundleResult>(BUNDLE_REQUEST, { uri: analyseCell.uri, offset: analyseCell.text.indexOf("analyse") });
  assert.ok(result.bundle, JSON.stringify(result));
  assert.deepEqual(result.bundle.problems, []);
  assert.equal(result.bundle.function.offset, analyseCell.text.indexOf("analyse"));
  assert.deepEqual(result.bundle.function.nameRange.start, { line: 0, character: 4 });
  assert.deepEqual(result.bundle.modules.map((m) => m.name), ["lab", "lab.units"]);
  const taskBuffer = packBuffers([serializeCode(result.bundle.name, result.bundle.source, "st")]) + packTaskPayload([20], {}, "dill");
  const { result: r } = await pool.run({ taskId: "server-notebook", taskBuffer, timeoutMs: 60_000 }).result;
  assert.ok(!r.error_details, r.data);
  // The kernel's view: the code cells run top to bottom (IPython lines left out), then the call.
  const [local] = runPythonJson<string[]>(
    String.raw`
import json, sys
root, cells = json.load(sys.stdin)
sys.path[:0] = [root]
ns = {}
for cell in cells:
    exec("\n".join(l for l in cell.split("\n") if not l.lstrip().startswith(("%", "!"))), ns)
print(json.dumps([repr(ns["analyse"](20))]))
`,
    [PROJECT, code.slice(0, 3).map((c) => c.text)],
  );
  assert.equal(formatPython(deserializeData(r.data)), local);
});

test("a failure in a notebook cell's function: its frames name the cells they are in and their lines, with their source", async () => {
  const path = NOTEBOOK;
  const code = await openNotebook();
  const cell = code.find((c) => c.text.startsWith("def inverses"))!;
  const result = await client.request<BundleResult>(BUNDLE_REQUEST, { uri: cell.uri, offset: cell.text.indexOf("inverses") });
  assert.ok(result.bundle?.cells, JSON.stringify(result));
  const taskBuffer = packBuffers([serializeCode(result.bundle.name, result.bundle.source, "st")]) + packTaskPayload([[1, 0]], {}, "dill");
  const { result: r } = await pool.run({ taskId: "server-notebook-failure", taskBuffer, timeoutMs: 60_000 }).result;
  assert.ok(r.error_details, r.data);
  // What the extension does with it: the cells by their place in the notebook (as VS Code counts them), then the text it shows.
  const cells = result.bundle.cells.map((c) => [code.find((x) => x.uri === c.uri)!.index, c.line] as const);
  // In code-server a cell's URI carries the window's authority.
  const origin = { uri: `vscode-notebook-cell://127.0.0.1:8080${path}#c6`, lineMap: result.bundle.lineMap, cells };
  const frames = (text: string) => text.split("\n").filter((l) => l.startsWith("  "));
  // inverse is defined in the notebook's 6th cell, inverses in its 7th (the first cell is markdown).
  const [comprehension, inverse] = [7, 6];
  assert.deepEqual(frames(failureText(new TaskExecutionFailed(r.data, "0"), origin, "link")), [
    `  File ${path}, cell ${comprehension}, line 2, in <listcomp>`,
    "    return [inverse(v) for v in values]",
    `  File ${path}, cell ${inverse}, line 2, in inverse`,
    "    return 1 / x",
  ]);
  assert.match(failureText(new TaskExecutionFailed(r.data, "0"), origin, "python"), new RegExp(`File "${path}", cell ${inverse}, line 2, in inverse\n`));
});

// Python analysis benchmarks (JSON lines): parse + dependency closure of a 5k-line module, full and
// incremental, diagnostics for the whole module, inputs built to be slow (at doubling sizes, to show
// the growth), and the bundled language server's memory.
// Run alone: node --import tsx test/bench/python.ts
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PythonAnalyzer } from "../../core/python/pythonAnalyzer";
import { SERVER_NODE_FLAGS } from "../../core/server/nodeFlags";
import { buildServerBundle } from "../unit/core/server/buildServerBundle";
import { LspTestClient } from "../unit/core/server/lspTestClient";

const LARGE = readFileSync(join(__dirname, "../fixtures/python/large_5k.py"), "utf8");
const LINES = LARGE.split("\n").length - 1;

function emit(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ bench: "python", name, value: Number(value.toFixed(3)), unit, lines: LINES, ...extra }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median time of `fn` over `runs` after `warmup` runs; each run gets a text never seen before. */
function time(runs: number, warmup: number, fn: (i: number) => void): number {
  for (let i = 0; i < warmup; i++) fn(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function analysis(): Promise<void> {
  const entry = LARGE.indexOf("def entry");
  const typical = LARGE.indexOf("def helper_3(");
  // A distinct text per run so that nothing comes from the analyzer's cache; the edit is at the end.
  const variant = (i: number) => `${LARGE}# run ${i}\n`;

  const full = await PythonAnalyzer.load({ incremental: false, cacheSize: 1 });
  const shipped = (offset: number) => full.bundleFunction(LARGE, offset)!.shipped.length;
  const small = { function: "helper_3", shipped: shipped(typical) };
  const worst = { function: "entry", shipped: shipped(entry) };
  emit("parse_full", time(15, 5, (i) => full.functionAt(variant(i), 0)), "ms");
  // Full parse, and the statement analysis memo already warm (the unchanged statements of a file).
  emit("parse_and_closure_full", time(15, 5, (i) => full.bundleFunction(variant(i), typical)), "ms", small);
  emit("parse_and_closure_full_worst", time(15, 5, (i) => full.bundleFunction(variant(i), entry)), "ms", worst);
  full.dispose();

  // Nothing memoised: a fresh analyzer per run (what the first request on a newly opened file costs).
  const cold: number[] = [];
  for (let i = 0; i < 8; i++) {
    const a = await PythonAnalyzer.load({ incremental: false });
    const t0 = performance.now();
    a.bundleFunction(variant(i), entry);
    if (i >= 3) cold.push(performance.now() - t0);
    a.dispose();
  }
  emit("parse_and_closure_cold_worst", median(cold), "ms", worst);

  const editor = await PythonAnalyzer.load();
  editor.functionAt(LARGE, 0);
  // The editor path: the text differs from the last one by a one-line edit (the language server's case).
  emit("parse_and_closure_incremental", time(30, 10, (i) => editor.bundleFunction(variant(i), typical)), "ms", small);
  emit("parse_and_closure_incremental_worst", time(30, 10, (i) => editor.bundleFunction(variant(i), entry)), "ms", worst);
  const diagnostics = time(9, 3, (i) => editor.diagnostics(variant(i)));
  emit("diagnostics_incremental", diagnostics, "ms", { functions: editor.listFunctions(LARGE).length });
  emit("code_lens_functions_incremental", time(9, 3, (i) => editor.listFunctions(variant(200 + i))), "ms");
  // The same run's baseline: a load on the machine slows both alike, so the ratio is what to compare.
  const parse = time(5, 2, (i) => editor.functionAt(variant(100 + i), 0));
  emit("diagnostics_over_incremental_parse", diagnostics / parse, "x", { parse_ms: Number(parse.toFixed(3)) });
  editor.dispose();
}

/**
 * A function that pulls 10 user modules (a package of 10 modules chained by imports, each a few
 * hundred lines): its bundle, cold (modules parsed) and warm (modules unchanged since the last bundle).
 */
async function projectBundle(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "gc-bench-project-"));
  try {
    mkdirSync(join(root, "pkg"));
    writeFileSync(join(root, "pkg/__init__.py"), "");
    for (let m = 0; m < 10; m++) {
      const lines = [m < 9 ? `from .mod${m + 1} import entry_${m + 1}` : "", "import math", ""];
      for (let h = 0; h < 40; h++) lines.push(`CONST_${h} = ${h}`, "", "", `def helper_${h}(x):`, `    return math.sqrt(abs(x)) + CONST_${h}`, "", "");
      lines.push(`def entry_${m}(x):`, `    return helper_0(x)${m < 9 ? ` + entry_${m + 1}(x)` : ""}`, "");
      writeFileSync(join(root, `pkg/mod${m}.py`), lines.join("\n"));
    }
    const main = "from pkg.mod0 import entry_0\n\n\ndef run(x):\n    return entry_0(x)\n";
    writeFileSync(join(root, "main.py"), main);
    const location = { path: join(root, "main.py"), folders: [root] };
    const modules = { modules: 11 };
    const cold: number[] = [];
    for (let i = 0; i < 6; i++) {
      const a = await PythonAnalyzer.load();
      const t0 = performance.now();
      a.bundleFunction(main, main.indexOf("def run"), location);
      if (i >= 2) cold.push(performance.now() - t0);
      a.dispose();
    }
    emit("project_bundle_10_modules_cold", median(cold), "ms", modules);
    const warm = await PythonAnalyzer.load();
    const shipped = warm.bundleFunction(main, main.indexOf("def run"), location)!.modules.length;
    emit("project_bundle_10_modules_warm", time(20, 5, () => warm.bundleFunction(main, main.indexOf("def run"), location)), "ms", { modules: shipped });
    warm.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Inputs built to be slow, each at a size and its double and quadruple. */
const PATHOLOGICAL: { name: string; sizes: number[]; unit: string; make: (n: number) => string }[] = [
  {
    // Each def one space deeper (CPython itself refuses past 100 levels; an editor must still cope).
    name: "nested_defs",
    sizes: [250, 500, 1000],
    unit: "levels",
    make: (n) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(`${" ".repeat(i)}def f${i}(x${i}):`, `${" ".repeat(i + 1)}y${i} = x${i} + ${i ? `x${i - 1}` : "1"}`);
      return `${lines.join("\n")}\n${" ".repeat(n)}return 1\n`;
    },
  },
  {
    name: "helper_chain",
    sizes: [1000, 2000, 4000],
    unit: "helpers",
    make: (n) => Array.from({ length: n }, (_, i) => `def h${i}(x):\n    return ${i ? `h${i - 1}(x) + 1` : "x"}\n`).join("\n\n"),
  },
  {
    // Copies of the 5k-line module with their names renamed apart.
    name: "generated_file",
    sizes: [1.25, 2.5, 5],
    unit: "MB",
    make: (mb) => {
      const parts: string[] = [];
      for (let i = 0, size = 0; size < mb * 1e6; i++, size += LARGE.length) parts.push(LARGE.replace(/\b(helper|CONST|Model|entry)_?/g, (m) => `${m}${i}_`));
      return parts.join("\n");
    },
  },
  { name: "deep_parentheses", sizes: [10_000, 20_000, 40_000], unit: "levels", make: (n) => `def deep(x):\n    return ${"(".repeat(n)}x${")".repeat(n)}\n` },
  { name: "long_sum", sizes: [25_000, 50_000, 100_000], unit: "terms", make: (n) => `def deep(x):\n    return ${Array(n).fill("x").join(" + ")}\n` },
];

/**
 * A newly opened file of each pathological kind: its diagnostics, its functions (CodeLens) and the
 * bundle of its last function, in a fresh analyzer. `growth`: the time's ratio to the previous size's
 * over the ratio of their lengths in characters (1: linear; timings of a few ms are noisy).
 */
async function pathological(): Promise<void> {
  const warm = await PythonAnalyzer.load();
  for (let i = 0; i < 3; i++) warm.diagnostics(`${LARGE}# ${i}\n`);
  warm.dispose();
  for (const input of PATHOLOGICAL) {
    let previous: { ms: number; chars: number } | undefined;
    for (const size of input.sizes) {
      const text = input.make(size);
      const a = await PythonAnalyzer.load();
      const t0 = performance.now();
      const diagnostics = a.diagnostics(text);
      const t1 = performance.now();
      const functions = a.listFunctions(text).length;
      const t2 = performance.now();
      const bundle = a.bundleFunction(text, text.trimEnd().length - 1);
      const t3 = performance.now();
      a.dispose();
      const total = t3 - t0;
      emit(`pathological_${input.name}`, total, "ms", {
        size,
        size_unit: input.unit,
        chars: text.length,
        diagnostics_ms: Number((t1 - t0).toFixed(1)),
        functions_ms: Number((t2 - t1).toFixed(1)),
        bundle_ms: Number((t3 - t2).toFixed(1)),
        functions,
        codes: [...new Set([...diagnostics.map((d) => d.code), ...(bundle?.problems.map((p) => p.code) ?? [])])].sort(),
        ...(previous ? { growth: Number((total / previous.ms / (text.length / previous.chars)).toFixed(2)) } : {}),
      });
      previous = { ms: total, chars: text.length };
    }
  }
}

/** RSS of the bundled server (as VS Code runs it, with SERVER_NODE_FLAGS) idle, then with the 5k-line file open. */
async function serverMemory(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "gc-bench-server-"));
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, await buildServerBundle(dir), "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const client = LspTestClient.over(child.stdout, child.stdin);
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024;
  try {
    await client.initialize();
    await client.open("file:///bench/small.py", "def f(x):\n    return x\n");
    await client.diagnosticsFor("file:///bench/small.py", 1);
    emit("server_rss_idle", rssMb(), "MB");
    await client.open("file:///bench/large_5k.py", LARGE);
    await client.diagnosticsFor("file:///bench/large_5k.py", 1, 60_000);
    for (let v = 2; v <= 6; v++) {
      await client.change("file:///bench/large_5k.py", v, [{ text: `${LARGE}# edit ${v}\n` }]);
      await client.diagnosticsFor("file:///bench/large_5k.py", v, 60_000);
    }
    emit("server_rss_5k_open", rssMb(), "MB", { note: "after opening and 5 full-text edits" });
    await client.shutdown(true);
  } finally {
    if (child.exitCode === null) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await analysis();
  await pathological();
  await projectBundle();
  await serverMemory();
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

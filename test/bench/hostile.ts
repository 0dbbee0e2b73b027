/**
 * Hostile inputs (issue 14 §2): formatting bombs, 10 MB ints and strings, a memo-bomb pickle, and the
 * argument texts that used to be quadratic. Each case runs in a process of its own, so its peak memory
 * is its own: one JSON line per case with wall and CPU milliseconds, the peak RSS it added (MB), and
 * whether it stayed within the budget (1 s, 300 MB). Cases with a natural baseline (JSON.parse of text
 * of the same size) print it beside. `npm run bench -- hostile`, or `node --import tsx test/bench/hostile.ts`.
 */
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { formatPython } from "../../core/protocol/formatPython";
import { decodePickle } from "../../core/protocol/pickle";
import type { PyValue } from "../../core/protocol/pyValue";
import { ArgumentSyntaxError, parseArguments } from "../../core/python/argumentParser";

const BUDGET_MS = 1000;
const BUDGET_MB = 300;

interface Case {
  /** Builds the input (not measured); returns the operation to measure and, optionally, its baseline. */
  setup(): { op: () => unknown; baseline?: { name: string; op: () => unknown } };
}

function sharedReferences(levels: number): PyValue {
  let v: PyValue = [1];
  for (let i = 0; i < levels; i++) v = [v, v];
  return v;
}

function memoBombPickle(levels: number): Uint8Array {
  const out = [0x80, 0x04, 0x5d, 0x94]; // PROTO 4, EMPTY_LIST, MEMOIZE
  for (let i = 0; i < levels; i++) out.push(0x28, 0x6a, ...u32(i), 0x6a, ...u32(i), 0x6c, 0x94); // MARK, 2× LONG_BINGET i, LIST, MEMOIZE
  out.push(0x2e);
  return Uint8Array.from(out);
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}

/** PROTO 4, LONG4 (a 4-byte length) or BINUNICODE8 (8 bytes), `size` bytes of payload, STOP. */
function bigPayloadPickle(op: 0x8b | 0x8d, size: number, fill: number): Uint8Array {
  const lengthBytes = op === 0x8b ? 4 : 8;
  const b = new Uint8Array(3 + lengthBytes + size + 1);
  b.set([0x80, 0x04, op]);
  const view = new DataView(b.buffer);
  if (lengthBytes === 4) view.setUint32(3, size, true);
  else view.setBigUint64(3, BigInt(size), true);
  const start = 3 + lengthBytes;
  b.fill(fill, start, start + size);
  b[b.length - 1] = 0x2e;
  return b;
}

const dictText = (n: number) => `{${Array.from({ length: n }, (_, i) => `'key${i}': (${i}, ${i}.5)`).join(", ")}}`;
const dictJson = (n: number) => `{${Array.from({ length: n }, (_, i) => `"key${i}": [${i}, ${i}.5]`).join(", ")}}`;

const CASES: Record<string, Case> = {
  "format: shared references, 2^100 paths": { setup: () => ((v) => ({ op: () => formatPython(v) }))(sharedReferences(100)) },
  "format: nested 1,000,000 deep": {
    setup() {
      let v: PyValue = [];
      for (let i = 0; i < 1_000_000; i++) v = [v];
      return { op: () => formatPython(v) };
    },
  },
  "format: 10,000,000-digit int": { setup: () => ((n) => ({ op: () => formatPython([n]) }))(1n << 33_219_280n) },
  "format: 10 MB str with escapes": { setup: () => ((s) => ({ op: () => formatPython(s) }))("x'é\n\u0000".repeat(2_000_000)) },
  "pickle: memo bomb, 60 levels (2^60 leaves) decoded and formatted": {
    setup: () => ((p) => ({ op: () => formatPython(decodePickle(p)) }))(memoBombPickle(60)),
  },
  "pickle: 10 MB LONG4 int decoded and formatted": {
    setup: () => ((p) => ({ op: () => formatPython(decodePickle(p)) }))(bigPayloadPickle(0x8b, 10_000_000, 0x7f)),
  },
  "pickle: 10 MB str decoded and formatted": {
    setup: () => ((p) => ({ op: () => formatPython(decodePickle(p)) }))(bigPayloadPickle(0x8d, 10_000_000, 0x61)),
  },
  "args: 10,000-entry dict": {
    setup: () => ((text, json) => ({ op: () => parseArguments(text), baseline: { name: "json_parse", op: () => JSON.parse(json) } }))(dictText(10_000), dictJson(10_000)),
  },
  "args: 10,000-item set of tuples": {
    setup() {
      const text = `{${Array.from({ length: 10_000 }, (_, i) => `(${i}, 'x')`).join(", ")}}`;
      const json = `[${Array.from({ length: 10_000 }, (_, i) => `[${i}, "x"]`).join(", ")}]`;
      return { op: () => parseArguments(text), baseline: { name: "json_parse", op: () => JSON.parse(json) } };
    },
  },
  "args: 5,000 keyword arguments": {
    setup() {
      const text = Array.from({ length: 5000 }, (_, i) => `k${i}=${i}`).join(", ");
      const json = `{${Array.from({ length: 5000 }, (_, i) => `"k${i}": ${i}`).join(", ")}}`;
      return { op: () => parseArguments(text), baseline: { name: "json_parse", op: () => JSON.parse(json) } };
    },
  },
  "args: a 10,000,000-digit int literal (refused)": {
    setup() {
      const text = "7".repeat(10_000_000);
      return {
        op: () => {
          try {
            parseArguments(text);
          } catch (e) {
            if (!(e instanceof ArgumentSyntaxError)) throw e;
          }
        },
      };
    },
  },
};

function measure(op: () => unknown): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  op();
  const wallMs = performance.now() - t0;
  const d = process.cpuUsage(cpu);
  return { wallMs: round(wallMs), cpuMs: round((d.user + d.system) / 1000) };
}

const round = (x: number) => Math.round(x * 10) / 10;

/** In the child: one case, measured once (the peak RSS it adds is only meaningful the first time). */
function runCase(name: string): void {
  const { op, baseline } = CASES[name].setup();
  const rssBefore = process.resourceUsage().maxRSS;
  const t = measure(op);
  const addedMb = round((process.resourceUsage().maxRSS - rssBefore) / 1024);
  const line: Record<string, unknown> = {
    bench: "hostile",
    case: name,
    wall_ms: t.wallMs,
    cpu_ms: t.cpuMs,
    peak_rss_added_mb: addedMb,
    within_budget: t.cpuMs < BUDGET_MS && addedMb < BUDGET_MB,
  };
  if (baseline) line[`baseline_${baseline.name}_cpu_ms`] = measure(baseline.op).cpuMs;
  console.log(JSON.stringify(line));
}

export async function run(): Promise<void> {
  for (const name of Object.keys(CASES)) {
    const r = spawnSync(process.execPath, ["--import", "tsx", __filename, `--case=${name}`], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (r.status !== 0) throw new Error(`bench case "${name}" failed (exit ${r.status})`);
    process.stdout.write(r.stdout);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const only = process.argv.find((a) => a.startsWith("--case="))?.slice("--case=".length);
  if (only !== undefined) runCase(only);
  else
    run().catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

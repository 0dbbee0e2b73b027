/**
 * CPU time of a process tree by kind (Linux /proc): shows where an end-to-end run spends the machine,
 * e.g. the Python workers vs the broker vs the emulator. Elsewhere it reports nothing.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times: USER_HZ is 100 on every Linux build Node runs on. */
const TICKS_PER_S = 100;

/** CPU ms used so far by each process under `root` (itself included), keyed by pid, with its kind. */
export type CpuSnapshot = Map<number, { kind: string; ms: number }>;

export function snapshotTree(root: number): CpuSnapshot {
  const stats = new Map<number, { ppid: number; comm: string; ms: number }>();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return new Map();
  }
  for (const d of pids) {
    try {
      const text = readFileSync(`/proc/${d}/stat`, "utf8");
      // The command name is in parentheses and may itself contain spaces or parentheses.
      const close = text.lastIndexOf(")");
      const comm = text.slice(text.indexOf("(") + 1, close);
      const fields = text.slice(close + 2).split(" ");
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
      stats.set(Number(d), { ppid: Number(fields[1]), comm, ms });
    } catch {
      // The process ended meanwhile.
    }
  }
  const out: CpuSnapshot = new Map();
  const visit = (pid: number) => {
    const s = stats.get(pid);
    if (!s || out.has(pid)) return;
    out.set(pid, { kind: kindOf(s.comm), ms: s.ms });
    for (const [child, c] of stats) if (c.ppid === pid) visit(child);
  };
  visit(root);
  return out;
}

/** CPU ms per kind between two snapshots (processes that ended in between are not counted). */
export function cpuByKind(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, a] of after) {
    const ms = a.ms - (before.get(pid)?.ms ?? 0);
    if (ms > 0) out[a.kind] = (out[a.kind] ?? 0) + ms;
  }
  return out;
}

function kindOf(comm: string): string {
  if (comm.startsWith("python")) return "python_workers";
  if (comm === "beam.smp" || comm.startsWith("erl") || comm === "epmd" || comm.startsWith("inet_gethost")) return "broker";
  if (comm === "node" || comm.startsWith("MainThread")) return "emulator";
  return "other";
}

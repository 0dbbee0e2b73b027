/**
 * The task history at 100k tasks (1,000 groups of 100, each task with a call, ids, a result preview and a
 * line of captured output): writing it record by record, compacting, the store's size on disk, reading it
 * back (journals only, then the snapshot), against a baseline of JSON.parse of the same snapshot, and the
 * cost on the activation path (constructing the store reads nothing). Prints one JSON object per line.
 * Run alone with `node --import tsx test/bench/history.ts`, or via `npm run bench -- history`.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HistoryStore, SNAPSHOT_FILE } from "../../core/history/historyStore";

const GROUPS = 1_000;
const PER_GROUP = 100;
const TASKS = GROUPS * PER_GROUP;
const RETENTION = { maxTaskGroups: GROUPS, maxTasks: TASKS };

const round = (ms: number) => Math.round(ms * 100) / 100;
function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const value = fn();
  return [value, round(performance.now() - t0)];
}
function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "gc-bench-history-"));
  try {
    // Never compacts while writing, so reading the journals alone is measured too.
    const writer = new HistoryStore({ dir, retention: RETENTION, compactAfterBytes: Number.MAX_SAFE_INTEGER });
    const [, writeMs] = timed(() => {
      for (let g = 0; g < GROUPS; g++) {
        const id = randomUUID();
        writer.write({
          op: "group",
          group: { id, taskGroupId: randomUUID(), functionName: "collatz", endpoint: { name: "local", id: "local" }, service: "local", createdAt: g },
        });
        const tasks = Array.from({ length: PER_GROUP }, (_, i) => ({ call: `collatz(${g * PER_GROUP + i})`, state: "received", taskId: randomUUID(), submittedAt: g }));
        writer.write({ op: "tasks", id, from: 0, tasks });
        for (let i = 0; i < PER_GROUP; i++) {
          writer.write({ op: "task", id, i, patch: { state: "success", finishedAt: g + 1, resultPreview: String(i * 3 + 1), stdout: `steps: ${i}\n` } });
          writer.write({ op: "printed", id, i });
        }
      }
    });
    const records = GROUPS * (2 + 2 * PER_GROUP);
    const journalBytes = folderBytes(dir);
    console.log(JSON.stringify({ bench: "history.write", tasks: TASKS, records, ms: writeMs, usPerRecord: round((writeMs * 1000) / records), journalBytes }));

    const [journalTasks, readJournalsMs] = timed(() => new HistoryStore({ dir, retention: RETENTION }).groups.reduce((n, g) => n + g.tasks.length, 0));
    console.log(JSON.stringify({ bench: "history.read_journals", tasks: journalTasks, ms: readJournalsMs }));

    const [, compactMs] = timed(() => writer.compact());
    writer.dispose();
    const snapshotBytes = statSync(join(dir, SNAPSHOT_FILE)).size;
    console.log(JSON.stringify({ bench: "history.compact", tasks: TASKS, ms: compactMs, storeBytes: folderBytes(dir), storeMB: round(snapshotBytes / 2 ** 20), limitMB: 50 }));

    const [, baselineMs] = timed(() => JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), "utf8")) as unknown);
    const [readTasks, readMs] = timed(() => new HistoryStore({ dir, retention: RETENTION }).groups.reduce((n, g) => n + g.tasks.length, 0));
    console.log(
      JSON.stringify({ bench: "history.read_snapshot", tasks: readTasks, ms: readMs, baselineJsonParseMs: baselineMs, ratio: round(readMs / baselineMs) }),
    );

    // What activation pays: the store is built, nothing read until the reload that runs after activation.
    const [, constructMs] = timed(() => new HistoryStore({ dir, retention: RETENTION }));
    console.log(JSON.stringify({ bench: "history.activation_cost", tasks: TASKS, ms: constructMs, limitMs: 50 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void run();

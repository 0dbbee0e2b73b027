/**
 * The local endpoint's memory for finished tasks (JSON line `local_store`): the heap a ResultStore holds
 * per finished task once its results are journaled (kept packed), beside the same records held as
 * objects, as the store kept them before, measured in the same run. The records are what a chunk-1 map
 * of `double` leaves: six transitions, the worker's shared details, a small result, no prints.
 * Then (JSON line `local_store` `open`) the time to open that journal, as a restarted local endpoint
 * does before it answers, beside the floor of any replay measured in the same run: reading the file and
 * JSON.parse of each line.
 * Env: BENCH_STORE_TASKS (default 100000).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isoTimestamp, ResultStore, type StoredTask } from "../../core/local/resultStore";
import { PyDict } from "../../core/protocol/pyValue";
import { settledHeap } from "./support/heap";

const BATCH = 1000;

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_STORE_TASKS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), "gc-bench-store-"));
  try {
    const objects = perTask(n, () => {
      const held = new Map<string, StoredTask>();
      forEachFinished(n, (task) => held.set(task.taskId, task));
      return held;
    });
    let store: ResultStore | undefined;
    const packed = perTask(n, () => {
      store = ResultStore.open(dir, { maxGroups: n, maxTasks: n });
      fill(store, n);
      return store;
    });
    console.log(
      JSON.stringify({
        bench: "local_store",
        name: "finished_task_heap",
        tasks: n,
        packed_bytes_per_task: Math.round(packed),
        objects_bytes_per_task: Math.round(objects),
        ratio: Number((packed / objects).toFixed(3)),
        packed_records: store?.tasks.packedCount,
      }),
    );
    store?.dispose();
    printOpenTime(dir, n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opening the journal `fill` left (best of three), beside reading and parsing its lines alone. */
function printOpenTime(dir: string, n: number): void {
  const journal = join(dir, "journal.jsonl");
  let openMs = Infinity;
  let parseMs = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    ResultStore.open(dir, { maxGroups: n, maxTasks: n }).dispose();
    openMs = Math.min(openMs, performance.now() - t0);
    const t1 = performance.now();
    let lines = 0;
    for (const line of readFileSync(journal, "utf8").split("\n")) if (line !== "" && JSON.parse(line) !== undefined) lines++;
    parseMs = Math.min(parseMs, performance.now() - t1);
    if (lines === 0) throw new Error("the journal is empty");
  }
  console.log(
    JSON.stringify({
      bench: "local_store",
      name: "open",
      tasks: n,
      journal_mb: Number((statSync(journal).size / 1e6).toFixed(1)),
      open_ms: Math.round(openMs),
      read_and_parse_ms: Math.round(parseMs),
      ratio: Number((openMs / parseMs).toFixed(2)),
    }),
  );
}

/** Heap bytes per task that `build` leaves reachable (held until measured). */
function perTask(n: number, build: () => unknown): number {
  const before = settledHeap();
  const held = build();
  const bytes = (settledHeap() - before) / n;
  void held;
  return bytes;
}

/** The store's own path: received in batches, then finished, then journaled (which packs them). */
function fill(store: ResultStore, n: number): void {
  const createdAt = isoTimestamp();
  for (let start = 0; start < n; start += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, n - start) }, (_, i) => taskId(start + i));
    const group = `group-${start / BATCH}`;
    store.putReceived({ taskGroupId: group, functionId: "f", endpointId: "e", createdAt, ns: baseNs(start), taskIds: ids });
    store.putGroup({ taskGroupId: group, createdAt, taskIds: ids });
  }
  forEachFinished(n, (task) => store.putTask(task), (id) => store.tasks.get(id)!);
  store.flush();
}

const DETAILS = PyDict.fromObject({ os: "Linux-6.1.0-x86_64-with-glibc2.36", python_version: "3.11.2", dill_version: "0.3.9", endpoint_id: "e" });

/** Each task finished as the local endpoint records it; `received` gives its record so far, when there is one. */
function forEachFinished(n: number, put: (task: StoredTask) => void, received?: (taskId: string) => StoredTask): void {
  const createdAt = isoTimestamp();
  for (let i = 0; i < n; i++) {
    const id = taskId(i);
    const t0 = baseNs(i);
    const base: StoredTask = received?.(id) ?? {
      taskId: id,
      taskGroupId: `group-${Math.floor(i / BATCH)}`,
      functionId: "f",
      endpointId: "e",
      createdAt,
      status: "waiting-for-launch",
      transitions: [
        { timestamp: t0, state: "received", actor: "web-service" },
        { timestamp: t0, state: "waiting-for-launch", actor: "interchange" },
      ],
      result: null,
      stdout: "",
      stderr: "",
      completionT: null,
    };
    const statuses = [
      { timestamp: t0 + 2_100_000n, state: "execution-start", actor: "worker" },
      { timestamp: t0 + 2_130_000n, state: "execution-end", actor: "worker" },
    ];
    put({
      ...base,
      status: "success",
      transitions: [...base.transitions, { timestamp: t0 + 2_000_000n, state: "running", actor: "worker" }, ...statuses, { timestamp: t0 + 9_000_000n, state: "success", actor: "endpoint" }],
      result: { task_id: id, data: `01\n${2 * i}\n`, details: DETAILS, error_details: null, task_statuses: statuses },
      completionT: `1796663777.${String(i % 1_000_000).padStart(6, "0")}`,
    });
  }
}

function taskId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

function baseNs(i: number): bigint {
  return 1_796_663_774_403_526_583n + BigInt(i) * 70_000n;
}

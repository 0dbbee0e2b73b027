/**
 * A 100k-item map as the extension runs it (Map Function over range(100000)): the extension's own objects
 * (MapRuns, TaskGroupTracker, TaskGroupModel, TaskTreeDataProvider) over an in-memory service, so the
 * figures are the extension host's share alone. JSON lines:
 * - `big_map.pending`: heap held while all 100k items are pending (after GC), target ≤ 100 MB; beside it,
 *   the same 100k calls as one task each (chunk 1), the worst case a script could ask for;
 * - `big_map.event_loop`: monitorEventLoopDelay p99 / max while the map starts, all its results arrive
 *   and "Save Results As…" writes them to CSV, target max ≤ 50 ms; beside it the longest stall counted in
 *   the main thread's CPU time (test/support/stallMonitor.ts), since on a shared machine the wall clock
 *   also counts other processes' turns;
 * - `big_map.event_loop_local`: the same through the built-in local endpoint (its daemon and 2 workers,
 *   `/usr/bin/python3`), with the task history on disk as in the extension: results arrive as the daemon
 *   coalesces them, several 2,000-item chunks per read;
 * - `big_map.cancel`: cancelling the chunk-1 map once all of it is sent: the time, and the longest wait of
 *   the event loop meanwhile (target ≤ 50 ms), beside cancelling its futures one by one in one turn.
 * Run alone: node --import tsx test/bench/bigMap.ts. Env: BENCH_BIG_MAP_ITEMS (default 100000).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { ComputeFuture, Executor } from "../../core/executor";
import { writeResults } from "../../core/data/resultsExport";
import { parseIterable } from "../../core/python/argumentParser";
import { TaskGroupStore } from "../../extension/state/taskGroupStore";
import { MapRuns, type MapRun } from "../../extension/submit/mapRun";
import { TaskGroupModel } from "../../extension/tasks/taskGroupModel";
import { TaskGroupTracker } from "../../extension/tasks/taskGroupTracker";
import { TaskTreeDataProvider } from "../../extension/tasks/taskTreeDataProvider";
import { HistoryStore } from "../../core/history/historyStore";
import { TaskHistoryRecorder } from "../../extension/tasks/taskHistoryRecorder";
import { taskArgs, MemoryComputeService } from "../support/memoryComputeService";
import { localExecutor } from "./pairedRounds";
import { stallMonitor } from "../support/stallMonitor";
import { settledHeap } from "./support/heap";
import { memento } from "../unit/extension/fakes";

const ENDPOINT = "4b116d3c-1703-4f8f-9f6f-39921e5864df";
const double = { name: "double", source: "def double(x):\n    return x * 2\n" };

/** The extension's objects around one Executor, as extension.ts wires them (without vscode). */
function extensionSide(executor: Executor, history?: HistoryStore) {
  const model = new TaskGroupModel();
  const tree = new TaskTreeDataProvider(model, { toTreeItem: (d) => d });
  const tracker = new TaskGroupTracker(model, new TaskGroupStore(memento(), 50), {
    onSettled: () => undefined,
    onSubmitFailure: () => undefined,
    release: () => undefined,
    log: () => undefined,
    history: history && new TaskHistoryRecorder(history, () => undefined),
  });
  const lines: string[] = [];
  const maps = new MapRuns({ info: (m) => void lines.push(m), error: (m) => void lines.push(m) });
  // As the Map Function command: the items are parsed in one turn, the map starts in the next.
  const start = async (n: number, workers?: number) => {
    const items = parseIterable(`range(${n})`);
    await new Promise((resolve) => setImmediate(resolve));
    const run = maps.start(executor, double, "double", { items, source: `range(${n})`, keywordItems: false }, "bench", workers);
    const key = tracker.track({ executor, calls: run.calls(), functionName: "double", endpoint: { kind: "cloud", name: "bench", id: ENDPOINT }, service: "bench", persist: true, summaryOnly: true });
    maps.keep(key, run);
    tree.flush();
    return run;
  };
  return {
    start,
    lines,
    dispose() {
      tracker.dispose();
      tree.dispose();
      model.dispose();
    },
  };
}

async function pendingHeap(n: number): Promise<void> {
  const service = new MemoryComputeService();
  service.respond = () => undefined;
  const before = settledHeap();
  const executor0 = new Executor({ endpointId: ENDPOINT, service });
  const side = extensionSide(executor0);
  const run = await side.start(n);
  while (service.submits.reduce((k, s) => k + Object.values(s.tasks)[0].length, 0) < run.result.futures.length) await new Promise((r) => setImmediate(r));
  const chunkedMb = (settledHeap() - before) / 2 ** 20;
  side.dispose();
  executor0.dispose();

  // One task per item: the Executor alone with 100k pending futures.
  const before1 = settledHeap();
  const executor = new Executor({ endpointId: ENDPOINT, service, batchSize: 1024 });
  const result = executor.map(double, parseIterable(`range(${n})`), { chunk: 1 });
  while (executor.taskCountSubmitted < n) await new Promise((r) => setImmediate(r));
  const unchunkedMb = (settledHeap() - before1) / 2 ** 20;
  executor.dispose();
  void result;
  console.log(
    JSON.stringify({
      bench: "big_map.pending",
      items: n,
      tasks: run.result.futures.length,
      heap_mb: Math.round(chunkedMb * 10) / 10,
      chunk1_tasks: n,
      chunk1_heap_mb: Math.round(unchunkedMb * 10) / 10,
      target_mb: 100,
    }),
  );
}

/**
 * Starts the map from `side` as the editor does, waits for it (`answer` delivers the results where the
 * service does not), saves the results as CSV and prints the event loop's figures meanwhile as `bench`.
 */
async function measureEventLoop(bench: string, n: number, side: ReturnType<typeof extensionSide>, answer: (run: MapRun) => Promise<void>, workers?: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "gc-bench-bigmap-"));
  try {
    const delay = monitorEventLoopDelay({ resolution: 2 });
    delay.enable();
    const stalls = stallMonitor();
    const t0 = performance.now();
    const run = await side.start(n, workers);
    await answer(run);
    await run.finished;
    const mapMs = performance.now() - t0;
    const path = join(dir, "results.csv");
    const rows = await writeResults(path, run.rows(), "csv");
    const totalMs = performance.now() - t0;
    delay.disable();
    const stallCpuMaxMs = stalls.stop();
    console.log(
      JSON.stringify({
        bench,
        items: n,
        tasks: run.result.futures.length,
        map_ms: Math.round(mapMs),
        save_csv_ms: Math.round(totalMs - mapMs),
        csv_rows: rows,
        csv_bytes: statSync(path).size,
        output_lines: side.lines.length,
        p99_ms: Math.round(delay.percentile(99) / 1e4) / 100,
        max_ms: Math.round(delay.max / 1e4) / 100,
        stall_cpu_max_ms: Math.round(stallCpuMaxMs * 100) / 100,
        target_max_ms: 50,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function eventLoop(n: number): Promise<void> {
  const service = new MemoryComputeService();
  service.respond = () => undefined;
  const executor = new Executor({ endpointId: ENDPOINT, service });
  const side = extensionSide(executor);
  // Each task's result in a turn of its own, once all are submitted; the chunk wrapper's answer.
  const answer = async (run: MapRun) => {
    while (service.tasks.size < run.result.futures.length) await new Promise((r) => setImmediate(r));
    for (const [taskId, task] of service.tasks) {
      if (service.results.has(taskId)) continue;
      service.complete(taskId, { value: [(taskArgs(task.payload)[0] as number[]).map((x) => 2 * x), []] });
      await new Promise((r) => setImmediate(r));
    }
  };
  try {
    await measureEventLoop("big_map.event_loop", n, side, answer);
  } finally {
    side.dispose();
    executor.dispose();
  }
}

async function eventLoopLocal(n: number): Promise<void> {
  const workers = 2;
  const local = await localExecutor("/usr/bin/python3", workers);
  const historyDir = mkdtempSync(join(tmpdir(), "gc-bench-bigmap-history-"));
  const history = new HistoryStore({ dir: historyDir, retention: { maxTaskGroups: 50, maxTasks: 1_000_000 } });
  const side = extensionSide(local.gce, history);
  try {
    // The daemon, its workers and the function's registration warm up on a small map first, as in the e2e.
    await (await side.start(3, workers)).finished;
    await measureEventLoop("big_map.event_loop_local", n, side, async () => undefined, workers);
  } finally {
    side.dispose();
    history.dispose();
    await local.close();
    rmSync(historyDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_BIG_MAP_ITEMS ?? 100_000);
  await eventLoop(n);
  await eventLoopLocal(n);
  await pendingHeap(n);
  await cancelBigMap(n);
}

/**
 * Cancels a map of `n` tasks at chunk 1, all sent and awaited, with ComputeFuture.cancelAll (as Map
 * Function's Cancel does), beside cancel() on each future in one go (as it did before), in the same run:
 * how long each takes, and the longest the event loop waited meanwhile.
 */
async function cancelBigMap(n: number): Promise<void> {
  const measure = async (cancel: (futures: readonly ComputeFuture[]) => unknown) => {
    const service = new MemoryComputeService();
    service.respond = () => undefined;
    const executor = new Executor({ endpointId: ENDPOINT, service, batchSize: 1024 });
    const result = executor.map(double, parseIterable(`range(${n})`), { chunk: 1 });
    while (executor.taskCountSubmitted < n) await new Promise((r) => setImmediate(r));
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    await new Promise((r) => setTimeout(r, 5)); // the histogram counts from its first tick
    const t0 = performance.now();
    await cancel(result.futures);
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10)); // the delay of the turn just ended is recorded
    delay.disable();
    executor.dispose();
    return { ms: Math.round(ms), maxDelayMs: Math.round(delay.max / 1e5) / 10 };
  };
  const together = await measure((futures) => ComputeFuture.cancelAll(futures));
  const oneByOne = await measure((futures) => futures.forEach((f) => f.cancel()));
  console.log(
    JSON.stringify({
      bench: "big_map.cancel",
      tasks: n,
      cancel_ms: together.ms,
      max_delay_ms: together.maxDelayMs,
      one_by_one_ms: oneByOne.ms,
      one_by_one_max_delay_ms: oneByOne.maxDelayMs,
      target_max_ms: 50,
    }),
  );
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

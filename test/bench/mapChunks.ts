/**
 * `Executor.map` with automatic chunking on the built-in local endpoint, through its daemon (the path the
 * extension uses), beside Python's own `multiprocessing.Pool(workers).map` (default chunksize) run by this
 * bench in the same run, with the same worker count and items. One JSON line: both rates and their ratio
 * (target ≥ 0.5). Both sides are warm (pool started, function known); each is the best of three runs,
 * since the machine is shared.
 * Run alone: node --import tsx test/bench/mapChunks.ts. Env: BENCH_MAP_ITEMS (default 10000).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { Executor, type PythonFunction } from "../../core/executor";
import { LOCAL_ENDPOINT_ID } from "../../core/service/local/localComputeService";
import { LocalEndpointClient } from "../../core/service/local/localEndpointClient";

const PYTHON = process.env.GC_BENCH_PYTHON ?? "/usr/bin/python3";
const WORKERS = 2;
const RUNS = 3;
const double: PythonFunction = { name: "double", source: "def double(x):\n    return x * 2\n" };

/** Items per second of `Pool(workers).map(double, range(n))`, best of RUNS, plus the chunksize Pool picked. */
async function poolMap(n: number): Promise<{ itemsPerS: number; chunk: number }> {
  const script = `
import json, multiprocessing, time
def double(x):
    return x * 2
if __name__ == "__main__":
    n, workers, runs = ${n}, ${WORKERS}, ${RUNS}
    with multiprocessing.Pool(workers) as pool:
        pool.map(double, range(100))
        best = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            out = pool.map(double, range(n))
            best = min(best, time.perf_counter() - t0)
            assert out[-1] == 2 * (n - 1)
    chunk, extra = divmod(n, workers * 4)
    print(json.dumps({"seconds": best, "chunk": chunk + (1 if extra else 0)}))
`;
  const { stdout } = await promisify(execFile)(PYTHON, ["-c", script]);
  const r = JSON.parse(stdout) as { seconds: number; chunk: number };
  return { itemsPerS: n / r.seconds, chunk: r.chunk };
}

async function executorMap(n: number): Promise<{ itemsPerS: number; chunk: number; tasks: number }> {
  const storageDir = mkdtempSync(join(tmpdir(), "gc-bench-map-"));
  const service = await LocalEndpointClient.connect({ config: { stateRoot: storageDir, python: PYTHON, workers: WORKERS, idleExitMs: 1000 } });
  try {
    const gce = new Executor({ endpointId: LOCAL_ENDPOINT_ID, service });
    for await (const _ of gce.map(double, Array.from({ length: 100 }, (_, i) => i), { workers: WORKERS })) void _; // warm
    let best = Infinity;
    let shape = { chunk: 0, tasks: 0 };
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      const result = gce.map(double, Array.from({ length: n }, (_, i) => i), { workers: WORKERS });
      let last: unknown;
      for await (const v of result) last = v;
      best = Math.min(best, performance.now() - t0);
      if (last !== 2 * (n - 1)) throw new Error(`map's last result is ${String(last)}`);
      shape = { chunk: result.chunk, tasks: result.futures.length };
    }
    await gce.shutdown();
    return { itemsPerS: n / (best / 1000), ...shape };
  } finally {
    await service.shutdownDaemon().catch(() => undefined);
    service.dispose();
    rmSync(storageDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_MAP_ITEMS ?? 10_000);
  const ours = await executorMap(n);
  const pool = await poolMap(n);
  console.log(
    JSON.stringify({
      bench: "map_auto_chunk",
      items: n,
      workers: WORKERS,
      executor_items_per_s: Math.round(ours.itemsPerS),
      executor_chunk: ours.chunk,
      executor_tasks: ours.tasks,
      pool_map_items_per_s: Math.round(pool.itemsPerS),
      pool_map_chunk: pool.chunk,
      ratio_to_pool_map: Math.round((ours.itemsPerS / pool.itemsPerS) * 100) / 100,
      target_ratio: 0.5,
    }),
  );
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

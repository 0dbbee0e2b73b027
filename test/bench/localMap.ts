/**
 * `Executor.map(double, range(n))` with chunk 1 (one task per item) on the built-in local endpoint,
 * through its daemon (the path the extension uses), beside Python's
 * `concurrent.futures.ProcessPoolExecutor(workers).map(double, range(n), chunksize=1)` run by this bench
 * in the same run with the same worker count (/usr/bin/python3, standard library only). One JSON line:
 * both rates, their ratio (target ≥ 1.0, aim 2), and the client's CPU per task (`process.cpuUsage` of
 * this process from the first submit to the last result, JIT warmed; target ≤ 20 µs). Both sides are
 * warm (pool started, function registered); each figure is the best of three runs (the machine is shared).
 * Run alone: node --import tsx test/bench/localMap.ts. Env: BENCH_LOCAL_MAP_TASKS (default 10000),
 * BENCH_LOCAL_MAP_WORKERS (default 2).
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
const WORKERS = Number(process.env.BENCH_LOCAL_MAP_WORKERS ?? 2);
const RUNS = 3;
const double: PythonFunction = { name: "double", source: "def double(x):\n    return x * 2\n" };

/** Tasks per second of `ProcessPoolExecutor(workers).map(double, range(n), chunksize=1)`, best of RUNS. */
async function processPoolMap(n: number): Promise<number> {
  const script = `
import concurrent.futures, json, time
def double(x):
    return x * 2
if __name__ == "__main__":
    n, workers, runs = ${n}, ${WORKERS}, ${RUNS}
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        list(pool.map(double, range(200), chunksize=1))
        best = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            out = list(pool.map(double, range(n), chunksize=1))
            best = min(best, time.perf_counter() - t0)
            assert out[-1] == 2 * (n - 1)
    print(json.dumps({"seconds": best}))
`;
  const { stdout } = await promisify(execFile)(PYTHON, ["-c", script]);
  return n / (JSON.parse(stdout) as { seconds: number }).seconds;
}

async function localMap(n: number): Promise<{ tasksPerS: number; clientUsPerTask: number }> {
  const stateRoot = mkdtempSync(join(tmpdir(), "gc-bench-local-map-"));
  const service = await LocalEndpointClient.connect({ config: { stateRoot, python: PYTHON, workers: WORKERS, idleExitMs: 1000 } });
  const gce = new Executor({ endpointId: LOCAL_ENDPOINT_ID, service });
  const items = (k: number) => Array.from({ length: k }, (_, i) => i);
  try {
    for (let warm = 0; warm < 2; warm++) for await (const _ of gce.map(double, items(2000), { chunk: 1 })) void _;
    let best = Infinity;
    let bestCpuUs = Infinity;
    for (let run = 0; run < RUNS; run++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let last: unknown;
      for await (const v of gce.map(double, items(n), { chunk: 1 })) last = v;
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (last !== 2 * (n - 1)) throw new Error(`map's last result is ${String(last)}`);
      best = Math.min(best, ms);
      bestCpuUs = Math.min(bestCpuUs, (cpu.user + cpu.system) / n);
    }
    return { tasksPerS: n / (best / 1000), clientUsPerTask: bestCpuUs };
  } finally {
    await gce.shutdown();
    await service.shutdownDaemon().catch(() => undefined);
    service.dispose();
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_LOCAL_MAP_TASKS ?? 10_000);
  const pool = await processPoolMap(n);
  const local = await localMap(n);
  console.log(
    JSON.stringify({
      bench: "local_map",
      name: "map_chunk1_through_daemon_vs_process_pool",
      tasks: n,
      workers: WORKERS,
      local_tasks_per_s: Math.round(local.tasksPerS),
      process_pool_tasks_per_s: Math.round(pool),
      ratio: Number((local.tasksPerS / pool).toFixed(3)),
      target_ratio: 1,
      client_cpu_us_per_task: Number(local.clientUsPerTask.toFixed(1)),
      target_client_cpu_us_per_task: 20,
    }),
  );
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

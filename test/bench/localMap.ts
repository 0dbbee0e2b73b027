/**
 * `Executor.map(double, range(n))` with chunk 1 (one task per item) on the built-in local endpoint,
 * through its daemon (the path the extension uses), beside Python's
 * `concurrent.futures.ProcessPoolExecutor(workers).map(double, range(n), chunksize=1)` run by this bench
 * in the same run with the same worker count (/usr/bin/python3, standard library only). Both sides are
 * warm (pool started, function registered) and timed in alternating rounds (the machine is shared). One
 * JSON line: the median ratio over rounds (target ≥ 1.0, aim 2) and its range, each side's best rate,
 * and the client's CPU per task (`process.cpuUsage` of this process from the first submit to the last
 * result, JIT warmed; target ≤ 20 µs, best round).
 * Run alone: node --import tsx test/bench/localMap.ts. Env: BENCH_LOCAL_MAP_TASKS (default 10000),
 * BENCH_LOCAL_MAP_WORKERS (default 2), BENCH_ROUNDS (default 5).
 */
import { performance } from "node:perf_hooks";
import type { PythonFunction } from "../../core/executor";
import { localExecutor, pairedRounds, PythonBaseline } from "./pairedRounds";

const PYTHON = process.env.GC_BENCH_PYTHON ?? "/usr/bin/python3";
const WORKERS = Number(process.env.BENCH_LOCAL_MAP_WORKERS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const double: PythonFunction = { name: "double", source: "def double(x):\n    return x * 2\n" };

const items = (k: number) => Array.from({ length: k }, (_, i) => i);

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_LOCAL_MAP_TASKS ?? 10_000);
  const pool = new PythonBaseline(
    PYTHON,
    "import concurrent.futures\ndef double(x):\n    return x * 2",
    `n = ${n}\npool = concurrent.futures.ProcessPoolExecutor(${WORKERS})\nlist(pool.map(double, range(200), chunksize=1))`,
    "assert list(pool.map(double, range(n), chunksize=1))[-1] == 2 * (n - 1)",
  );
  const { gce, close } = await localExecutor(PYTHON, WORKERS);
  let bestCpuUs = Infinity;
  const ours = async (): Promise<number> => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let last: unknown;
    for await (const v of gce.map(double, items(n), { chunk: 1 })) last = v;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (last !== 2 * (n - 1)) throw new Error(`map's last result is ${String(last)}`);
    bestCpuUs = Math.min(bestCpuUs, (cpu.user + cpu.system) / n);
    return seconds;
  };
  try {
    for (let warm = 0; warm < 2; warm++) for await (const _ of gce.map(double, items(2000), { chunk: 1 })) void _;
    const f = await pairedRounds(ROUNDS, n, ours, () => pool.time());
    console.log(
      JSON.stringify({
        bench: "local_map",
        name: "map_chunk1_through_daemon_vs_process_pool",
        tasks: n,
        workers: WORKERS,
        rounds: ROUNDS,
        local_tasks_per_s: Math.round(f.oursBest),
        process_pool_tasks_per_s: Math.round(f.baselineBest),
        ratio: Number(f.ratio.toFixed(3)),
        ratio_range: [Number(f.ratioMin.toFixed(3)), Number(f.ratioMax.toFixed(3))],
        target_ratio: 1,
        client_cpu_us_per_task: Number(bestCpuUs.toFixed(1)),
        target_client_cpu_us_per_task: 20,
      }),
    );
  } finally {
    pool.dispose();
    await close();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

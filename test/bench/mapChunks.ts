/**
 * `Executor.map` with automatic chunking on the built-in local endpoint, through its daemon (the path the
 * extension uses), beside Python's own `multiprocessing.Pool(workers).map` (default chunksize) run by this
 * bench in the same run, with the same worker count and items. Both sides are warm (pool started, function
 * known) and timed in alternating rounds, since the machine is shared. One JSON line: the median ratio
 * over rounds (target ≥ 0.5) and its range, and each side's best rate. A round runs each side several
 * times in a row (50k items' worth: 5 maps of 10k), as one map of a few ms is too short to time alone.
 * Run alone: node --import tsx test/bench/mapChunks.ts. Env: BENCH_MAP_ITEMS (default 10000), BENCH_ROUNDS (default 9),
 * BENCH_REPEAT (maps per side per round).
 */
import { performance } from "node:perf_hooks";
import type { PythonFunction } from "../../core/executor";
import { localExecutor, pairedRounds, PythonBaseline } from "./pairedRounds";

const PYTHON = process.env.GC_BENCH_PYTHON ?? "/usr/bin/python3";
const WORKERS = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const double: PythonFunction = { name: "double", source: "def double(x):\n    return x * 2\n" };

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_MAP_ITEMS ?? 10_000);
  const pool = new PythonBaseline(
    PYTHON,
    "import multiprocessing\ndef double(x):\n    return x * 2",
    `n = ${n}\npool = multiprocessing.Pool(${WORKERS})\npool.map(double, range(100))`,
    "assert pool.map(double, range(n))[-1] == 2 * (n - 1)",
  );
  const { gce, close } = await localExecutor(PYTHON, WORKERS);
  let shape = { chunk: 0, tasks: 0 };
  // The input list exists before the clock starts (as range(n) does on the Python side); map() copies it.
  const items = Array.from({ length: n }, (_, i) => i);
  const ours = async (): Promise<number> => {
    const t0 = performance.now();
    const result = gce.map(double, items, { workers: WORKERS });
    // The whole list, as Pool.map returns it.
    const values = await result.toArray();
    const seconds = (performance.now() - t0) / 1000;
    if (values.length !== n || values[n - 1] !== 2 * (n - 1)) throw new Error(`map gave ${values.length} results, the last ${String(values.at(-1))}`);
    shape = { chunk: result.chunk, tasks: result.futures.length };
    return seconds;
  };
  try {
    for await (const _ of gce.map(double, Array.from({ length: 100 }, (_, i) => i), { workers: WORKERS })) void _; // warm
    const repeat = Number(process.env.BENCH_REPEAT ?? Math.max(1, Math.ceil(50_000 / n)));
    const f = await pairedRounds(ROUNDS, n, ours, () => pool.time(), repeat);
    // Pool.map's own rule, for the record beside ours.
    const poolChunk = Math.ceil(n / (WORKERS * 4));
    console.log(
      JSON.stringify({
        bench: "map_auto_chunk",
        items: n,
        workers: WORKERS,
        rounds: ROUNDS,
        maps_per_round: repeat,
        executor_items_per_s: Math.round(f.oursBest),
        executor_chunk: shape.chunk,
        executor_tasks: shape.tasks,
        pool_map_items_per_s: Math.round(f.baselineBest),
        pool_map_chunk: poolChunk,
        ratio_to_pool_map: Number(f.ratio.toFixed(3)),
        ratio_range: [Number(f.ratioMin.toFixed(3)), Number(f.ratioMax.toFixed(3))],
        target_ratio: 0.5,
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

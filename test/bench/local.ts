// Local endpoint benchmarks (JSON lines): warm per-task overhead of the worker pool beside a fresh
// `python3 -c` per task, and no-op task throughput with 1 and N workers.
// Run alone: node --import tsx test/bench/local.ts
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { packBuffers, packTaskPayload, serializeCode } from "../../core/protocol";
import { WorkerPool } from "../../core/local/workerPool";

const PYTHON = process.env.GC_BENCH_PYTHON ?? "/usr/bin/python3";
const NOOP_SOURCE = "def noop():\n    return None\n";
const NOOP_BUFFER = packBuffers([serializeCode("noop", NOOP_SOURCE, "st")]) + packTaskPayload([], {}, "json");
const JSON_RESULT = ["globus_compute_sdk.serialize.concretes.JSONData"];

function emit(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ bench: "local", name, value: Number(value.toFixed(3)), unit, ...extra }));
}

async function runSequential(pool: WorkerPool, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const outcome = await pool.run({ taskId: `seq-${i}`, taskBuffer: NOOP_BUFFER, resultSerializers: JSON_RESULT }).result;
    if (outcome.result.error_details) throw new Error(outcome.result.data);
  }
  return (performance.now() - t0) / count;
}

function freshPython(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", `${NOOP_SOURCE}noop()`], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`python exited with ${code}`))));
  });
}

async function throughput(workers: number, count: number): Promise<number> {
  const pool = await WorkerPool.start({ python: PYTHON, workers });
  try {
    await runSequential(pool, 20); // warm up
    const t0 = performance.now();
    const runs = Array.from({ length: count }, (_, i) =>
      pool.run({ taskId: `tp-${i}`, taskBuffer: NOOP_BUFFER, resultSerializers: JSON_RESULT }).result,
    );
    await Promise.all(runs);
    return count / ((performance.now() - t0) / 1000);
  } finally {
    pool.dispose();
  }
}

export async function run(): Promise<void> {
  const pool = await WorkerPool.start({ python: PYTHON, workers: 1 });
  try {
    await runSequential(pool, 50); // warm up
    const warmMs = await runSequential(pool, 1000);
    emit("warm_noop_task_latency", warmMs * 1000, "us", { tasks: 1000, workers: 1 });
  } finally {
    pool.dispose();
  }

  const fresh = 50;
  const t0 = performance.now();
  for (let i = 0; i < fresh; i++) await freshPython();
  emit("fresh_python_c_per_task", ((performance.now() - t0) / fresh) * 1000, "us", { tasks: fresh });

  const cores = availableParallelism();
  for (const workers of [...new Set([1, cores])]) {
    emit("noop_tasks_per_second", await throughput(workers, 5000), "tasks/s", { tasks: 5000, workers });
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

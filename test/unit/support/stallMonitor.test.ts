import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { cpuClock, stallMonitor } from "../../support/stallMonitor";

const turn = () => new Promise((resolve) => setTimeout(resolve, 10));

test("a turn that keeps the main thread busy counts as a stall of about its length", async () => {
  const stalls = stallMonitor();
  await turn();
  // 40 ms of CPU, not of wall clock: on a loaded machine the OS may take the CPU away meanwhile.
  const cpu = cpuClock();
  const until = cpu() + 40;
  while (cpu() < until);
  await turn();
  const max = stalls.stop();
  assert.ok(max >= 30 && max < 200, `busy 40 ms, measured ${max} ms`);
});

test("a main thread blocked off the CPU (as when the OS runs other processes) is not counted", async () => {
  const stalls = stallMonitor();
  await turn();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60);
  await turn();
  const max = stalls.stop();
  assert.ok(max < 20, `blocked 60 ms without running, measured ${max} ms`);
});

test("CPU spent by other threads of the process (GC helpers, libuv's pool) is not counted", { skip: process.platform !== "linux" && "per-thread CPU time is read from Linux's /proc" }, async () => {
  // The worker spins while the main thread waits without running: process.cpuUsage() would count ~60 ms.
  const worker = new Worker("const end = Date.now() + 60; while (Date.now() < end); require('worker_threads').parentPort.postMessage('done');", { eval: true });
  try {
    await new Promise((resolve) => worker.once("online", resolve));
    const stalls = stallMonitor();
    const done = new Promise((resolve) => worker.once("message", resolve));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 80);
    await done;
    await turn();
    const max = stalls.stop();
    assert.ok(max < 20, `another thread spun 60 ms, measured ${max} ms`);
  } finally {
    await worker.terminate();
  }
});

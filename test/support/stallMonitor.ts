/** Measuring how long the event loop is kept busy, apart from time the OS gave to other processes. */
import { readFileSync } from "node:fs";

/**
 * The longest stretch between two turns of the event loop that the process's main thread spent on the
 * CPU. On this shared 2-core machine the wall-clock delay also counts time the OS gave to other processes
 * (the idle baseline shows tens of ms of it), which no code of ours can block or avoid; the CPU the main
 * thread used within a stall is what the extension can be blamed for.
 *
 * The main thread's own CPU time, not the process's: `process.cpuUsage()` also counts V8's GC helper
 * threads and libuv's pool (the extension host compresses its WebSocket traffic there), which run beside
 * the event loop without blocking it. Measured in the extension host during the 20k-map e2e, other threads
 * added 5–22 ms to stalls in which the main thread ran 7–23 ms. Linux gives a thread's CPU time in
 * nanoseconds in /proc/<pid>/task/<tid>/schedstat (the main thread's tid is the pid); elsewhere this falls
 * back to the process's (over-counting) figure.
 */
export function stallMonitor(): { stop(): number } {
  const cpuMs = cpuClock();
  let lastWall = performance.now();
  let lastCpu = cpuMs();
  let busyMax = 0;
  const timer = setInterval(() => {
    const wall = performance.now();
    const cpu = cpuMs();
    busyMax = Math.max(busyMax, Math.min(wall - lastWall, cpu - lastCpu));
    lastWall = wall;
    lastCpu = cpu;
  }, 2);
  return {
    stop() {
      clearInterval(timer);
      return busyMax;
    },
  };
}

/** The main thread's CPU milliseconds so far where the OS tells them, else the process's. */
export function cpuClock(): () => number {
  return mainThreadCpuMs() ?? processCpuMs;
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** A reader of the main thread's CPU milliseconds, when the OS offers it. */
function mainThreadCpuMs(): (() => number) | undefined {
  const path = `/proc/${process.pid}/task/${process.pid}/schedstat`;
  const read = () => Number(readFileSync(path, "latin1").split(" ", 1)[0]) / 1e6;
  try {
    return Number.isFinite(read()) ? read : undefined;
  } catch {
    return undefined;
  }
}

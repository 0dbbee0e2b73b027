/** Measuring how long the event loop is kept busy, apart from time the OS gave to other processes. */
/**
 * The longest stretch between two turns of the event loop that the process spent on the CPU. On this
 * shared 2-core machine the wall-clock delay also counts time the OS gave to other processes (the idle
 * baseline shows tens of ms of it), which no code of ours can block or avoid; the CPU the process used
 * within a stall is what the extension can be blamed for (over-counted: other threads count too).
 */
export function stallMonitor(): { stop(): number } {
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  let busyMax = 0;
  const timer = setInterval(() => {
    const wall = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    busyMax = Math.max(busyMax, Math.min(wall - lastWall, (cpu.user + cpu.system) / 1000));
    lastWall = wall;
    lastCpu = process.cpuUsage();
  }, 2);
  return {
    stop() {
      clearInterval(timer);
      return busyMax;
    },
  };
}

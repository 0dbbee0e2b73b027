/** Wall-clock time in nanoseconds since the epoch, as Python's `time.time_ns()`. */
const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

// Anchored once to Date.now() and advanced by the monotonic clock, so it has sub-millisecond
// resolution and never runs backwards within a process.
export function nowNs(): bigint {
  return originNs + process.hrtime.bigint();
}

/** Unix seconds as the decimal string upstream uses for `completion_t`. */
export function nsToSecondsString(ns: bigint): string {
  // Microseconds since 1970 stay below 2^53 until the year 2255: one BigInt division, then numbers.
  const micros = Number(ns / 1000n);
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
}

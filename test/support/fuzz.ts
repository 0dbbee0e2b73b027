/**
 * The one convention for property-based fuzz tests (fast-check), so every `*.fuzz.test.ts` runs short in
 * the normal suite and long on demand:
 * - `FUZZ_RUNS=<n>` sets numRuns for every fuzz property (`npm run fuzz` sets it; unset: each test's
 *   CI figure). Long runs also lift the test's timeout.
 * - `FUZZ_SEED=<n>` replays a run; unset, CI runs use a fixed seed (reproducible) and long runs a random
 *   one. fast-check prints the seed and the shrunk counterexample of a failure.
 * - Each property also fails when one input takes more than `maxMsPerInput` of CPU time (a hang or a
 *   blow-up; CPU, not wall time, as the machine may be shared), and reports its figures as a test
 *   diagnostic JSON line: `{"fuzz", "inputs", "slowestMs", "seed"}` (slowestMs: CPU ms of the slowest).
 */
import fc from "fast-check";
import type { TestContext } from "node:test";

const CI_SEED = 0x5eed;

/** numRuns for a property: `FUZZ_RUNS` when set, otherwise the test's CI figure. */
export function fuzzRuns(ciRuns: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(n) && n > 0 ? n : ciRuns;
}

export function isLongFuzz(): boolean {
  return process.env.FUZZ_RUNS !== undefined && process.env.FUZZ_RUNS !== "";
}

const seed = ((): number => {
  const n = Number(process.env.FUZZ_SEED);
  if (process.env.FUZZ_SEED && Number.isSafeInteger(n)) return n;
  return isLongFuzz() ? (Math.random() * 2 ** 31) | 0 : CI_SEED;
})();

export function fuzzSeed(): number {
  return seed;
}

/** node:test options for a fuzz test: the CI timeout, or none for a long run. */
export function fuzzTestOptions(ciTimeoutMs: number): { timeout: number } {
  return { timeout: isLongFuzz() ? Infinity : ciTimeoutMs };
}

export interface FuzzFigures {
  fuzz: string;
  inputs: number;
  slowestMs: number;
  seed: number;
}

export interface FuzzOptions {
  /** numRuns in the normal suite. */
  ciRuns: number;
  /** One input taking more CPU time than this fails the property (default 1000 ms: a hang, not noise). */
  maxMsPerInput?: number;
}

/**
 * Runs `check` on generated inputs; `check` throws (or asserts) on anything but the allowed outcomes.
 * Returns the figures, which are also reported on `t`.
 */
export function fuzzProperty<T>(t: TestContext, name: string, arbitrary: fc.Arbitrary<T>, check: (input: T) => void, options: FuzzOptions): FuzzFigures {
  const maxMs = options.maxMsPerInput ?? 1000;
  let inputs = 0;
  let slowestMs = 0;
  const property = fc.property(arbitrary, (input) => {
    const start = process.cpuUsage();
    check(input);
    const cpu = process.cpuUsage(start);
    const ms = (cpu.user + cpu.system) / 1000;
    inputs++;
    slowestMs = Math.max(slowestMs, ms);
    if (ms > maxMs) throw new Error(`${name}: one input took ${ms.toFixed(0)} ms (budget ${maxMs} ms)`);
  });
  fc.assert(property, { numRuns: fuzzRuns(options.ciRuns), seed });
  const figures = { fuzz: name, inputs, slowestMs: Math.round(slowestMs * 100) / 100, seed };
  t.diagnostic(JSON.stringify(figures));
  return figures;
}

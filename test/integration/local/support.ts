/** Shared helpers of the local endpoint tests: task buffers built with core/protocol, real Python pools. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  packBuffers,
  packTaskPayload,
  serializeCode,
  type CodeStrategy,
  type DataStrategy,
  type PyValue,
} from "../../../core/protocol";
import { WorkerPool, type WorkerPoolOptions } from "../../../core/local/workerPool";

/** The Debian interpreter (with python3-dill); the `python3` on PATH is another build. */
export const PYTHON = "/usr/bin/python3";

/** `function_code` as registration sends it: one packed code buffer. */
export function functionCode(name: string, source: string, strategy: CodeStrategy = "st"): string {
  return packBuffers([serializeCode(name, source, strategy)]);
}

/** What the service hands the endpoint: `function_code + packBuffers([args, kwargs])`. */
export function taskBuffer(
  name: string,
  source: string,
  args: readonly PyValue[] = [],
  kwargs: Record<string, PyValue> = {},
  strategies: { code?: CodeStrategy; data?: DataStrategy } = {},
): string {
  return functionCode(name, source, strategies.code) + packTaskPayload(args, kwargs, strategies.data ?? "json");
}

export async function startPool(t: { after(fn: () => void): void }, options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  const pool = await WorkerPool.start({ python: PYTHON, workers: 2, ...options });
  t.after(() => pool.dispose());
  return pool;
}

export function tempDir(t: TestContext | { after(fn: () => void): void }, prefix = "gc-local-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it has ended all the same.
  try {
    return !execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).startsWith("Z");
  } catch {
    return false;
  }
}

/** Polls until `check` holds; fails with `what` after `timeoutMs` (a correctness bound, not a speed one). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Python processes that are children of this test process (workers not yet reaped or leaked). */
export function childPythonProcesses(): string[] {
  const out = execFileSync("ps", ["-o", "pid=,stat=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.includes("worker.py") && !/^\d+\s+Z/.test(l));
}

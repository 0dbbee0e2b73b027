/**
 * A figure and its baseline measured in alternating rounds, so a burst of load from other processes on a
 * shared machine hits both sides alike: each round times ours and the baseline back to back (which goes
 * first alternates) and gives one ratio; the median ratio is the figure, with the spread beside it.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { Executor } from "../../core/executor";
import { LOCAL_ENDPOINT_ID } from "../../core/service/local/localComputeService";
import { LocalEndpointClient } from "../../core/service/local/localEndpointClient";

export interface PairedFigures {
  /** Median over rounds of ours / baseline rate. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  /** The best round's rate on each side, in units per second. */
  oursBest: number;
  baselineBest: number;
}

/**
 * `rounds` alternating timings of `ours` and `baseline` (each resolves to seconds for `units` units). With
 * `repeat`, each side runs that many times back to back in a round and its round time is their sum: a
 * run of a few milliseconds is at the mercy of one scheduling delay or collection (single runs of a
 * 10k map swung 0.1–2× against each other), a few in a row much less.
 */
export async function pairedRounds(
  rounds: number,
  units: number,
  ours: () => Promise<number>,
  baseline: () => Promise<number>,
  repeat = 1,
): Promise<PairedFigures> {
  const ratios: number[] = [];
  let oursBest = 0;
  let baselineBest = 0;
  const times = async (run: () => Promise<number>) => {
    let seconds = 0;
    for (let i = 0; i < repeat; i++) seconds += await run();
    return seconds;
  };
  for (let r = 0; r < rounds; r++) {
    let a: number;
    let b: number;
    if (r % 2 === 0) {
      a = await times(ours);
      b = await times(baseline);
    } else {
      b = await times(baseline);
      a = await times(ours);
    }
    oursBest = Math.max(oursBest, (units * repeat) / a);
    baselineBest = Math.max(baselineBest, (units * repeat) / b);
    ratios.push(b / a);
  }
  ratios.sort((x, y) => x - y);
  return { ratio: ratios[Math.floor(ratios.length / 2)], ratioMin: ratios[0], ratioMax: ratios.at(-1)!, oursBest, baselineBest };
}

/**
 * A Python baseline kept warm in its own process (`/usr/bin/python3`, standard library only): `setup`
 * runs once under `if __name__ == "__main__":` and may open a pool; each `time()` runs `body` once and
 * gives its wall-clock seconds.
 */
export class PythonBaseline {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: Interface;
  private readonly pending: ((line: string) => void)[] = [];

  constructor(python: string, prelude: string, setup: string, body: string) {
    const script = [
      "import sys, time",
      prelude,
      'if __name__ == "__main__":',
      indent(setup),
      "    for _ in sys.stdin:",
      "        t0 = time.perf_counter()",
      indent(body, 8),
      "        print(time.perf_counter() - t0, flush=True)",
    ].join("\n");
    this.child = spawn(python, ["-c", script], { stdio: ["pipe", "pipe", "inherit"] });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on("line", (line) => this.pending.shift()?.(line));
  }

  time(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the Python baseline stopped (exit ${code})`));
      this.child.once("exit", onExit);
      this.pending.push((line) => {
        this.child.off("exit", onExit);
        resolve(Number(line));
      });
      this.child.stdin.write("\n");
    });
  }

  dispose(): void {
    this.lines.close();
    this.child.stdin.end();
  }
}

function indent(code: string, by = 4): string {
  return code
    .trim()
    .split("\n")
    .map((l) => " ".repeat(by) + l)
    .join("\n");
}

/** An Executor on a private built-in local endpoint (its own daemon and state), and how to tear it all down. */
export async function localExecutor(python: string, workers: number): Promise<{ gce: Executor; close(): Promise<void> }> {
  const stateRoot = mkdtempSync(join(tmpdir(), "gc-bench-local-"));
  const service = await LocalEndpointClient.connect({ config: { stateRoot, python, workers, idleExitMs: 1000 } });
  const gce = new Executor({ endpointId: LOCAL_ENDPOINT_ID, service });
  return {
    gce,
    async close() {
      await gce.shutdown();
      await service.shutdownDaemon().catch(() => undefined);
      service.dispose();
      rmSync(stateRoot, { recursive: true, force: true });
    },
  };
}

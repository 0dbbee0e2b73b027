/**
 * A map started from the editor (Map Function over…): its items go in chunks (Executor.map), the Tasks
 * view shows one row per chunk task, the output channel gets progress every tenth and one summary
 * (with the first failures), never a line per item, and the function's CodeLens shows the map's progress
 * by tenths, then its outcome. The run keeps every item's outcome for "Save Results As…". Runs are kept by
 * their task group's model key until the group is forgotten.
 */
import { ComputeFuture, type ChunkRead, type Executor, type MapResult, type PythonFunction } from "../../core/executor";
import type { ExportRow } from "../../core/data/resultsExport";
import { formatPython } from "../../core/protocol/formatPython";
import type { PyValue } from "../../core/protocol/pyValue";
import type { FedCall } from "../tasks/futureFeed";
import { errorSummary } from "../output/failureText";
import { formatDuration, oneLine } from "../util/format";
import type { ProgressReporter } from "../vscode/window";

/** What to map over: the items, how they were given, and whether each is a dict of keyword arguments. */
export interface MapInput {
  items: PyValue[];
  /** How the person gave them, for labels: `range(100000)`, `points.csv`. */
  source: string;
  keywordItems: boolean;
  /** Keyword-argument names in file order (file inputs), for the export's columns. */
  columns?: string[];
}

export interface MapLog {
  info(message: string): void;
  error(message: string): void;
}

/** Shows a kept map's status (MapRun.lensStatus) above its function: at each tenth and when it is done. */
export type MapLens = (groupKey: string, status: string) => void;

/** A map's CodeLens text: its progress while `tookMs` is undefined, then its outcome. */
export function mapLensText({ total, done, failed, tookMs }: { total: number; done: number; failed: number; tookMs?: number }): string {
  if (tookMs === undefined) return `⋯ map: ${done} of ${total} done`;
  const took = formatDuration(tookMs);
  return failed === 0 ? `✓ map × ${total} · ${took}` : `✗ map × ${total}: ${failed} failed · ${took}`;
}

/** Maps this large also write a progress line every tenth (smaller ones finish before it would help). */
const PROGRESS_LINES_FROM = 1000;
/** Failures listed in the summary; the rest are counted (and all are in a saved results file). */
const FAILURES_SHOWN = 5;

export class MapRun {
  /** Each task's items once it settled (undefined before). */
  private readonly chunks: (ChunkRead | undefined)[];
  private succeeded = 0;
  private failed = 0;
  private readonly firstFailures: { index: number; error: Error }[] = [];
  private reportedTenths = 0;
  private lensTenths = 0;
  private readonly startedAt = Date.now();
  private finishedAt: number | undefined;
  private readonly progressListeners = new Set<() => void>();
  /** Resolves once every item has an outcome. */
  readonly finished: Promise<void>;

  constructor(
    readonly result: MapResult,
    readonly functionName: string,
    readonly input: MapInput,
    readonly endpointName: string,
    private readonly log: MapLog,
    /** The lens status changed (a tenth more done, or all). */
    private readonly lensChanged: (run: MapRun) => void,
  ) {
    this.chunks = new Array<ChunkRead | undefined>(result.futures.length);
    this.finished = Promise.all(result.futures.map((_, i) => result.chunkOf(i).then((c) => this.chunkSettled(i, c)))).then(() =>
      this.summarize(),
    );
  }

  get title(): string {
    return `${this.functionName} × ${this.result.length} (${this.input.source}) on ${this.endpointName}`;
  }

  get done(): number {
    return this.succeeded + this.failed;
  }

  /** The CodeLens text: `⋯ map: 4000 of 10000 done`, then `✓ map × 10000 · 3.2 s` or `✗ map × 10000: 15 failed · 3.2 s`. */
  get lensStatus(): string {
    const tookMs = this.finishedAt === undefined ? undefined : this.finishedAt - this.startedAt;
    return mapLensText({ total: this.result.length, done: this.done, failed: this.failed, tookMs });
  }

  /** One row label per chunk task, e.g. `double ← items 0–1999 of range(100000)`. */
  calls(): FedCall[] {
    return this.result.futures.map((future: ComputeFuture, i) => {
      const { first, end } = this.result.itemRange(i);
      const last = end - 1;
      const which = first === last ? `item ${first}` : `items ${first}–${last}`;
      const call = `${this.functionName} ← ${which} of ${this.input.source}`;
      // With one item per task the value is the item's own result; a chunk's is the wrapper's pair.
      return this.result.chunk === 1 ? { call, future } : { call, future, items: { first, count: end - first } };
    });
  }

  /** Every item's row, in input order (items whose task has not settled are `pending`). */
  *rows(): Generator<ExportRow> {
    const { items } = this.result;
    for (let t = 0; t < this.chunks.length; t++) {
      const settled = this.chunks[t];
      const { first, end } = this.result.itemRange(t);
      let nextFailed = 0;
      for (let index = first; index < end; index++) {
        const input = items[index];
        if (settled === undefined) {
          yield { index, input, outcome: { pending: true } };
          continue;
        }
        const failure = settled.failed[nextFailed];
        if (failure?.index === index) {
          nextFailed++;
          yield { index, input, outcome: { error: errorSummary(failure.error) } };
        } else yield { index, input, outcome: { value: settled.results[index - first] } };
      }
    }
  }

  /** Reports the count as items finish until all have (for a progress notification). */
  async follow(progress: ProgressReporter): Promise<void> {
    const total = this.result.length;
    let shown = 0;
    progress.report(`${this.done} of ${total} items done`);
    const update = () => {
      const percent = Math.floor((this.done * 100) / total);
      if (percent > shown || this.done === total) progress.report(`${this.done} of ${total} items done`, percent - shown);
      shown = Math.max(shown, percent);
    };
    this.progressListeners.add(update);
    try {
      await this.finished;
    } finally {
      this.progressListeners.delete(update);
    }
  }

  /**
   * Cancels what has not been sent; sent chunks are only no longer waited for. Spread over turns: a 100k
   * task map cancels without holding the host. Resolves with the number of items cancelled.
   */
  async cancel(): Promise<number> {
    const outcomes = await ComputeFuture.cancelAll(this.result.futures);
    let cancelled = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome === "cancelled") cancelled += this.chunks[i] === undefined ? this.chunkSize(i) : 0;
    });
    return cancelled;
  }

  private chunkSize(i: number): number {
    const { first, end } = this.result.itemRange(i);
    return end - first;
  }

  private chunkSettled(i: number, chunk: ChunkRead): void {
    this.chunks[i] = chunk;
    this.succeeded += chunk.results.length - chunk.failed.length;
    this.failed += chunk.failed.length;
    if (chunk.failed.length > 0) {
      // The lowest-numbered failures, whatever order the chunks finish in.
      this.firstFailures.push(...chunk.failed.slice(0, FAILURES_SHOWN));
      this.firstFailures.sort((a, b) => a.index - b.index);
      this.firstFailures.length = Math.min(this.firstFailures.length, FAILURES_SHOWN);
    }
    for (const listener of this.progressListeners) listener();
    const tenths = Math.floor((this.done * 10) / this.result.length);
    if (tenths > this.lensTenths && this.done < this.result.length) {
      this.lensTenths = tenths;
      this.lensChanged(this);
    }
    if (tenths > this.reportedTenths && this.done < this.result.length && this.result.length >= PROGRESS_LINES_FROM) {
      this.reportedTenths = tenths;
      this.log.info(`${this.title}: ${this.done} done (${tenths * 10}%)`);
    }
  }

  private summarize(): void {
    this.finishedAt = Date.now();
    this.lensChanged(this);
    const took = formatDuration(this.finishedAt - this.startedAt);
    const summary = `${this.title}: ${this.succeeded} succeeded, ${this.failed} failed in ${took}. "Save Results As…" on the group in the Tasks view writes every result.`;
    if (this.failed === 0) {
      this.log.info(summary);
      return;
    }
    const lines = this.firstFailures.map(
      ({ index, error }) => `  item ${index} (${formatPython(this.result.items[index], { maxLength: 60 })}): ${oneLine(errorSummary(error), 200)}`,
    );
    if (this.failed > this.firstFailures.length) lines.push(`  … and ${this.failed - this.firstFailures.length} more`);
    this.log.error(`${summary}\n${lines.join("\n")}`);
  }
}

/** The maps started in this window, by their group's model key. */
export class MapRuns {
  private readonly runs = new Map<string, MapRun>();

  constructor(
    private readonly log: MapLog,
    /** Where the lens goes; tests and benchmarks without a language server leave it out. */
    private readonly lens: MapLens = () => undefined,
  ) {}

  /** Submits the map (chunked) on `executor`; register the returned run under its group key with `keep`. */
  start(executor: Executor, fn: PythonFunction, functionName: string, input: MapInput, endpointName: string, workers?: number): MapRun {
    const result = executor.map(fn, input.items, { workers, keywordItems: input.keywordItems });
    return new MapRun(result, functionName, input, endpointName, this.log, (run) => this.lensChanged(run));
  }

  keep(groupKey: string, run: MapRun): void {
    this.runs.set(groupKey, run);
    this.lens(groupKey, run.lensStatus);
  }

  get(groupKey: string): MapRun | undefined {
    return this.runs.get(groupKey);
  }

  forget(groupKey: string): void {
    this.runs.delete(groupKey);
  }

  private lensChanged(run: MapRun): void {
    // A run is kept right after it starts, before any chunk can settle (results come in later turns).
    for (const [groupKey, kept] of this.runs) if (kept === run) this.lens(groupKey, run.lensStatus);
  }
}

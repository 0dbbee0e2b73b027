/**
 * `Executor.map` in chunks: many items per task, as `multiprocessing.Pool.map` does, so tiny functions do
 * not pay a task's round trip each. A chunk is an ordinary task running a small wrapper shipped in the
 * registered source (not a feature of our worker), so it runs on any endpoint. The wrapper calls the
 * function on every item of its list and reports each item's outcome, so one failing item neither hides
 * the others' results nor loses its own name.
 */
import { formatPython } from "../protocol/formatPython";
import type { PyValue } from "../protocol/pyValue";
import type { ComputeFuture } from "./computeFuture";
import { ExecutorError, TaskExecutionFailed } from "./errors";
import type { PythonFunction } from "./functionRegistry";

/** `chunk: "auto"` assumes this many workers when neither the caller nor the endpoint said. */
export const DEFAULT_MAP_WORKERS = 4;
/**
 * The largest automatic chunk: results arrive in steps no coarser than this, a lost worker loses no more,
 * and a chunk's result stays far below the endpoints' 10 MiB result limit for ordinary values.
 */
export const MAX_AUTO_CHUNK = 2000;

/**
 * Pool.map's rule: about four chunks per worker, so a slow chunk does not leave the others idle at the
 * end, capped at MAX_AUTO_CHUNK.
 */
export function autoChunkSize(items: number, workers: number = DEFAULT_MAP_WORKERS): number {
  const w = Number.isInteger(workers) && workers > 0 ? workers : DEFAULT_MAP_WORKERS;
  return Math.max(1, Math.min(MAX_AUTO_CHUNK, Math.ceil(items / (4 * w))));
}

/**
 * The wrapper task of a chunk (items are single arguments, or with `keywordItems` dicts of keyword
 * arguments): `[results, failures]`, with `None` in `results` where an item failed and
 * `[offset, traceback]` in `failures` (the traceback starts in the user's function, not the wrapper).
 */
export function chunkRunner(fn: PythonFunction, keywordItems = false): PythonFunction {
  const name = `_gc_map_chunk${keywordItems ? "_kw" : ""}_${fn.name}`;
  return {
    name,
    source: `${fn.source.trimEnd()}


def ${name}(items):
    import traceback
    results, failures = [], []
    for offset, item in enumerate(items):
        try:
            results.append(${fn.name}(${keywordItems ? "**item" : "item"}))
        except Exception as e:
            results.append(None)
            failures.append([offset, "".join(traceback.format_exception(type(e), e, e.__traceback__.tb_next))])
    return [results, failures]
`,
  };
}

/** One item's outcome: its index in the input, and its value or error. */
export type ItemOutcome = { index: number; value: PyValue } | { index: number; error: Error };

/** An item of a map failed; `index` is its position in the input, `cause` the task's or the item's error. */
export class MapItemError extends Error {
  override readonly name = "MapItemError";
  readonly code = "MAP_ITEM_FAILED";
  constructor(
    readonly index: number,
    item: PyValue,
    override readonly cause: Error,
  ) {
    super(`map item ${index} (${formatPython(item, { maxLength: 80 })}) failed: ${cause.message}`, { cause });
  }
}

/** The tasks of a `map()` call; iterable (async) as the items' results in input order. */
export class MapResult implements AsyncIterable<PyValue> {
  constructor(
    /** One future per task; with chunks, task `i` holds items `i * chunk` up to `(i + 1) * chunk`. */
    readonly futures: readonly ComputeFuture[],
    readonly chunk: number,
    /** The items, in input order. */
    readonly items: readonly PyValue[],
    /** Resolves once every task is queued for submission (a big map queues over several turns). */
    readonly queued: Promise<void> = Promise.resolve(),
  ) {}

  /** Number of items (not tasks). */
  get length(): number {
    return this.items.length;
  }

  /** The outcomes of task `taskIndex`'s items once it settled; never rejects. */
  async outcomesOf(taskIndex: number): Promise<ItemOutcome[]> {
    const first = taskIndex * this.chunk;
    const count = Math.min(this.chunk, this.items.length - first);
    let value: PyValue;
    try {
      value = await this.futures[taskIndex];
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return Array.from({ length: count }, (_, k) => ({ index: first + k, error }));
    }
    if (this.chunk === 1) return [{ index: first, value }];
    return chunkOutcomes(value, { first, count }, this.futures[taskIndex]);
  }

  /**
   * Calls `onOutcomes` with each task's item outcomes as the task settles (in whatever order tasks finish);
   * resolves once every task has settled.
   */
  async forEachSettled(onOutcomes: (outcomes: ItemOutcome[]) => void): Promise<void> {
    await Promise.all(this.futures.map((_, i) => this.outcomesOf(i).then(onOutcomes)));
  }

  /** The results in input order; the first failed item throws a MapItemError naming it. */
  async *[Symbol.asyncIterator](): AsyncIterator<PyValue> {
    if (this.chunk === 1) {
      // One item per task: its future's value as is (no outcome lists), and no promise turn once settled.
      for (let i = 0; i < this.futures.length; i++) {
        const future = this.futures[i];
        let value: PyValue;
        try {
          value = future.done() ? future._settledValue() : await future;
        } catch (err) {
          throw new MapItemError(i, this.items[i], err instanceof Error ? err : new Error(String(err)));
        }
        yield value;
      }
      return;
    }
    for (let i = 0; i < this.futures.length; i++) {
      for (const o of await this.outcomesOf(i)) {
        if ("error" in o) throw new MapItemError(o.index, this.items[o.index], o.error);
        yield o.value;
      }
    }
  }
}

/** Which items of a map one chunk task carried: `count` items from input index `first`. */
export interface ChunkItems {
  first: number;
  count: number;
}

/**
 * Reads a chunk wrapper's `[results, failures]` as its items' outcomes (a reloaded chunk task's value
 * too); anything else fails every item of the chunk.
 */
export function chunkOutcomes(value: PyValue, { first, count }: ChunkItems, future: Pick<ComputeFuture, "taskId" | "completionT">): ItemOutcome[] {
  const [results, failures] = Array.isArray(value) ? value : [];
  if (!Array.isArray(results) || results.length !== count || !Array.isArray(failures)) {
    const error = new ExecutorError(
      "MALFORMED_RESULT",
      `Map chunk task ${future.taskId ?? ""} returned ${formatPython(value, { maxLength: 80 })}, not the ${count} results of its items.`,
    );
    return Array.from({ length: count }, (_, k) => ({ index: first + k, error }));
  }
  const out: ItemOutcome[] = results.map((v, k) => ({ index: first + k, value: v }));
  for (const f of failures) {
    const [offset, traceback] = Array.isArray(f) ? f : [];
    const k = Number(offset);
    if (!Number.isInteger(k) || k < 0 || k >= count) continue;
    out[k] = { index: first + k, error: new TaskExecutionFailed(String(traceback), future.completionT ?? "0") };
  }
  return out;
}

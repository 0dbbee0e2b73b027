/**
 * `Executor.map` in chunks: many items per task, as `multiprocessing.Pool.map` does, so tiny functions do
 * not pay a task's round trip each. A chunk is an ordinary task running a small wrapper shipped in the
 * registered source (not a feature of our worker), so it runs on any endpoint. The wrapper calls the
 * function on every item of its list and reports each item's outcome, so one failing item neither hides
 * the others' results nor loses its own name.
 */
import { formatPython } from "../protocol/formatPython";
import { PyDict, type PyValue } from "../protocol/pyValue";
import type { ComputeFuture } from "./computeFuture";
import { ExecutorError, TaskExecutionFailed } from "./errors";
import { exceptionLine } from "./exceptionLine";
import type { PythonFunction } from "./functionRegistry";

/** `chunk: "auto"` assumes this many workers when neither the caller nor the endpoint said. */
export const DEFAULT_MAP_WORKERS = 4;
/**
 * The largest automatic chunk of a function not seen before: results arrive in steps no coarser than
 * this, a lost worker loses no more, and a chunk's result stays far below the endpoints' 10 MiB result
 * limit for ordinary values.
 */
export const MAX_AUTO_CHUNK = 2000;
/**
 * Past MAX_AUTO_CHUNK, an automatic chunk grows (up to Pool.map's size) only as far as earlier chunks of
 * the same function show it stays this small a result (a tenth of the 10 MiB limit) and this short a run,
 * so results still arrive in steps of at most this long and a lost worker loses no more. A big chunk
 * costs every process less per item: at 100k items, chunks of 12,500 took ~20% less CPU than of 2,000.
 */
export const MAX_AUTO_CHUNK_RESULT_BYTES = 1024 * 1024;
export const MAX_AUTO_CHUNK_SECONDS = 0.1;

/** What a function's chunks showed per item: serialized result size and run time. */
export interface ChunkCosts {
  bytesPerItem: number;
  secondsPerItem: number;
}

/**
 * Once a function's chunks are known to be this quick, an automatic chunk runs at least this long (as
 * far as the items allow one chunk per worker): a task costs ~0.2 ms of CPU across the processes that
 * carry it, which Pool.map's four chunks per worker would pay several times over in a map this short
 * (10k tiny items: 8 chunks took ~4.2 ms, 2 took ~3.3), while the balance they buy is worth less than
 * that.
 */
export const MIN_AUTO_CHUNK_SECONDS = 0.001;

/**
 * Pool.map's rule: about four chunks per worker, so a slow chunk does not leave the others idle at the
 * end, capped at MAX_AUTO_CHUNK, or past it as far as the function's `costs` so far allow; with costs
 * known, a chunk also runs MIN_AUTO_CHUNK_SECONDS at least.
 */
export function autoChunkSize(items: number, workers: number = DEFAULT_MAP_WORKERS, costs?: ChunkCosts): number {
  const w = Number.isInteger(workers) && workers > 0 ? workers : DEFAULT_MAP_WORKERS;
  const poolChunk = Math.ceil(items / (4 * w));
  if (!costs) return Math.max(1, Math.min(MAX_AUTO_CHUNK, poolChunk));
  const cap = Math.max(MAX_AUTO_CHUNK, Math.floor(Math.min(MAX_AUTO_CHUNK_RESULT_BYTES / costs.bytesPerItem, MAX_AUTO_CHUNK_SECONDS / costs.secondsPerItem)));
  const shortest = Math.ceil(MIN_AUTO_CHUNK_SECONDS / costs.secondsPerItem);
  // Fewer, longer chunks: as many per worker as each stays over the floor (one at least), the same
  // number for every worker so that they finish together.
  const chunk = poolChunk >= shortest ? poolChunk : Math.ceil(items / (w * Math.max(1, Math.floor(items / (w * shortest)))));
  return Math.max(1, Math.min(cap, chunk));
}

/** A settled chunk's costs per item, or undefined when its task reported no run time (`execution-start` and `-end`) or size. */
export function chunkCosts(count: number, future: Pick<ComputeFuture, "transitions" | "resultSize">): ChunkCosts | undefined {
  const start = future.transitions.find((t) => t.state === "execution-start")?.timestamp;
  const end = future.transitions.find((t) => t.state === "execution-end")?.timestamp;
  if (start === undefined || end === undefined || future.resultSize === undefined || count === 0) return undefined;
  return { bytesPerItem: future.resultSize / count, secondsPerItem: Math.max(0, Number(end - start)) / 1e9 / count };
}

/**
 * The largest automatic chunk in bytes (its items' approximate encoded size): big items make smaller
 * chunks, so a chunk stays far below the service's 10 MB submission limit and one slow chunk holds
 * little of the work.
 */
export const MAX_AUTO_CHUNK_BYTES = 1024 * 1024;

/**
 * Where each task's items start, for `items.length` items in chunks of `chunk`; with `maxBytes`, a chunk
 * also ends before its items' approximate encoded size would pass it (a chunk holds one item at least).
 */
export function chunkStarts(items: readonly PyValue[], chunk: number, maxBytes = Infinity): number[] {
  const starts: number[] = [];
  let count = 0;
  let bytes = 0;
  for (let i = 0; i < items.length; i++) {
    const size = maxBytes === Infinity ? 0 : approxBytes(items[i], maxBytes);
    if (count === 0 || count === chunk || bytes + size > maxBytes) {
      starts.push(i);
      count = 0;
      bytes = 0;
    }
    count++;
    bytes += size;
  }
  return starts;
}

/** About how many bytes `value` takes encoded (JSON or pickle); counting stops past `limit`. */
function approxBytes(value: PyValue, limit: number): number {
  if (typeof value === "string") return value.length + 2;
  if (value === null || typeof value !== "object") return 8;
  const parts = Array.isArray(value)
    ? value
    : value instanceof PyDict
      ? value.entries.flat()
      : "items" in value
        ? value.items
        : "bytes" in value
          ? null
          : [];
  if (parts === null) return (value as { bytes: Uint8Array }).bytes.length + 8;
  let total = 2;
  for (const part of parts) {
    total += approxBytes(part, limit) + 1;
    if (total > limit) break;
  }
  return total;
}

/**
 * The wrapper task of a chunk (items are single arguments, or with `keywordItems` dicts of keyword
 * arguments): `[results, failures]`, with `None` in `results` where an item failed and
 * `[offset, traceback]` in `failures` (the traceback starts in the user's function, not the wrapper).
 * The items run in a bare loop (most chunks never fail); a failure (any BaseException, as a task of its
 * own would fail with it) resumes it at the next item: the shared iterator has moved past the failed
 * item, so every pass takes an item or returns. A Python loop, not `list.extend(map(...))` (~15% less
 * time per item for a tiny function): map() takes an item's StopIteration as the end of its input,
 * silently dropping the chunk's other items. The wrapper shares the user's module, which may bind any
 * name (a function called `map`, a global `type`): it reads builtins and modules through its own locals
 * only.
 */
export function chunkRunner(fn: PythonFunction, keywordItems = false): PythonFunction {
  const name = `_gc_map_chunk${keywordItems ? "_kw" : ""}_${fn.name}`;
  return {
    name,
    source: `${fn.source.trimEnd()}


def ${name}(items):
    import builtins, traceback
    call = ${fn.name}
    results, failures = [], []
    append = results.append
    remaining = builtins.iter(items)
    while True:
        try:
            for item in remaining:
                append(call(${keywordItems ? "**item" : "item"}))
            return [results, failures]
        except builtins.BaseException as e:  # an item's sys.exit() fails that item only, as in a task of its own
            failures.append([builtins.len(results), "".join(traceback.format_exception(builtins.type(e), e, e.__traceback__.tb_next))])
            append(None)
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
    /** One future per task; task `i` holds the items of `itemRange(i)`. */
    readonly futures: readonly ComputeFuture[],
    /** Items per task (at most: an automatic chunk ends early at MAX_AUTO_CHUNK_BYTES). */
    readonly chunk: number,
    /** The items, in input order. */
    readonly items: readonly PyValue[],
    /** Resolves once every task is queued for submission (a big map queues over several turns). */
    readonly queued: Promise<void> = Promise.resolve(),
    /** Where each task's items start (chunkStarts); without it, every `chunk` items. */
    private readonly starts?: readonly number[],
  ) {}

  /** The items of task `taskIndex`: `first` up to (not including) `end`. */
  itemRange(taskIndex: number): { first: number; end: number } {
    const { starts, chunk } = this;
    if (starts === undefined) return { first: taskIndex * chunk, end: Math.min(this.items.length, (taskIndex + 1) * chunk) };
    return { first: starts[taskIndex], end: starts[taskIndex + 1] ?? this.items.length };
  }

  /** Number of items (not tasks). */
  get length(): number {
    return this.items.length;
  }

  /** Task `taskIndex`'s items once it settled, read (see readChunk); never rejects. */
  async chunkOf(taskIndex: number): Promise<ChunkRead> {
    const { first, end } = this.itemRange(taskIndex);
    const future = this.futures[taskIndex];
    let value: PyValue;
    try {
      value = future.done() ? future._settledValue() : await future;
    } catch (err) {
      return failedChunk(first, end - first, this.chunk > 1 ? withChunkNote(err, first, end) : err instanceof Error ? err : new Error(String(err)));
    }
    if (this.chunk === 1) return { first, results: [value], failed: [] };
    return readChunk(value, { first, count: end - first }, future);
  }

  /** The outcomes of task `taskIndex`'s items once it settled; never rejects. */
  async outcomesOf(taskIndex: number): Promise<ItemOutcome[]> {
    return outcomesOf(await this.chunkOf(taskIndex));
  }

  /**
   * Calls `onOutcomes` with each task's item outcomes as the task settles (in whatever order tasks finish);
   * resolves once every task has settled.
   */
  async forEachSettled(onOutcomes: (outcomes: ItemOutcome[]) => void): Promise<void> {
    await Promise.all(this.futures.map((_, i) => this.outcomesOf(i).then(onOutcomes)));
  }

  /**
   * All the results in input order, as `Pool.map` returns them; rejects with a MapItemError naming the
   * first failed item (in input order). Cheaper than iterating when the caller wants the whole list: one
   * await per task, not per item.
   */
  async toArray(): Promise<PyValue[]> {
    // Filled by index: growing it by push() took ~2.5× as long (100k items: ~2.5 ms).
    const out = new Array<PyValue>(this.items.length);
    let at = 0;
    for (let i = 0; i < this.futures.length; i++) {
      const { results, failed } = await this.chunkOf(i);
      if (failed.length > 0) throw this.itemError(failed[0]);
      for (let k = 0; k < results.length; k++) out[at++] = results[k];
    }
    return out;
  }

  /** The results in input order; the first failed item throws a MapItemError naming it. */
  [Symbol.asyncIterator](): AsyncIterator<PyValue> {
    return this.chunk === 1 ? this.singleItems() : new ChunkedItems(this);
  }

  /** A failed item's error, naming the item. */
  itemError({ index, error }: { index: number; error: Error }): MapItemError {
    return new MapItemError(index, this.items[index], error);
  }

  /** One item per task: its future's value as is (no outcome lists), and no promise turn once settled. */
  private async *singleItems(): AsyncGenerator<PyValue> {
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
  }
}

/**
 * A chunked map's results in input order. While a settled chunk's items last, `next()` returns a resolved
 * promise straight away: one promise per item, where an async generator's `yield` costs several turns
 * (Pool.map hands back a chunk's items at memory speed; so should we).
 */
class ChunkedItems implements AsyncIterator<PyValue> {
  private task = 0;
  private chunk: ChunkRead = { first: 0, results: [], failed: [] };
  private at = 0;
  /** The first failed item ends the iteration, as a generator's throw does. */
  private ended = false;

  constructor(private readonly map: MapResult) {}

  next(): Promise<IteratorResult<PyValue>> {
    const { results, failed, first } = this.chunk;
    if (this.at === results.length) return this.nextChunk();
    const k = this.at++;
    if (failed.length > 0 && failed[0].index === first + k) {
      this.ended = true;
      this.chunk = { first: 0, results: [], failed: [] };
      this.at = 0;
      return Promise.reject(this.map.itemError(failed[0]));
    }
    return Promise.resolve({ done: false, value: results[k] });
  }

  private async nextChunk(): Promise<IteratorResult<PyValue>> {
    while (this.at === this.chunk.results.length) {
      if (this.ended || this.task === this.map.futures.length) return { done: true, value: undefined };
      this.chunk = await this.map.chunkOf(this.task++);
      this.at = 0;
    }
    return this.next();
  }
}

/** Which items of a map one chunk task carried: `count` items from input index `first`. */
export interface ChunkItems {
  first: number;
  count: number;
}

/**
 * A settled chunk task's items: each one's result (None where it failed) and the failed ones in input
 * order. Kept as the wrapper sent it rather than as an outcome object per item: a 2,000-item chunk is
 * read at every result, in the extension host's turn.
 */
export interface ChunkRead {
  /** Input index of the first item. */
  first: number;
  results: PyValue[];
  failed: { index: number; error: Error }[];
}

/**
 * Reads a chunk wrapper's `[results, failures]` (a reloaded chunk task's value too); anything else fails
 * every item of the chunk.
 */
export function readChunk(value: PyValue, { first, count }: ChunkItems, future: Pick<ComputeFuture, "taskId" | "completionT">): ChunkRead {
  const [results, failures] = Array.isArray(value) ? value : [];
  if (!Array.isArray(results) || results.length !== count || !Array.isArray(failures)) {
    const error = new ExecutorError(
      "MALFORMED_RESULT",
      `Map chunk task ${future.taskId ?? ""} returned ${formatPython(value, { maxLength: 80 })}, not the ${count} results of its items.`,
    );
    return failedChunk(first, count, error);
  }
  // By offset: of two reports for one item, the later wins.
  const byOffset = new Map<number, Error>();
  for (const f of failures) {
    const [offset, traceback] = Array.isArray(f) ? f : [];
    const k = Number(offset);
    if (!Number.isInteger(k) || k < 0 || k >= count) continue;
    byOffset.set(k, new TaskExecutionFailed(String(traceback), future.completionT ?? "0"));
  }
  const failed = [...byOffset].sort(([a], [b]) => a - b).map(([k, error]) => ({ index: first + k, error }));
  return { first, results, failed };
}

/**
 * A chunk task whose worker died fails all its items, though one of them may be the cause: its summary says
 * so, and how to find which (a task per item).
 */
function withChunkNote(err: unknown, first: number, end: number): Error {
  if (!(err instanceof TaskExecutionFailed) || !/WorkerLost/.test(err.errorCode + (exceptionLine(err.remoteTraceback) ?? ""))) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const note = ` (items ${first}–${end - 1} of the map ran in this one task and all failed with it, though one of them may have caused it: map with { chunk: 1 } to see which)`;
  return new TaskExecutionFailed(`${err.remoteTraceback.trimEnd()}${note}\n`, err.completionT, err.errorCode);
}

/** Every item of a chunk failed with `error` (its task failed, or its result is not a chunk's). */
function failedChunk(first: number, count: number, error: Error): ChunkRead {
  return { first, results: new Array<PyValue>(count).fill(null), failed: Array.from({ length: count }, (_, k) => ({ index: first + k, error })) };
}

/** A chunk's outcome per item. */
function outcomesOf({ first, results, failed }: ChunkRead): ItemOutcome[] {
  const out: ItemOutcome[] = results.map((value, k) => ({ index: first + k, value }));
  for (const f of failed) out[f.index - first] = f;
  return out;
}

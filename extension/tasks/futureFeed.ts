/**
 * Feeds ComputeFutures into TaskGroupModel: each future becomes a task row whose state, ids, timeline and
 * result follow the future. The model stays plain data; this is the only place that knows futures.
 */
import type { ComputeFuture } from "../../core/executor/computeFuture";
import { readChunk, type ChunkItems, type ChunkRead } from "../../core/executor/mapResult";
import { formatPython } from "../../core/protocol/formatPython";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import { errorSummary } from "../output/failureText";
import type { SettledTask } from "../output/resultOutput";
import type { TaskGroupModel, TaskRecord } from "./taskGroupModel";

/** Results longer than this are cut in the tree; "Open Result" shows them whole. */
const PREVIEW_LENGTH = 200;

export interface FedCall {
  /** The call as the user wrote it, e.g. `double(7)`. */
  call: string;
  future: ComputeFuture;
  /** When the call was submitted (a reloaded task: when its task group was created); default now. */
  submittedAt?: number;
  /** A map's chunk task: the items it carried, which its row shows instead of the wrapper's `[results, failures]`. */
  items?: ChunkItems;
}

/** Failed items named in a chunk's row; the rest are counted. */
const FAILED_ITEMS_NAMED = 3;

export interface FeedOptions {
  now?: () => number;
  /**
   * Called once per task when it settles (for the output channel). `live` is false for a task that had
   * settled before it was fed (a reloaded result). `row` is the task's row, with its preview or error summary.
   */
  onSettled?: (task: SettledTask, where: SettledWhere) => void;
}

export interface SettledWhere {
  index: number;
  live: boolean;
  future: ComputeFuture;
  row: Readonly<TaskRecord>;
  /** A map chunk's items and how many of them failed (all of them when the task itself failed). */
  chunk?: { count: number; failed: number };
}

/** Adds the calls to the group and keeps their rows in step with their futures until disposed. */
export function feedFutures(
  model: TaskGroupModel,
  groupKey: string,
  calls: readonly FedCall[],
  { now = Date.now, onSettled }: FeedOptions = {},
): Disposable {
  const store = new DisposableStore();
  const fedAt = now();
  const first = model.addTasks(
    groupKey,
    calls.map(({ call, future, submittedAt = fedAt }) => ({ call, state: future.state, taskId: future.taskId, submittedAt })),
  );
  const update = (index: number, patch: Partial<TaskRecord>) => {
    if (!store.isDisposed && model.get(groupKey) !== undefined) model.updateTask(groupKey, index, patch);
  };
  const settle = (future: ComputeFuture, index: number, { call, submittedAt = fedAt, items }: FedCall, live: boolean) => {
    const completion = Number(future.completionT ?? 0);
    const finishedAt = completion > 0 ? completion * 1000 : now();
    const report = (outcome: SettledTask["outcome"], chunk?: SettledWhere["chunk"]) => {
      if (store.isDisposed) return;
      const { taskId, stdout, stderr } = future;
      const row = model.get(groupKey)?.tasks[index];
      if (row === undefined) return;
      const where: SettledWhere = { index, live, future, row };
      if (chunk) where.chunk = chunk;
      onSettled?.({ call, taskId, durationMs: finishedAt - submittedAt, outcome, stdout, stderr }, where);
    };
    future.then(
      (value) => {
        if (items === undefined) {
          update(index, { resultPreview: formatPython(value, { maxLength: PREVIEW_LENGTH }), finishedAt });
          return report({ value });
        }
        const read = readChunk(value, items, future);
        update(index, { ...chunkRow(read, items), finishedAt });
        report({ value }, { count: items.count, failed: read.failed.length });
      },
      (error: unknown) => {
        update(index, { error: errorSummary(error), finishedAt });
        report({ error }, items && { count: items.count, failed: items.count });
      },
    );
  };

  calls.forEach((fed, i) => {
    const { future } = fed;
    const index = first + i;
    if (future.done()) return settle(future, index, fed, false);
    store.add(
      future.onDidChange(() => {
        if (store.isDisposed || model.get(groupKey) === undefined) return;
        if (model.get(groupKey)?.taskGroupId === undefined && future.taskGroupId !== undefined) {
          model.updateGroup(groupKey, { taskGroupId: future.taskGroupId });
        }
        update(index, { state: future.state, taskId: future.taskId, transitions: future.transitions });
        if (future.done()) settle(future, index, fed, true);
      }),
    );
  });
  return store;
}

/** A map chunk's row: its items' results in input order (None where one failed), and the failed items by index. */
function chunkRow({ results, failed }: ChunkRead, items: ChunkItems): Pick<TaskRecord, "resultPreview" | "error"> {
  const resultPreview = formatPython(results, { maxLength: PREVIEW_LENGTH });
  if (failed.length === 0) return { resultPreview };
  const named = failed.slice(0, FAILED_ITEMS_NAMED).map((o) => `item ${o.index}: ${errorSummary(o.error)}`);
  const more = failed.length > FAILED_ITEMS_NAMED ? "; …" : "";
  return { resultPreview, error: `${failed.length} of ${items.count} items failed: ${named.join("; ")}${more}` };
}

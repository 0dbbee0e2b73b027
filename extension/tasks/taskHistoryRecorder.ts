/**
 * Writes what the tracker follows into the durable history (core/history): each group, its calls, their
 * ids and states, results, errors and captured prints, and which outcomes were printed. A reloaded group's
 * futures are matched to the tasks already recorded by task id, so nothing is recorded twice. Failing to
 * write the history is logged, never thrown into the task flow.
 */
import type { ComputeFuture } from "../../core/executor/computeFuture";
import type { GroupFields, HistoryChange, HistoryTask } from "../../core/history/historyRecords";
import type { HistoryStore } from "../../core/history/historyStore";
import type { Disposable } from "../../core/util/disposable";
import { displayStateOf, type TaskRecord } from "./taskGroupModel";

export type RecordedGroup = Omit<GroupFields, "id" | "taskGroupId"> & { key: string };

interface Slot {
  id: string;
  i: number;
  /** The display state last written, so only real changes reach the journal. */
  written: string;
}

export class TaskHistoryRecorder {
  private readonly slots = new WeakMap<ComputeFuture, Slot>();

  constructor(
    readonly store: HistoryStore,
    private readonly log: (message: string) => void,
  ) {}

  /** Records the group and its calls (matching a reloaded group's futures to its recorded tasks) and follows their ids and states. */
  follow(
    group: RecordedGroup,
    calls: readonly { call: string; future: ComputeFuture; submittedAt?: number; items?: HistoryTask["items"] }[],
    executor: { readonly taskGroupId: string | undefined; onFutureChange(listener: (f: ComputeFuture) => void): Disposable },
  ): Disposable {
    const id = group.key;
    this.safely(() => {
      const fields = groupFields(group, executor.taskGroupId);
      const known = this.store.get(id);
      this.store.write({ op: "group", group: known ? { ...fields, taskGroupId: fields.taskGroupId ?? known.taskGroupId } : fields });
      const recorded = known?.tasks ?? [];
      const byTaskId = new Map<string, number>();
      recorded.forEach((t, i) => t.taskId !== undefined && byTaskId.set(t.taskId, i));
      const fresh: HistoryTask[] = [];
      const now = Date.now();
      for (const { call, future, submittedAt, items } of calls) {
        let i = future.taskId === undefined ? undefined : byTaskId.get(future.taskId);
        if (i === undefined) {
          i = recorded.length + fresh.length;
          fresh.push(withoutUndefined({ call, state: future.state, taskId: future.taskId, submittedAt: submittedAt ?? now, items }));
        }
        this.slots.set(future, { id, i, written: i < recorded.length ? displayStateOf(recorded[i].state) : displayStateOf(future.state) });
      }
      if (fresh.length > 0) this.store.write({ op: "tasks", id, from: recorded.length, tasks: fresh });
    });
    let groupIdWritten = executor.taskGroupId !== undefined;
    return executor.onFutureChange((future) => {
      const slot = this.slots.get(future);
      if (slot === undefined || future.done()) return; // the outcome is written by `settled`
      if (!groupIdWritten && future.taskGroupId !== undefined) {
        groupIdWritten = true;
        this.write({ op: "group", group: groupFields(group, future.taskGroupId) });
      }
      const state = displayStateOf(future.state);
      if (state !== slot.written || (future.taskId !== undefined && this.store.get(id)?.tasks[slot.i]?.taskId === undefined)) {
        slot.written = state;
        this.write({ op: "task", id, i: slot.i, patch: withoutUndefined({ state: future.state, taskId: future.taskId }) });
      }
    });
  }

  /** A followed future settled; `row` is its task row with the preview or error summary. */
  settled(future: ComputeFuture, row: Readonly<TaskRecord>): void {
    const slot = this.slots.get(future);
    if (slot === undefined) return;
    const recorded = this.store.get(slot.id)?.tasks[slot.i];
    // A reload of an outcome already recorded writes nothing.
    if (recorded !== undefined && recorded.state === future.state && recorded.finishedAt !== undefined) return;
    slot.written = displayStateOf(future.state);
    const patch = withoutUndefined({
      state: future.state,
      taskId: future.taskId,
      finishedAt: row.finishedAt,
      resultPreview: row.resultPreview,
      error: row.error,
      stdout: future.stdout || undefined,
      stderr: future.stderr || undefined,
    });
    this.write({ op: "task", id: slot.id, i: slot.i, patch });
  }

  /** True when the future's outcome is recorded as printed (by any window); unknown futures count as printed. */
  wasPrinted(future: ComputeFuture): boolean {
    const slot = this.slots.get(future);
    const task = slot && this.store.get(slot.id)?.tasks[slot.i];
    return task === undefined || task.printed === true;
  }

  markPrinted(future: ComputeFuture): void {
    const slot = this.slots.get(future);
    if (slot !== undefined) this.safely(() => this.store.markPrinted(slot.id, slot.i));
  }

  /** The service could not find or reach the group now: it stays, marked (cleared by passing undefined). */
  markUnavailable(key: string, reason: string | undefined): void {
    if (this.store.get(key) === undefined) return;
    this.write({ op: "mark", id: key, unavailable: reason === undefined ? null : { reason, at: Date.now() } });
  }

  forget(key: string): void {
    if (this.store.get(key) !== undefined) this.write({ op: "forget", id: key });
  }

  private write(change: HistoryChange): void {
    this.safely(() => this.store.write(change));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log(`Could not write the task history in ${this.store.dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function groupFields(group: RecordedGroup, taskGroupId: string | undefined): GroupFields {
  const { key, ...rest } = group;
  return withoutUndefined({ ...rest, id: key, taskGroupId });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The task groups shown in the Tasks view, as plain data. The Executor (through a manager, later) adds
 * groups and patches tasks; views subscribe to onDidChange. No vscode and no UI calls in here.
 */
import { randomUUID } from "node:crypto";
import type { FutureState } from "../../core/executor/computeFuture";
import type { TaskTransition } from "../../core/protocol/messages";
import { Emitter, type Event } from "../../core/util/event";
import type { Disposable } from "../../core/util/disposable";

/** The five states a person tells apart; the service's finer states fold into them. */
export type TaskDisplayState = "queued" | "running" | "success" | "failed" | "cancelled";
export const TASK_DISPLAY_STATES: readonly TaskDisplayState[] = ["queued", "running", "success", "failed", "cancelled"];

export function displayStateOf(state: FutureState): TaskDisplayState {
  switch (state) {
    case "success":
    case "failed":
    case "cancelled":
    case "running":
      return state as TaskDisplayState;
    default:
      // queued/submitting here, received/waiting-for-ep at the service, or a state we do not know yet.
      return "queued";
  }
}

/** A state no task leaves. */
export function isTerminal(state: string): boolean {
  return state === "success" || state === "failed" || state === "cancelled";
}

export interface TaskRecord {
  /** The call as the user wrote it, e.g. `double(7)`. */
  call: string;
  state: FutureState;
  taskId?: string;
  /** The result as Python text (formatPython), possibly shortened. */
  resultPreview?: string;
  /** The exception, e.g. `ZeroDivisionError: division by zero`. */
  error?: string;
  /** Milliseconds since the epoch. */
  submittedAt: number;
  finishedAt?: number;
  transitions?: readonly TaskTransition[];
}

export interface TaskGroupRecord {
  /** Local key, stable for the group's life in the model (the service id may come later). */
  readonly key: string;
  taskGroupId?: string;
  functionName: string;
  endpoint: { name: string; id: string };
  /** The multi-user endpoint configuration the tasks ran with. */
  configuration?: string;
  createdAt: number;
  /** Why the group shows what the history recorded instead of the service's answer (it could not be reloaded). */
  note?: string;
  readonly tasks: readonly Readonly<TaskRecord>[];
}

export type TaskCounts = Record<TaskDisplayState, number>;

export interface TaskGroupChange {
  kind: "added" | "changed" | "removed";
  groupKey: string;
}

interface Entry {
  group: TaskGroupRecord & { tasks: TaskRecord[] };
  counts: TaskCounts;
}

export function emptyCounts(): TaskCounts {
  return { queued: 0, running: 0, success: 0, failed: 0, cancelled: 0 };
}

export class TaskGroupModel implements Disposable {
  /** Insertion order = creation order; `groups` lists newest first. */
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new Emitter<TaskGroupChange>();
  readonly onDidChange: Event<TaskGroupChange> = this.changed.event;

  /** Newest first. */
  get groups(): readonly TaskGroupRecord[] {
    return [...this.entries.values()].map((e) => e.group).reverse();
  }

  get(groupKey: string): TaskGroupRecord | undefined {
    return this.entries.get(groupKey)?.group;
  }

  add(init: Omit<TaskGroupRecord, "key" | "tasks"> & { key?: string; tasks?: readonly TaskRecord[] }): TaskGroupRecord {
    const key = init.key ?? randomUUID();
    if (this.entries.has(key)) throw new Error(`task group ${key} is already in the model`);
    const group = { ...init, key, tasks: (init.tasks ?? []).map((t) => ({ ...t })) };
    const counts = emptyCounts();
    for (const t of group.tasks) counts[displayStateOf(t.state)]++;
    this.entries.set(key, { group, counts });
    this.changed.fire({ kind: "added", groupKey: key });
    return group;
  }

  /** Appends tasks to a group; returns the index of the first one. */
  addTasks(groupKey: string, tasks: readonly TaskRecord[]): number {
    const entry = this.entry(groupKey);
    const first = entry.group.tasks.length;
    for (const t of tasks) {
      entry.group.tasks.push({ ...t });
      entry.counts[displayStateOf(t.state)]++;
    }
    this.changed.fire({ kind: "changed", groupKey });
    return first;
  }

  /** Empties a group's rows (a group reloaded again shows what the service says now). */
  clearTasks(groupKey: string): void {
    const entry = this.entry(groupKey);
    entry.group.tasks.length = 0;
    entry.counts = emptyCounts();
    this.changed.fire({ kind: "changed", groupKey });
  }

  updateGroup(groupKey: string, patch: Partial<Pick<TaskGroupRecord, "taskGroupId" | "functionName" | "endpoint" | "note">>): void {
    Object.assign(this.entry(groupKey).group, patch);
    this.changed.fire({ kind: "changed", groupKey });
  }

  updateTask(groupKey: string, index: number, patch: Partial<TaskRecord>): void {
    const entry = this.entry(groupKey);
    const task = entry.group.tasks[index];
    if (task === undefined) throw new RangeError(`task group ${groupKey} has no task ${index}`);
    entry.counts[displayStateOf(task.state)]--;
    Object.assign(task, patch);
    entry.counts[displayStateOf(task.state)]++;
    this.changed.fire({ kind: "changed", groupKey });
  }

  remove(groupKey: string): boolean {
    if (!this.entries.delete(groupKey)) return false;
    this.changed.fire({ kind: "removed", groupKey });
    return true;
  }

  /** Tasks per display state in one group. */
  countsOf(groupKey: string): Readonly<TaskCounts> {
    return this.entry(groupKey).counts;
  }

  /** Tasks per display state over all groups. */
  totalCounts(): TaskCounts {
    const total = emptyCounts();
    for (const { counts } of this.entries.values()) {
      for (const s of TASK_DISPLAY_STATES) total[s] += counts[s];
    }
    return total;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private entry(groupKey: string): Entry {
    const entry = this.entries.get(groupKey);
    if (entry === undefined) throw new RangeError(`no task group ${groupKey} in the model`);
    return entry;
  }
}

/**
 * What the history remembers, and the journal records that change it. A record is a small, self-contained
 * change (a group, new tasks, a task's patch, a "printed" mark, a forget); folding records in order gives
 * the history. Records are plain JSON, one per journal line.
 */
import type { LineMap } from "../python/lineMap";
import type { NotebookLines } from "../python/notebookLines";
import { beyondRetention } from "../util/retention";

/** Where a submitted function is defined (so Re-run can bundle it again and tracebacks name the file). */
export interface HistoryOrigin {
  uri: string;
  /** The function's qualified name. */
  name: string;
  /** UTF-16 offset of the function's name in the document when it was submitted. */
  offset: number;
  lineMap?: LineMap;
  /** For a function in a notebook cell: where the code cells are in the text the line map names. */
  cells?: NotebookLines;
}

export interface HistoryTask {
  /** The call as written, e.g. `collatz(27)` (shortened when very long). */
  call: string;
  taskId?: string;
  /** The future's state (`queued`, `running`, `success`, `failed`, `cancelled`, a service state…). */
  state: string;
  /** Milliseconds since the epoch. */
  submittedAt: number;
  finishedAt?: number;
  /** The result as Python text, shortened. */
  resultPreview?: string;
  /** One line: the exception, e.g. `ZeroDivisionError: division by zero`. */
  error?: string;
  /** What the function printed (local endpoint), shortened. */
  stdout?: string;
  stderr?: string;
  /** The outcome was written to an output channel (so no later window prints it again). */
  printed?: boolean;
  /** A map's chunk task: the items it carried (its row shows them, not the wrapper's value). */
  items?: { first: number; count: number };
}

export interface HistoryGroup {
  /** The extension's key of the group (stable across windows and reloads). */
  id: string;
  /** The service's task group id, once acknowledged. */
  taskGroupId?: string;
  functionName: string;
  endpoint: { name: string; id: string };
  /** `local`, or the base URL of the web service. */
  service: string;
  /** A multi-user endpoint's configuration (name or template), when one was chosen. */
  configuration?: string;
  createdAt: number;
  origin?: HistoryOrigin;
  /** Set while the service cannot find or reach the group: it is kept, never dropped silently. */
  unavailable?: { reason: string; at: number };
  tasks: HistoryTask[];
}

export type GroupFields = Omit<HistoryGroup, "tasks" | "unavailable">;
export type TaskPatch = Partial<Omit<HistoryTask, "printed">>;

/**
 * `t`: milliseconds since the epoch when written, never less than the writer's previous record nor than
 * what it had read (see mergeJournals); `s`: the writer's sequence number.
 */
interface Stamp {
  t: number;
  s: number;
}

export type HistoryRecord = Stamp &
  (
    | { op: "group"; group: GroupFields }
    | { op: "tasks"; id: string; from: number; tasks: HistoryTask[] }
    | { op: "task"; id: string; i: number; patch: TaskPatch }
    | { op: "printed"; id: string; i: number }
    | { op: "mark"; id: string; unavailable: { reason: string; at: number } | null }
    | { op: "forget"; id: string }
  );

export type HistoryChange = HistoryRecord extends infer R ? (R extends Stamp ? Omit<R, keyof Stamp> : never) : never;

export interface Retention {
  /** Most task groups kept; the oldest are dropped first. */
  maxTaskGroups: number;
  /** Most tasks kept over all groups; whole groups are dropped, oldest first. */
  maxTasks: number;
}

/** Applies one change to `groups` (a map by id, in insertion order). Unknown or stale changes are ignored. */
export function applyChange(groups: Map<string, HistoryGroup>, change: HistoryChange): void {
  switch (change.op) {
    case "group": {
      const existing = groups.get(change.group.id);
      if (existing) Object.assign(existing, change.group);
      else groups.set(change.group.id, { ...change.group, tasks: [] });
      return;
    }
    case "tasks": {
      const g = groups.get(change.id);
      // Tasks go where the writer put them; a second writer of the same slots loses (the first came first).
      if (g && change.from <= g.tasks.length) {
        change.tasks.forEach((t, k) => {
          if (change.from + k >= g.tasks.length) g.tasks.push({ ...t });
        });
      }
      return;
    }
    case "task": {
      const task = groups.get(change.id)?.tasks[change.i];
      if (task) Object.assign(task, change.patch);
      return;
    }
    case "printed": {
      const task = groups.get(change.id)?.tasks[change.i];
      if (task) task.printed = true;
      return;
    }
    case "mark": {
      const g = groups.get(change.id);
      if (g) {
        if (change.unavailable) g.unavailable = change.unavailable;
        else delete g.unavailable;
      }
      return;
    }
    case "forget":
      groups.delete(change.id);
      return;
  }
}

/**
 * Keeps the newest groups within the bounds (by creation time); returns the ids dropped. A group still
 * waiting for a task the service acknowledged (an HPC job queued for days), or marked unavailable, is
 * never dropped: its results would be lost to the person, who forgets it themselves.
 */
export function applyRetention(groups: Map<string, HistoryGroup>, retention: Retention): string[] {
  const newestFirst = [...groups.values()].sort((a, b) => b.createdAt - a.createdAt);
  const bounds = { maxGroups: retention.maxTaskGroups, maxTasks: retention.maxTasks };
  const beyond = beyondRetention(newestFirst, (g) => g.tasks.length, bounds, isPending);
  for (const g of beyond) groups.delete(g.id);
  return beyond.map((g) => g.id);
}

function isPending(g: HistoryGroup): boolean {
  return g.unavailable !== undefined || g.tasks.some((t) => t.taskId !== undefined && t.finishedAt === undefined);
}

/** A parsed journal line, or undefined when it is not a record (a torn last line, say). */
export function parseRecord(line: string): HistoryRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = value as Partial<HistoryRecord> | null;
  if (typeof r !== "object" || r === null || typeof r.t !== "number" || typeof r.s !== "number") return undefined;
  switch (r.op) {
    case "group":
      return isGroupFields(r.group) ? (r as HistoryRecord) : undefined;
    case "tasks":
      return typeof r.id === "string" && typeof r.from === "number" && Array.isArray(r.tasks) && r.tasks.every(isTask) ? (r as HistoryRecord) : undefined;
    case "task":
      return typeof r.id === "string" && typeof r.i === "number" && typeof r.patch === "object" && r.patch !== null ? (r as HistoryRecord) : undefined;
    case "printed":
      return typeof r.id === "string" && typeof r.i === "number" ? (r as HistoryRecord) : undefined;
    case "mark":
      return typeof r.id === "string" && (r.unavailable === null || typeof r.unavailable?.reason === "string") ? (r as HistoryRecord) : undefined;
    case "forget":
      return typeof r.id === "string" ? (r as HistoryRecord) : undefined;
    default:
      return undefined;
  }
}

/**
 * The records of every journal (each in the order its writer wrote them) in the order to apply them:
 * journals merged by time, each keeping its own order. A record counts as no earlier than the one before it
 * in its journal, so a writer whose clock stepped back (NTP, a resumed VM) still has its changes applied in
 * the order it made them: a task's result after the task, a forget after the group.
 */
export function mergeJournals(journals: readonly (readonly HistoryRecord[])[]): HistoryRecord[] {
  const timed: { r: HistoryRecord; at: number; file: number; k: number }[] = [];
  journals.forEach((records, file) => {
    let at = -Infinity;
    records.forEach((r, k) => {
      at = Math.max(at, r.t);
      timed.push({ r, at, file, k });
    });
  });
  timed.sort((a, b) => a.at - b.at || a.file - b.file || a.k - b.k);
  return timed.map((x) => x.r);
}

export function isGroupFields(g: unknown): g is GroupFields {
  const x = g as Partial<GroupFields> | null;
  return (
    typeof x === "object" &&
    x !== null &&
    typeof x.id === "string" &&
    typeof x.functionName === "string" &&
    typeof x.endpoint?.name === "string" &&
    typeof x.endpoint.id === "string" &&
    typeof x.service === "string" &&
    typeof x.createdAt === "number"
  );
}

function isTask(t: unknown): t is HistoryTask {
  const x = t as Partial<HistoryTask> | null;
  return typeof x === "object" && x !== null && typeof x.call === "string" && typeof x.state === "string" && typeof x.submittedAt === "number";
}

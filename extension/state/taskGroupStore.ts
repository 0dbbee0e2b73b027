/**
 * The task groups a workspace remembers (workspaceState), so reopening it reloads them: the service's
 * task group id, where it ran, and the calls with their task ids. Newest first; at most `maxGroups`
 * (the oldest are forgotten). Stored data that does not parse is dropped and reported, never thrown.
 */

import { isLineMap, type LineMap } from "../../core/python/lineMap";
import { isNotebookLines, type NotebookLines } from "../../core/python/notebookLines";

/** The part of vscode.Memento this needs. */
export interface StateStorage {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface StoredCall {
  /** The call as written, e.g. `double(7)` (shortened when long). */
  call: string;
  taskId?: string;
}

/** Where the submitted function is defined, so Re-run can bundle it again. */
export interface StoredOrigin {
  uri: string;
  /** The function's qualified name. */
  name: string;
  /** UTF-16 offset of the function's name in the document when it was submitted. */
  offset: number;
  /**
   * The shipped bundle's lines → the document's lines at submission, so tracebacks name the file.
   * Absent in groups stored before it existed.
   */
  lineMap?: LineMap;
  /** For a function in a notebook cell: where the code cells are in the text the line map names (see core/python/notebookLines). */
  cells?: NotebookLines;
}

export interface StoredTaskGroup {
  taskGroupId: string;
  endpoint: { name: string; id: string };
  /** `local`, or the base URL of the web service the group was submitted to. */
  service: string;
  functionName: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  calls: StoredCall[];
  origin?: StoredOrigin;
}

/** Versioned, so a later format can migrate or ignore this one. */
export const TASK_GROUPS_KEY = "globusCompute.taskGroups.v1";
const MAX_CALL_CHARS = 500;

export class TaskGroupStore {
  private groups: StoredTaskGroup[];
  /** Entries dropped while loading, described for the log. */
  readonly loadProblems: string[] = [];

  constructor(
    private readonly storage: StateStorage,
    private maxGroups: number,
  ) {
    this.groups = this.load();
  }

  /** Newest first. */
  list(): readonly StoredTaskGroup[] {
    return this.groups;
  }

  get(taskGroupId: string): StoredTaskGroup | undefined {
    return this.groups.find((g) => g.taskGroupId === taskGroupId);
  }

  /** Adds or replaces (by task group id) a group as the newest, then applies the retention bound. */
  async save(group: StoredTaskGroup): Promise<void> {
    const stored = { ...group, calls: group.calls.map((c) => ({ ...c, call: shorten(c.call) })) };
    this.groups = [stored, ...this.groups.filter((g) => g.taskGroupId !== group.taskGroupId)];
    await this.persist();
  }

  /** Appends calls to a stored group (a later submission into the same task group). */
  async addCalls(taskGroupId: string, calls: readonly StoredCall[]): Promise<void> {
    const group = this.get(taskGroupId);
    if (group === undefined) throw new RangeError(`task group ${taskGroupId} is not stored`);
    group.calls.push(...calls.map((c) => ({ ...c, call: shorten(c.call) })));
    await this.persist();
  }

  async forget(taskGroupId: string): Promise<boolean> {
    const before = this.groups.length;
    this.groups = this.groups.filter((g) => g.taskGroupId !== taskGroupId);
    if (this.groups.length === before) return false;
    await this.persist();
    return true;
  }

  /** Changes the retention bound (the `retention.maxTaskGroups` setting); forgets the oldest beyond it. */
  async setMaxGroups(maxGroups: number): Promise<void> {
    this.maxGroups = maxGroups;
    if (this.groups.length > maxGroups) await this.persist();
  }

  private async persist(): Promise<void> {
    this.groups = this.groups.slice(0, Math.max(1, this.maxGroups));
    await this.storage.update(TASK_GROUPS_KEY, this.groups);
  }

  private load(): StoredTaskGroup[] {
    const raw = this.storage.get(TASK_GROUPS_KEY);
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      this.loadProblems.push(`stored task groups are not a list (${typeof raw}); starting empty`);
      return [];
    }
    const out: StoredTaskGroup[] = [];
    raw.forEach((entry: unknown, i) => {
      const problem = invalidReason(entry);
      if (problem === undefined) out.push(entry as StoredTaskGroup);
      else this.loadProblems.push(`stored task group ${i + 1} dropped: ${problem}`);
    });
    return out;
  }
}

function invalidReason(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return "not an object";
  const g = e as Record<string, unknown>;
  if (typeof g.taskGroupId !== "string" || g.taskGroupId === "") return "no taskGroupId";
  const ep = g.endpoint as Record<string, unknown> | undefined;
  if (typeof ep?.name !== "string" || typeof ep?.id !== "string") return `${g.taskGroupId}: no endpoint name and id`;
  if (typeof g.service !== "string") return `${g.taskGroupId}: no service`;
  if (typeof g.functionName !== "string") return `${g.taskGroupId}: no functionName`;
  if (typeof g.createdAt !== "number" || !Number.isFinite(g.createdAt)) return `${g.taskGroupId}: no createdAt`;
  if (!Array.isArray(g.calls)) return `${g.taskGroupId}: calls is not a list`;
  const badCall = g.calls.findIndex(
    (c: unknown) =>
      typeof (c as StoredCall)?.call !== "string" || !["string", "undefined"].includes(typeof (c as StoredCall).taskId),
  );
  if (badCall >= 0) return `${g.taskGroupId}: call ${badCall + 1} is malformed`;
  const o = g.origin as Partial<StoredOrigin> | undefined;
  if (
    o !== undefined &&
    (typeof o?.uri !== "string" || typeof o.name !== "string" || typeof o.offset !== "number" || (o.lineMap !== undefined && !isLineMap(o.lineMap)) || (o.cells !== undefined && !isNotebookLines(o.cells)))
  )
    return `${g.taskGroupId}: origin is malformed`;
  return undefined;
}

function shorten(call: string): string {
  return call.length <= MAX_CALL_CHARS ? call : `${call.slice(0, MAX_CALL_CHARS - 1)}…`;
}

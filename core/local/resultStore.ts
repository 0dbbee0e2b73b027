/**
 * Where the local endpoint keeps registered functions, task groups and task records (with their
 * results) so that a restarted host can reload a task group. One JSON file per record in a directory
 * the host chooses; every write goes to a temporary file that is renamed over the old one, so a file
 * is either the old or the new version, never half of each. A file that is unreadable anyway (disk
 * trouble, hand edits) is dropped and reported, never fatal.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ResultData, TaskTransition } from "../protocol/messages";
import { fromTagged, toTagged } from "../protocol/tagged";
import { PyDict } from "../protocol/pyValue";
import type { Disposable } from "../util/disposable";
import { LocalEndpointError, TaskFailureCode } from "./errors";
import { ensurePrivateDir, writePrivateFileAtomic } from "./privateFiles";
import { nowNs, nsToSecondsString } from "./wallClock";

export interface StoredFunction {
  functionId: string;
  functionName: string;
  functionCode: string;
  description?: string;
  meta: { python_version: string; sdk_version: string; serde_identifier: string };
  createdAt: string;
}

export interface StoredTaskGroup {
  taskGroupId: string;
  createdAt: string;
  taskIds: string[];
}

export interface StoredTask {
  taskId: string;
  taskGroupId: string;
  functionId: string;
  endpointId: string;
  /** `created_at` as the service writes it: ISO 8601 without zone, microseconds. */
  createdAt: string;
  /** Current TaskState string. */
  status: string;
  transitions: TaskTransition[];
  result: ResultData | null;
  stdout: string;
  stderr: string;
  /** Unix seconds as a decimal string, once finished. */
  completionT: string | null;
}

export interface ResultStoreOptions {
  /** Task groups kept; the oldest (by creation) are deleted beyond this. Default 200. */
  maxGroups?: number;
}

/** Reason, and error text, of tasks that were unfinished when the previous host stopped. */
export const RESTARTED_REASON = "task lost: the local endpoint process stopped (killed, crashed or shut down) before it finished";

const FORMAT_VERSION = 1;
const KINDS = ["functions", "groups", "tasks"] as const;
type Kind = (typeof KINDS)[number];

export class ResultStore implements Disposable {
  readonly functions = new Map<string, StoredFunction>();
  readonly groups = new Map<string, StoredTaskGroup>();
  readonly tasks = new Map<string, StoredTask>();
  /** Files that could not be read at open and were dropped, with the reason. */
  readonly problems: string[] = [];
  private readonly pending = new Map<string, string>();
  private flushScheduled: NodeJS.Immediate | undefined;
  private disposed = false;

  private constructor(
    private readonly dir: string,
    private readonly maxGroups: number,
  ) {}

  /** Loads everything in `dir` (created if missing); unfinished tasks become failed "restarted" ones. */
  static open(dir: string, options: ResultStoreOptions = {}): ResultStore {
    const store = new ResultStore(dir, options.maxGroups ?? 200);
    try {
      // Results, arguments and prints are the user's alone: 0700 directories, 0600 files.
      ensurePrivateDir(dir);
      for (const kind of KINDS) ensurePrivateDir(join(dir, kind));
    } catch (err) {
      if (err instanceof LocalEndpointError) throw err;
      throw new LocalEndpointError("STORE_IO", `cannot create the local endpoint store in ${dir}`, { cause: err });
    }
    store.load();
    return store;
  }

  putFunction(fn: StoredFunction): void {
    this.functions.set(fn.functionId, fn);
    this.write("functions", fn.functionId, fn);
  }

  putGroup(group: StoredTaskGroup): void {
    this.groups.set(group.taskGroupId, group);
    this.write("groups", group.taskGroupId, group);
    this.prune();
  }

  putTask(task: StoredTask): void {
    this.tasks.set(task.taskId, task);
    this.write("tasks", task.taskId, encodeTask(task));
  }

  /** Writes everything pending now (writes are otherwise batched per event-loop turn). */
  flush(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
    for (const [path, text] of this.pending) {
      try {
        writePrivateFileAtomic(path, text);
      } catch (err) {
        this.problems.push(`cannot write ${path}: ${(err as Error).message}`);
      }
    }
    this.pending.clear();
  }

  dispose(): void {
    if (this.disposed) return;
    this.flush();
    this.disposed = true;
  }

  private write(kind: Kind, id: string, record: unknown): void {
    if (this.disposed) return;
    this.pending.set(this.pathOf(kind, id), JSON.stringify({ version: FORMAT_VERSION, record }));
    // Batched: a task moving through several states in one turn is written once.
    this.flushScheduled ??= setImmediate(() => this.flush());
  }

  private remove(kind: Kind, id: string): void {
    const path = this.pathOf(kind, id);
    this.pending.delete(path);
    rmSync(path, { force: true });
  }

  private pathOf(kind: Kind, id: string): string {
    return join(this.dir, kind, `${id}.json`);
  }

  private load(): void {
    for (const fn of this.readAll("functions", decodeFunction)) this.functions.set(fn.functionId, fn);
    for (const task of this.readAll("tasks", decodeTask)) this.tasks.set(task.taskId, task);
    for (const group of this.readAll("groups", decodeGroup)) {
      this.groups.set(group.taskGroupId, group);
      for (const taskId of group.taskIds) {
        // Listed but never (readably) written: it was submitted, so it counts as interrupted.
        if (!this.tasks.has(taskId)) this.tasks.set(taskId, lostTask(taskId, group));
      }
    }
    for (const task of this.tasks.values()) {
      if (task.status !== "success" && task.status !== "failed") this.putTask(failAsRestarted(task));
    }
    this.prune();
    this.flush();
  }

  private readAll<T>(kind: Kind, decode: (record: unknown, id: string) => T): T[] {
    const dir = join(this.dir, kind);
    const out: T[] = [];
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (!name.endsWith(".json")) {
        rmSync(path, { force: true }); // a .tmp left by a host that died mid-write
        continue;
      }
      try {
        const parsed = JSON.parse(readFileSync(path, "utf8")) as { version?: unknown; record?: unknown };
        if (parsed.version !== FORMAT_VERSION) throw new Error(`unknown format version ${String(parsed.version)}`);
        out.push(decode(parsed.record, name.slice(0, -".json".length)));
      } catch (err) {
        this.problems.push(`dropped unreadable ${kind} file ${name}: ${(err as Error).message}`);
        rmSync(path, { force: true });
      }
    }
    return out;
  }

  private prune(): void {
    if (this.groups.size <= this.maxGroups) return;
    const oldestFirst = [...this.groups.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const group of oldestFirst.slice(0, this.groups.size - this.maxGroups)) {
      for (const taskId of group.taskIds) {
        this.tasks.delete(taskId);
        this.remove("tasks", taskId);
      }
      this.groups.delete(group.taskGroupId);
      this.remove("groups", group.taskGroupId);
    }
  }
}

/** `datetime.isoformat()` of a naive UTC time, as the service's `created_at`. */
export function isoTimestamp(date = new Date()): string {
  return date.toISOString().replace("Z", "000");
}

function failAsRestarted(task: StoredTask): StoredTask {
  const now = nowNs();
  return {
    ...task,
    status: "failed",
    transitions: [...task.transitions, { timestamp: now, state: "failed", actor: "endpoint" }],
    result: {
      task_id: task.taskId,
      data: `EndpointRestarted: the task was lost: the local endpoint process stopped (killed, crashed or shut down) while the task was ${task.status}, so it did not finish; run it again`,
      details: null,
      error_details: { code: TaskFailureCode.endpointRestarted, user_message: `remote error: ${RESTARTED_REASON}` },
      task_statuses: null,
    },
    completionT: nsToSecondsString(now),
  };
}

function lostTask(taskId: string, group: StoredTaskGroup): StoredTask {
  return {
    taskId,
    taskGroupId: group.taskGroupId,
    functionId: "",
    endpointId: "",
    createdAt: group.createdAt,
    status: "received",
    transitions: [],
    result: null,
    stdout: "",
    stderr: "",
    completionT: null,
  };
}

// --- Records <-> JSON (bigint timestamps as strings, `details` in the lossless tagged form) ---

function encodeTask(task: StoredTask): unknown {
  return {
    ...task,
    transitions: task.transitions.map(encodeTransition),
    result: task.result && {
      ...task.result,
      details: task.result.details && toTagged(task.result.details),
      task_statuses: task.result.task_statuses && task.result.task_statuses.map(encodeTransition),
    },
  };
}

function encodeTransition(t: TaskTransition): unknown {
  return { ...t, timestamp: t.timestamp.toString() };
}

function decodeTask(record: unknown, id: string): StoredTask {
  const r = expectObject(record, id);
  const task = r as unknown as StoredTask;
  for (const key of ["taskId", "taskGroupId", "status", "createdAt"] as const) expectString(task[key], key);
  if (task.taskId !== id) throw new Error(`file name does not match task id ${task.taskId}`);
  const result = r.result === null ? null : expectObject(r.result, "result");
  return {
    ...task,
    transitions: expectArray(r.transitions, "transitions").map(decodeTransition),
    result: result && {
      ...(result as unknown as ResultData),
      details: result.details == null ? null : (fromTagged(result.details) as PyDict),
      task_statuses: result.task_statuses == null ? null : expectArray(result.task_statuses, "task_statuses").map(decodeTransition),
    },
  };
}

function decodeTransition(t: unknown): TaskTransition {
  const o = expectObject(t, "transition");
  return { timestamp: BigInt(expectString(o.timestamp, "timestamp")), state: expectString(o.state, "state"), actor: expectString(o.actor, "actor") };
}

function decodeGroup(record: unknown, id: string): StoredTaskGroup {
  const r = expectObject(record, id);
  if (r.taskGroupId !== id) throw new Error(`file name does not match task group id`);
  expectString(r.createdAt, "createdAt");
  expectArray(r.taskIds, "taskIds").forEach((t) => expectString(t, "taskIds[]"));
  return r as unknown as StoredTaskGroup;
}

function decodeFunction(record: unknown, id: string): StoredFunction {
  const r = expectObject(record, id);
  if (r.functionId !== id) throw new Error(`file name does not match function id`);
  expectString(r.functionCode, "functionCode");
  return r as unknown as StoredFunction;
}

function expectObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function expectArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  return v;
}

function expectString(v: unknown, what: string): string {
  if (typeof v !== "string") throw new Error(`${what} is not a string`);
  return v;
}

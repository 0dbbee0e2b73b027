/**
 * Where the local endpoint keeps registered functions, task groups and task records (with their
 * results and prints) so that a restarted host can reload a task group and a client that was away
 * can read what finished meanwhile. One append-only journal of JSON lines, private to the user (0600
 * in a 0700 directory): every change is a line (a task's later states as a short update of the record
 * the journal holds), and the changes of one event-loop turn, or of a few milliseconds of a busy
 * stretch, go out in one write (a task moving through several states meanwhile is written once), so a
 * 10k-task map costs a few hundred writes, not tens of thousands of files. Opening replays the journal (a torn or unreadable
 * line, e.g. from a host killed mid-write, is dropped and reported, never fatal) and fails the tasks a
 * previous host left unfinished (appended, like any change); the journal is compacted (rewritten with
 * the live records, atomically) when it had such a line, and whenever it holds far more lines than
 * live records. A write that fails (a full disk) is cut back and written again a moment later.
 */
import { closeSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ResultData, TaskTransition } from "../protocol/messages";
import { fromTagged, toTagged } from "../protocol/tagged";
import { PyDict } from "../protocol/pyValue";
import type { Disposable } from "../util/disposable";
import { endsWithNewline, fileLines, LineAppender } from "../util/fileLines";
import { beyondRetention, type RetentionBounds } from "../util/retention";
import { LocalEndpointError, TaskFailureCode } from "./errors";
import { ensurePrivateDir, openPrivateAppend, writePrivateFileAtomic } from "./privateFiles";
import type { StoredTask } from "./taskRecord";
import { TaskTable } from "./taskTable";
import { nowNs, nsToSecondsString } from "./wallClock";

export type { StoredTask } from "./taskRecord";

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

export interface ResultStoreOptions {
  /** Task groups kept; the oldest (by creation) are deleted beyond this. Default 200. */
  maxGroups?: number;
  /**
   * Tasks kept over all groups: whole groups are deleted, oldest first, beyond this (never the newest,
   * nor one with tasks still unfinished). Default 100,000, the `retention.maxTasks` setting's default.
   */
  maxTasks?: number;
  /** After a write, further changes wait until this long after it, to go out together. Default 5 ms. */
  writeWindowMs?: number;
}

/** Reason, and error text, of tasks that were unfinished when the previous host stopped. */
export const RESTARTED_REASON = "task lost: the local endpoint process stopped (killed, crashed or shut down) before it finished";

const FORMAT_VERSION = 2;
const JOURNAL = "journal.jsonl";
/** Compacted when it holds more lines than this many per live record (plus a floor). */
const COMPACT_RATIO = 3;
const COMPACT_FLOOR = 10_000;
/** Writes after the first of a busy period wait until this long after the previous one. */
const WRITE_WINDOW_MS = 5;
/** After a failed write (a full disk), how long until it is tried again. */
const RETRY_WRITE_MS = 1_000;

/** One journal line: a function, a group's header with the task ids added since its last line, a task, or a dropped group. */
type JournalLine =
  | { v: number; fn: StoredFunction }
  | { v: number; group: { taskGroupId: string; createdAt: string; taskIds: string[] } }
  | { v: number; task: unknown }
  | { v: number; received: ReceivedBatch }
  | { v: number; update: TaskUpdate }
  | { v: number; details: { ref: number; value: unknown } }
  | { v: number; drop: string };

/**
 * A task's new state over a record the journal holds already (its received batch, or an earlier line):
 * only what changes, transitions as `[timestamp, state, actor]`, and the worker's `details` by reference
 * to a `details` line (a finished task's line is a third of its full record).
 */
interface TaskUpdate {
  taskId: string;
  status: string;
  transitions: [string, string, string][];
  result: { data: string; error_details: ResultData["error_details"]; task_statuses: [string, string, string][] | null; d: number | null } | null;
  stdout: string;
  stderr: string;
  completionT: string | null;
}

/** Tasks submitted together: one line for the whole batch, their records rebuilt from it on load. */
interface ReceivedBatch {
  taskGroupId: string;
  functionId: string;
  endpointId: string;
  createdAt: string;
  /** The batch's arrival, nanoseconds as a decimal string. */
  ns: string;
  taskIds: string[];
}

export class ResultStore implements Disposable {
  readonly functions = new Map<string, StoredFunction>();
  readonly groups = new Map<string, StoredTaskGroup>();
  /** Finished tasks are kept packed once the journal holds them (see PackedTask). */
  readonly tasks = new TaskTable();
  /** Lines of the journal that could not be read at open and were dropped, with the reason. */
  readonly problems: string[] = [];
  /** Records changed this turn, by key (`t:` task, `f:` function), each written once with its last state. */
  private readonly pending = new Map<string, () => JournalLine>();
  /** How many of each group's task ids the journal holds. */
  private journaledTaskIds = new Map<string, number>();
  private journal: LineAppender | undefined;
  /** The last write failed (reported once, until one succeeds). */
  private writeFailed = false;
  private lines = 0;
  private receivedBatches = 0;
  /** Tasks whose pending line is a full record (nothing in the journal to update yet). */
  private readonly pendingFull = new Set<string>();
  /** Each worker's details dict's reference in the journal since its last compaction. */
  private detailsRefs = new WeakMap<PyDict, number>();
  private nextDetailsRef = 1;
  /** `details` lines to write ahead of the line being encoded. */
  private newDetailsText = "";
  /** The pending flush: at the end of this turn, or at the end of the write window when one just ran. */
  private flushScheduled: { immediate: NodeJS.Immediate } | { timer: NodeJS.Timeout } | undefined;
  /** When the last flush ran (performance.now()). */
  private lastFlushAt = -Infinity;
  private disposed = false;

  private constructor(
    private readonly journalPath: string,
    private readonly retention: RetentionBounds,
    private readonly writeWindowMs: number,
  ) {}

  /** Loads the journal in `dir` (created if missing); unfinished tasks become failed, lost ones. */
  static open(dir: string, options: ResultStoreOptions = {}): ResultStore {
    const retention = { maxGroups: options.maxGroups ?? 200, maxTasks: options.maxTasks ?? 100_000 };
    const store = new ResultStore(join(dir, JOURNAL), retention, options.writeWindowMs ?? WRITE_WINDOW_MS);
    try {
      // Results, arguments and prints are the user's alone: a 0700 directory, 0600 files.
      ensurePrivateDir(dir);
    } catch (err) {
      if (err instanceof LocalEndpointError) throw err;
      throw new LocalEndpointError("STORE_IO", `cannot create the local endpoint store in ${dir}`, { cause: err });
    }
    store.load();
    return store;
  }

  putFunction(fn: StoredFunction): void {
    this.functions.set(fn.functionId, fn);
    this.write(`f:${fn.functionId}`, () => ({ v: FORMAT_VERSION, fn }));
  }

  /** Adds or extends a group; the journal gets only the task ids it does not hold yet. */
  putGroup(group: StoredTaskGroup): void {
    this.groups.set(group.taskGroupId, group);
    this.write(`g:${group.taskGroupId}`, () => {
      const current = this.groups.get(group.taskGroupId)!;
      const from = this.journaledTaskIds.get(group.taskGroupId) ?? 0;
      this.journaledTaskIds.set(group.taskGroupId, current.taskIds.length);
      return { v: FORMAT_VERSION, group: { taskGroupId: current.taskGroupId, createdAt: current.createdAt, taskIds: current.taskIds.slice(from) } };
    });
    this.prune();
  }

  putTask(task: StoredTask): void {
    const id = task.taskId;
    const journaled = this.tasks.has(id) && !this.pendingFull.has(id);
    this.tasks.set(id, task);
    if (!journaled) this.pendingFull.add(id);
    const current = () => this.tasks.get(id) ?? task;
    this.write(
      `t:${id}`,
      journaled ? () => ({ v: FORMAT_VERSION, update: this.encodeUpdate(current()) }) : () => ({ v: FORMAT_VERSION, task: encodeTask(current()) }),
    );
  }

  /**
   * Records tasks just submitted together (same group, function and arrival, waiting for launch) in one
   * journal line, not one per task; returns their records.
   */
  putReceived(batch: { taskGroupId: string; functionId: string; endpointId: string; createdAt: string; ns: bigint; taskIds: string[] }): StoredTask[] {
    const tasks = batch.taskIds.map((taskId) => receivedTask(taskId, batch));
    for (const task of tasks) this.tasks.set(task.taskId, task);
    const line: ReceivedBatch = { ...batch, ns: batch.ns.toString() };
    this.write(`r:${this.receivedBatches++}`, () => ({ v: FORMAT_VERSION, received: line }));
    return tasks;
  }

  /** Writes everything pending now (writes are otherwise batched: see write()). */
  flush(): void {
    this.cancelFlush();
    if (this.pending.size === 0) return;
    this.lastFlushAt = performance.now();
    // What encoding the lines changes, put back if they cannot be written: they are written again later.
    const batch = [...this.pending];
    const pendingFull = [...this.pendingFull];
    const journaledTaskIds = new Map(this.journaledTaskIds);
    const lines = this.lines;
    let text = "";
    const written: string[] = [];
    for (const [key, line] of batch) {
      const json = JSON.stringify(line());
      text += this.newDetailsText + json + "\n";
      this.newDetailsText = "";
      if (key.startsWith("t:")) written.push(key.slice(2));
    }
    this.lines += batch.length;
    this.pending.clear();
    this.pendingFull.clear();
    try {
      // A journal left torn (a compaction that failed at open) gets its next line apart.
      this.journal ??= new LineAppender(openPrivateAppend(this.journalPath), endsWithNewline(this.journalPath));
      this.journal.append(text);
      this.writeFailed = false;
    } catch (err) {
      if (!this.writeFailed) this.problems.push(`cannot write ${this.journalPath} (tried again every ${RETRY_WRITE_MS / 1000} s): ${(err as Error).message}`);
      this.writeFailed = true;
      for (const [key, line] of batch) this.pending.set(key, line);
      for (const id of pendingFull) this.pendingFull.add(id);
      this.journaledTaskIds = journaledTaskIds;
      this.lines = lines;
      // Details lines of the batch did not reach the journal: each is written again with its next user.
      this.detailsRefs = new WeakMap();
      if (!this.disposed) this.flushScheduled = { timer: setTimeout(() => this.flush(), RETRY_WRITE_MS) };
      return;
    }
    this.packFinished(written);
    if (this.lines > this.compactionThreshold()) this.compact();
  }

  /** Packs those of these tasks that have finished (packing is lossless: the journal need not hold them). */
  private packFinished(taskIds: Iterable<string>): void {
    for (const id of taskIds) {
      const task = this.tasks.get(id);
      if (task !== undefined) this.tasks.pack(task);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.flush();
    this.closeJournal();
  }

  private write(key: string, line: () => JournalLine): void {
    if (this.disposed) return;
    // Re-inserted, so it is written after the records it may depend on (a group after its tasks).
    this.pending.delete(key);
    this.pending.set(key, line);
    if (this.flushScheduled !== undefined) return;
    // A lone change is written at the end of its turn; under a stream of results (one turn per result)
    // the turns of each write window share one write, so a busy store costs a few hundred writes a
    // second, not one per task. Nothing is dropped: dispose() writes what is pending.
    const wait = this.lastFlushAt + this.writeWindowMs - performance.now();
    this.flushScheduled = wait > 0 ? { timer: setTimeout(() => this.flush(), wait) } : { immediate: setImmediate(() => this.flush()) };
  }

  private cancelFlush(): void {
    const scheduled = this.flushScheduled;
    if (scheduled === undefined) return;
    if ("timer" in scheduled) clearTimeout(scheduled.timer);
    else clearImmediate(scheduled.immediate);
    this.flushScheduled = undefined;
  }

  private encodeUpdate(task: StoredTask): TaskUpdate {
    const r = task.result;
    return {
      taskId: task.taskId,
      status: task.status,
      transitions: task.transitions.map(compactTransition),
      result: r && {
        data: r.data,
        error_details: r.error_details,
        task_statuses: r.task_statuses && r.task_statuses.map(compactTransition),
        d: r.details && this.detailsRef(r.details),
      },
      stdout: task.stdout,
      stderr: task.stderr,
      completionT: task.completionT,
    };
  }

  /** The journal's reference to a worker's details, written ahead of the line that first uses it. */
  private detailsRef(details: PyDict): number {
    let ref = this.detailsRefs.get(details);
    if (ref === undefined) {
      this.detailsRefs.set(details, (ref = this.nextDetailsRef++));
      this.newDetailsText += JSON.stringify({ v: FORMAT_VERSION, details: { ref, value: taggedDetails(details) } }) + "\n";
      this.lines++;
    }
    return ref;
  }

  private closeJournal(): void {
    if (this.journal !== undefined) closeSync(this.journal.fd);
    this.journal = undefined;
  }

  /** Rewrites the journal with the live records only, atomically. */
  private compact(): void {
    const lines: string[] = [];
    for (const fn of this.functions.values()) lines.push(JSON.stringify({ v: FORMAT_VERSION, fn }));
    for (const task of this.tasks.values()) lines.push(JSON.stringify({ v: FORMAT_VERSION, task: encodeTask(task) }));
    for (const g of this.groups.values()) {
      lines.push(JSON.stringify({ v: FORMAT_VERSION, group: { taskGroupId: g.taskGroupId, createdAt: g.createdAt, taskIds: g.taskIds } }));
      this.journaledTaskIds.set(g.taskGroupId, g.taskIds.length);
    }
    try {
      writePrivateFileAtomic(this.journalPath, lines.map((line) => line + "\n"));
      this.closeJournal();
      this.lines = lines.length;
      // The rewritten journal holds no details lines: updates from now on write them again.
      this.detailsRefs = new WeakMap();
    } catch (err) {
      rmSync(`${this.journalPath}.tmp`, { force: true }); // half-written: it would hold on to the space
      this.problems.push(`cannot compact ${this.journalPath}: ${(err as Error).message}`);
    }
  }

  private load(): void {
    rmSync(`${this.journalPath}.tmp`, { force: true }); // left by a host that died mid-compaction
    const headers = new Map<string, { createdAt: string; taskIds: string[] }>();
    const detailsByRef = new Map<number, PyDict>();
    let n = 0;
    for (const raw of existsSync(this.journalPath) ? fileLines(this.journalPath) : []) {
      n++;
      if (raw === "") continue;
      try {
        const line = JSON.parse(raw) as Partial<Record<"v" | "fn" | "group" | "task" | "received" | "update" | "details" | "drop", unknown>>;
        if (line.v !== FORMAT_VERSION) throw new Error(`unknown format version ${String(line.v)}`);
        if (line.fn !== undefined) {
          const fn = decodeFunction(line.fn);
          this.functions.set(fn.functionId, fn);
        } else if (line.task !== undefined) {
          const task = decodeTask(line.task);
          this.tasks.set(task.taskId, task);
        } else if (line.update !== undefined) {
          const u = expectObject(line.update, "update");
          const base = this.tasks.get(expectString(u.taskId, "taskId"));
          if (!base) throw new Error(`an update of task ${u.taskId as string}, which the journal does not hold`);
          this.tasks.set(base.taskId, applyUpdate(base, u, detailsByRef));
        } else if (line.details !== undefined) {
          const d = expectObject(line.details, "details");
          if (!Number.isSafeInteger(d.ref)) throw new Error("details ref is not an integer");
          detailsByRef.set(d.ref as number, fromTagged(d.value) as PyDict);
        } else if (line.received !== undefined) {
          const r = decodeReceived(line.received);
          for (const task of r.taskIds.map((id) => receivedTask(id, { ...r, ns: BigInt(r.ns) }))) {
            // A line of the task itself (running, finished) wins.
            if (!this.tasks.has(task.taskId)) this.tasks.set(task.taskId, task);
          }
        } else if (line.group !== undefined) {
          const g = decodeGroup(line.group);
          const header = headers.get(g.taskGroupId);
          if (header) header.taskIds.push(...g.taskIds);
          else headers.set(g.taskGroupId, { createdAt: g.createdAt, taskIds: [...g.taskIds] });
        } else if (typeof line.drop === "string") {
          headers.delete(line.drop);
        } else throw new Error("not a record");
      } catch (err) {
        this.problems.push(`dropped unreadable line ${n} of ${JOURNAL}: ${(err as Error).message}`);
      }
    }
    const unreadable = this.problems.length > 0;
    for (const [taskGroupId, h] of headers) {
      const group = { taskGroupId, createdAt: h.createdAt, taskIds: [...new Set(h.taskIds)] };
      this.groups.set(taskGroupId, group);
      this.journaledTaskIds.set(taskGroupId, group.taskIds.length);
      for (const taskId of group.taskIds) {
        // Listed but never (readably) written: it was submitted, so it counts as interrupted.
        if (!this.tasks.has(taskId)) this.putTask(lostTask(taskId, group));
      }
    }
    // Tasks of dropped (pruned) groups are gone with them.
    for (const task of this.tasks.values()) if (!this.groups.has(task.taskGroupId)) this.tasks.delete(task.taskId);
    for (const task of this.tasks.values()) {
      if (task.status !== "success" && task.status !== "failed") this.putTask(failAsRestarted(task));
    }
    this.prune();
    this.lines = n;
    // Rewritten only when it must be: an unreadable or torn line is dropped for good (and the next line
    // must not be appended to a torn one), a journal far longer than its records is shortened, and a new
    // one is created (empty, private). Otherwise what changed here (tasks failed as interrupted, groups
    // dropped) is appended like any change: rewriting 100k tasks took a second or two of every start.
    if (unreadable || !endsWithNewline(this.journalPath) || this.lines > this.compactionThreshold()) {
      this.pending.clear();
      this.pendingFull.clear();
      this.compact();
    } else this.flush();
    this.packFinished([...this.tasks.keys()]);
  }

  /** Journal lines beyond which it is rewritten with the live records only. */
  private compactionThreshold(): number {
    return COMPACT_RATIO * (this.tasks.size + this.groups.size + this.functions.size) + COMPACT_FLOOR;
  }

  private prune(): void {
    if (this.groups.size <= 1 || (this.groups.size <= this.retention.maxGroups && this.tasks.size <= this.retention.maxTasks)) return;
    const newestFirst = [...this.groups.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    // A group with tasks still queued or running stays: they will finish into it. Looked for from the
    // last task, since tasks run in order: a running group's last one is usually unfinished.
    const running = (group: StoredTaskGroup) => {
      for (let i = group.taskIds.length - 1; i >= 0; i--) {
        const id = group.taskIds[i];
        if (this.tasks.has(id) && !this.tasks.isFinished(id)) return true;
      }
      return false;
    };
    for (const group of beyondRetention(newestFirst, (g) => g.taskIds.length, this.retention, running)) {
      for (const taskId of group.taskIds) {
        this.tasks.delete(taskId);
        this.pending.delete(`t:${taskId}`);
      }
      this.groups.delete(group.taskGroupId);
      this.journaledTaskIds.delete(group.taskGroupId);
      this.pending.delete(`g:${group.taskGroupId}`);
      this.write(`d:${group.taskGroupId}`, () => ({ v: FORMAT_VERSION, drop: group.taskGroupId }));
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

function receivedTask(
  taskId: string,
  b: { taskGroupId: string; functionId: string; endpointId: string; createdAt: string; ns: bigint },
): StoredTask {
  return {
    taskId,
    taskGroupId: b.taskGroupId,
    functionId: b.functionId,
    endpointId: b.endpointId,
    createdAt: b.createdAt,
    status: "waiting-for-launch",
    transitions: [
      { timestamp: b.ns, state: "received", actor: "web-service" },
      { timestamp: b.ns, state: "waiting-for-launch", actor: "interchange" },
    ],
    result: null,
    stdout: "",
    stderr: "",
    completionT: null,
  };
}

function decodeReceived(record: unknown): ReceivedBatch {
  const r = expectObject(record, "received");
  for (const key of ["taskGroupId", "functionId", "endpointId", "createdAt", "ns"] as const) expectString(r[key], key);
  expectArray(r.taskIds, "taskIds").forEach((t) => expectString(t, "taskIds[]"));
  BigInt(r.ns as string);
  return r as unknown as ReceivedBatch;
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
      details: task.result.details && taggedDetails(task.result.details),
      task_statuses: task.result.task_statuses && task.result.task_statuses.map(encodeTransition),
    },
  };
}

/** A worker's details dict is shared by all its results: converted once. */
const taggedByDetails = new WeakMap<PyDict, unknown>();
function taggedDetails(details: PyDict): unknown {
  let tagged = taggedByDetails.get(details);
  if (tagged === undefined) taggedByDetails.set(details, (tagged = toTagged(details)));
  return tagged;
}

function compactTransition(t: TaskTransition): [string, string, string] {
  return [t.timestamp.toString(), t.state, t.actor];
}

function expandTransition(t: unknown): TaskTransition {
  const [timestamp, state, actor] = expectArray(t, "transition");
  return { timestamp: BigInt(expectString(timestamp, "timestamp")), state: expectString(state, "state"), actor: expectString(actor, "actor") };
}

function applyUpdate(base: StoredTask, u: Record<string, unknown>, detailsByRef: ReadonlyMap<number, PyDict>): StoredTask {
  const r = u.result === null ? null : expectObject(u.result, "result");
  const details = r && r.d !== null ? detailsByRef.get(r.d as number) : null;
  if (details === undefined) throw new Error(`details ${String(r?.d)} are not in the journal`);
  return {
    ...base,
    status: expectString(u.status, "status"),
    transitions: expectArray(u.transitions, "transitions").map(expandTransition),
    result: r && {
      task_id: base.taskId,
      data: expectString(r.data, "data"),
      details,
      error_details: (r.error_details ?? null) as ResultData["error_details"],
      task_statuses: r.task_statuses == null ? null : expectArray(r.task_statuses, "task_statuses").map(expandTransition),
    },
    stdout: expectString(u.stdout, "stdout"),
    stderr: expectString(u.stderr, "stderr"),
    completionT: u.completionT == null ? null : expectString(u.completionT, "completionT"),
  };
}

function encodeTransition(t: TaskTransition): unknown {
  return { ...t, timestamp: t.timestamp.toString() };
}

function decodeTask(record: unknown): StoredTask {
  const r = expectObject(record, "task");
  const task = r as unknown as StoredTask;
  for (const key of ["taskId", "taskGroupId", "status", "createdAt"] as const) expectString(task[key], key);
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

function decodeGroup(record: unknown): StoredTaskGroup {
  const r = expectObject(record, "group");
  expectString(r.taskGroupId, "taskGroupId");
  expectString(r.createdAt, "createdAt");
  expectArray(r.taskIds, "taskIds").forEach((t) => expectString(t, "taskIds[]"));
  return r as unknown as StoredTaskGroup;
}

function decodeFunction(record: unknown): StoredFunction {
  const r = expectObject(record, "function");
  expectString(r.functionId, "functionId");
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

/**
 * The durable task history of one workspace folder: a snapshot plus append-only journals in one folder.
 *
 * - Every process (window) appends to a journal of its own (`journal-<host>-<pid>-<random>.jsonl`, opened
 *   O_APPEND), one JSON record per line, written with one write call. Two windows never write the same
 *   file, so their records cannot interleave; a crash mid-write tears at most that writer's last line,
 *   which reading skips, and a write that fails part-way (a full disk) is cut back (LineAppender).
 * - Compaction (one process at a time, under `compact.lock`) folds the snapshot and every journal into a
 *   new snapshot written to a temporary file, fsynced and renamed over `history.json` (atomic), noting how
 *   far each live writer's journal was read; journals of writers that are gone are then deleted. A writer
 *   compacts once its journal is as large as the snapshot (and at least `compactAfterBytes`), so rewriting
 *   the snapshot costs at most as much again as the writing (a large history is not rewritten every 4 MB).
 * - Reading folds the snapshot and the unread tail of every journal: journals merged by time, each in the
 *   order it was written (see mergeJournals). A writer stamps a record no earlier than anything it wrote or
 *   read, so a clock stepped back cannot put a change before what it changes.
 *
 * A hand-written JSON-lines journal rather than an embedded database: the extension is one esbuild bundle
 * and a native addon (better-sqlite3) would need a build per platform and Electron ABI, for a data set
 * that is small, append-mostly and read whole once per window.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Disposable } from "../util/disposable";
import { LineAppender } from "../util/fileLines";
import {
  applyChange,
  applyRetention,
  isGroupFields,
  mergeJournals,
  parseRecord,
  type HistoryChange,
  type HistoryGroup,
  type HistoryRecord,
  type HistoryTask,
  type Retention,
} from "./historyRecords";

export const SNAPSHOT_FILE = "history.json";
const LOCK_FILE = "compact.lock";
/** A snapshot or lock a killed process left half-made. */
const TEMP_FILE = /^(?:history\.json|compact\.lock)\.(\d+)-[0-9a-f]+\.tmp$/;
const JOURNAL = /^journal-(.+)-(\d+)-[0-9a-f]+\.jsonl$/;
/** A lock older than this is taken to belong to a compaction that died. */
const STALE_LOCK_MS = 30_000;

/** Longest text kept per field, so a chatty task cannot blow up the store (Open Result fetches the whole). */
export const FIELD_LIMITS = { call: 500, resultPreview: 1_000, error: 1_000, stdout: 16_000, stderr: 16_000 } as const;

export interface HistoryStoreOptions {
  /** The folder of this workspace folder's history (created on first write). */
  dir: string;
  retention: Retention;
  /** This writer's journal size that triggers a compaction (when the snapshot is smaller); default 4 MB. */
  compactAfterBytes?: number;
  now?: () => number;
}

interface Snapshot {
  v: 1;
  /** Journal file name → bytes of it already folded into `groups`. */
  consumed: Record<string, number>;
  groups: HistoryGroup[];
}

interface ReadState {
  groups: Map<string, HistoryGroup>;
  /** Journal name → offset after its last complete line. */
  ends: Map<string, number>;
  /** The latest time stamp read (-Infinity when none). */
  latest: number;
  /** The size of the snapshot read. */
  snapshotBytes: number;
  problems: string[];
}

export class HistoryStore implements Disposable {
  private groupsById: Map<string, HistoryGroup> | undefined;
  private journal: { name: string; lines: LineAppender } | undefined;
  private seq = 0;
  /** The least time stamp the next record may have: after all this writer wrote or read. */
  private clock = -Infinity;
  /** The size of the snapshot last read or written. */
  private snapshotBytes = 0;
  private disposed = false;
  /** What reading found wrong (a torn line, an unreadable snapshot), for the log. */
  readonly problems: string[] = [];

  constructor(private readonly options: HistoryStoreOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  /** Every group, newest first; read from disk on first use. */
  get groups(): readonly HistoryGroup[] {
    return [...this.loaded().values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  get(id: string): HistoryGroup | undefined {
    return this.loaded().get(id);
  }

  /** Rereads the folder (other windows' changes become visible). */
  reload(): void {
    this.groupsById = undefined;
    this.loaded();
  }

  /**
   * Applies a change here and appends it to this writer's journal (synchronously: it is on disk when this
   * returns; when the write fails, e.g. on a full disk, it throws and the journal is as it was).
   */
  write(change: HistoryChange): void {
    if (this.disposed) return;
    const groups = this.loaded();
    const bounded = clipChange(change);
    applyChange(groups, bounded);
    this.clock = Math.max(this.clock, (this.options.now ?? Date.now)());
    const record = { t: this.clock, s: this.seq++, ...bounded } as HistoryRecord;
    const journal = this.openJournal();
    journal.lines.append(`${JSON.stringify(record)}\n`);
    if (journal.lines.bytes >= Math.max(this.options.compactAfterBytes ?? 4 * 1024 * 1024, this.snapshotBytes)) this.compact();
  }

  /** The outcome of task `i` of group `id` was printed (by this or another window). */
  markPrinted(id: string, i: number): void {
    if (this.get(id)?.tasks[i] !== undefined) this.write({ op: "printed", id, i });
  }

  setRetention(retention: Retention): void {
    this.options.retention = retention;
    if (this.groupsById !== undefined) applyRetention(this.groupsById, retention);
  }

  /**
   * Folds everything into a new snapshot and drops the journals of writers that are gone. Returns false
   * when another process is compacting (it will do the same work).
   */
  compact(): boolean {
    if (this.disposed) return false;
    const dir = this.options.dir;
    fs.mkdirSync(dir, { recursive: true });
    const lock = acquireLock(join(dir, LOCK_FILE));
    if (lock === undefined) return false;
    try {
      const state = this.read();
      // Start a new journal of our own, so the old one is wholly in the snapshot and can go.
      const own = this.journal?.name;
      this.closeJournal();
      const consumed: Record<string, number> = {};
      const deletable: string[] = [];
      for (const [name, end] of state.ends) {
        if (name === own || !writerAlive(name)) deletable.push(name);
        else consumed[name] = end;
      }
      const snapshot: Snapshot = { v: 1, consumed, groups: [...state.groups.values()] };
      this.snapshotBytes = writeAtomically(join(dir, SNAPSHOT_FILE), JSON.stringify(snapshot));
      for (const name of deletable) fs.rmSync(join(dir, name), { force: true });
      for (const name of fs.readdirSync(dir)) {
        const tmp = TEMP_FILE.exec(name);
        if (tmp !== null && !processAlive(Number(tmp[1]))) fs.rmSync(join(dir, name), { force: true });
      }
      this.groupsById = state.groups;
      return true;
    } finally {
      lock();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.closeJournal();
  }

  private loaded(): Map<string, HistoryGroup> {
    if (this.groupsById === undefined) {
      const state = this.read();
      this.problems.push(...state.problems);
      this.groupsById = state.groups;
    }
    return this.groupsById;
  }

  private read(): ReadState {
    const state = readFolder(this.options.dir, this.options.retention);
    // Later than every record read, so that a change made from what was read is applied after it.
    this.clock = Math.max(this.clock, state.latest + 1);
    this.snapshotBytes = state.snapshotBytes;
    return state;
  }

  private openJournal(): { name: string; lines: LineAppender } {
    if (this.journal === undefined) {
      fs.mkdirSync(this.options.dir, { recursive: true });
      const name = `journal-${safeHost()}-${process.pid}-${randomBytes(4).toString("hex")}.jsonl`;
      const fd = fs.openSync(join(this.options.dir, name), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o600);
      this.journal = { name, lines: new LineAppender(fd) };
    }
    return this.journal;
  }

  private closeJournal(): void {
    if (this.journal !== undefined) fs.closeSync(this.journal.lines.fd);
    this.journal = undefined;
  }
}

/** Reads of the folder tried before settling for what was read (each retry follows a compaction meanwhile). */
const READ_ATTEMPTS = 5;

/** The snapshot plus every journal's unread tail, folded in order (mergeJournals), within the retention bounds. */
function readFolder(dir: string, retention: Retention): ReadState {
  // The snapshot's problems are kept over attempts: a damaged snapshot is set aside at the first.
  const snapshotProblems: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const { state, vanished } = readFolderOnce(dir, snapshotProblems);
    // A journal listed but gone when read was folded into a snapshot newer than the one read (another
    // window compacted meanwhile): without a second read this window would start without what it held.
    if (vanished && attempt < READ_ATTEMPTS) continue;
    if (vanished) state.problems.push(`history: ${dir} kept being compacted while it was read; some changes may show only after a reload`);
    state.problems.unshift(...snapshotProblems);
    applyRetention(state.groups, retention);
    return state;
  }
}

function readFolderOnce(dir: string, snapshotProblems: string[]): { state: ReadState; vanished: boolean } {
  const state: ReadState = { groups: new Map(), ends: new Map(), latest: -Infinity, snapshotBytes: 0, problems: [] };
  let vanished = false;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { state, vanished };
    throw err;
  }
  const snapshot = readSnapshot(join(dir, SNAPSHOT_FILE), snapshotProblems);
  state.snapshotBytes = snapshot.bytes;
  for (const g of snapshot.groups) state.groups.set(g.id, g);
  const journals: HistoryRecord[][] = [];
  names
    .filter((n) => JOURNAL.test(n))
    .forEach((name) => {
      const from = snapshot.consumed[name] ?? 0;
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(join(dir, name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        vanished = true;
        return;
      }
      // Only whole lines count: a line still being written (or torn by a crash) has no newline yet.
      const end = bytes.lastIndexOf(0x0a) + 1;
      state.ends.set(name, Math.max(end, from));
      if (end <= from) return;
      const lines = bytes.toString("utf8", from, end).split("\n");
      lines.pop();
      const records: HistoryRecord[] = [];
      journals.push(records);
      for (const line of lines) {
        const r = parseRecord(line);
        if (r === undefined) {
          if (line !== "") state.problems.push(`history: an unreadable record in ${name} was skipped`);
          continue;
        }
        records.push(r);
        state.latest = Math.max(state.latest, r.t);
      }
      if (end < bytes.length) state.problems.push(`history: an unfinished record at the end of ${name} was skipped`);
    });
  for (const r of mergeJournals(journals)) applyChange(state.groups, r);
  return { state, vanished };
}

/** The snapshot, with its size in bytes. */
function readSnapshot(path: string, problems: string[]): Snapshot & { bytes: number } {
  const empty = { v: 1 as const, consumed: {}, groups: [], bytes: 0 };
  let data: Buffer;
  try {
    data = fs.readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return empty;
    throw err;
  }
  try {
    const s = JSON.parse(data.toString("utf8")) as Partial<Snapshot>;
    if (s.v !== 1 || !Array.isArray(s.groups) || typeof s.consumed !== "object" || s.consumed === null) throw new Error("not a history snapshot");
    const groups = s.groups.filter((g): g is HistoryGroup => isGroupFields(g) && Array.isArray((g as HistoryGroup).tasks));
    return { v: 1, consumed: s.consumed, groups, bytes: data.length };
  } catch (err) {
    // Never written in place, so this is damage from outside; keep it aside rather than overwrite it.
    const aside = `${path}.unreadable-${Date.now()}`;
    fs.renameSync(path, aside);
    problems.push(`history: ${path} could not be read (${(err as Error).message}); kept as ${aside}`);
    return empty;
  }
}

/** Returns the size written. */
function writeAtomically(path: string, text: string): number {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    try {
      // All of it (one write may stop short on a full disk), or it throws and the old snapshot stays.
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return Buffer.byteLength(text);
}

/** Takes the compaction lock; returns its release, or undefined when a live process holds it. */
function acquireLock(path: string): (() => void) | undefined {
  // Written aside and linked into place, so the lock never exists without its owner in it.
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, `${safeHost()} ${process.pid}`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.linkSync(tmp, path);
        return () => fs.rmSync(path, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        if (!lockIsStale(path)) return undefined;
        fs.rmSync(path, { force: true });
      }
    }
    return undefined;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function lockIsStale(path: string): boolean {
  try {
    const [host, pid] = fs.readFileSync(path, "utf8").split(" ");
    if (host === safeHost() && !processAlive(Number(pid))) return true;
    return Date.now() - fs.statSync(path).mtimeMs > STALE_LOCK_MS;
  } catch {
    return true; // gone already, or half-written by a process that died
  }
}

/** False only for a journal whose writer is known to be gone (same host, no such process). */
function writerAlive(journalName: string): boolean {
  const m = JOURNAL.exec(journalName);
  if (m === null) return true;
  const [, host, pid] = m;
  if (host !== safeHost()) return true;
  return processAlive(Number(pid));
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function safeHost(): string {
  return hostname().replace(/[^A-Za-z0-9.]/g, "_") || "host";
}

function clipChange(change: HistoryChange): HistoryChange {
  switch (change.op) {
    case "tasks":
      return { ...change, tasks: change.tasks.map((t) => clipFields(t)) };
    case "task":
      return { ...change, patch: clipFields(change.patch) };
    default:
      return change;
  }
}

function clipFields<T extends Partial<HistoryTask>>(task: T): T {
  const out = { ...task };
  for (const key of Object.keys(FIELD_LIMITS) as (keyof typeof FIELD_LIMITS)[]) {
    const value = out[key];
    const limit = FIELD_LIMITS[key];
    if (typeof value === "string" && value.length > limit) {
      (out as Partial<HistoryTask>)[key] = `${value.slice(0, limit - 40)}… (${value.length - limit + 40} more characters)`;
    }
  }
  return out;
}

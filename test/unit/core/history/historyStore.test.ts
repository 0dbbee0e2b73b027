/** The durable history: real files in a temp folder, two stores standing in for two windows, and a writer killed mid-write. */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs, { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, mock, test } from "node:test";
import { historyDir } from "../../../../core/history/historyLocation";
import type { GroupFields } from "../../../../core/history/historyRecords";
import { HistoryStore, SNAPSHOT_FILE } from "../../../../core/history/historyStore";
import { fillDisk } from "../../../support/fullDisk";

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gc-history-"));
  roots.push(dir);
  return dir;
}
const RETENTION = { maxTaskGroups: 50, maxTasks: 100_000 };
function group(id: string, createdAt = 1): GroupFields {
  return { id, functionName: "double", endpoint: { name: "local", id: "local" }, service: "local", createdAt };
}

test("a second store on the folder (another window) reads what the first wrote, and compaction keeps it", () => {
  const dir = tempDir();
  const a = new HistoryStore({ dir, retention: RETENTION });
  a.write({ op: "group", group: { ...group("g1"), configuration: "gpu" } });
  a.write({ op: "tasks", id: "g1", from: 0, tasks: [{ call: "double(7)", state: "queued", submittedAt: 5 }] });
  a.write({ op: "task", id: "g1", i: 0, patch: { taskId: "t1", state: "success", resultPreview: "14", stdout: "hi\n" } });
  const b = new HistoryStore({ dir, retention: RETENTION });
  assert.deepEqual(b.get("g1")?.tasks, [{ call: "double(7)", state: "success", submittedAt: 5, taskId: "t1", resultPreview: "14", stdout: "hi\n" }]);
  assert.equal(b.get("g1")?.configuration, "gpu");

  b.markPrinted("g1", 0);
  a.reload();
  assert.equal(a.get("g1")?.tasks[0].printed, true, "a printed mark from one window is seen by the other");

  assert.equal(a.compact(), true);
  // a is alive, so b's journal stays (its writer is this process too) but is recorded as read.
  const c = new HistoryStore({ dir, retention: RETENTION });
  assert.equal(c.get("g1")?.tasks[0].printed, true);
  assert.equal(c.get("g1")?.tasks[0].resultPreview, "14");
  assert.deepEqual(c.problems, []);
  [a, b, c].forEach((s) => s.dispose());
});

test("compaction leaves one snapshot and drops journals already folded in; marks, forgets and retention apply", () => {
  const dir = tempDir();
  const s = new HistoryStore({ dir, retention: { maxTaskGroups: 2, maxTasks: 100 } });
  for (let i = 1; i <= 3; i++) s.write({ op: "group", group: group(`g${i}`, i) });
  s.write({ op: "mark", id: "g3", unavailable: { reason: "TASK_GROUP_NOT_FOUND", at: 9 } });
  assert.deepEqual(s.groups.map((g) => g.id), ["g3", "g2", "g1"], "retention is applied when reading, not on every write");
  s.compact();
  assert.deepEqual(readdirSync(dir).sort(), [SNAPSHOT_FILE]);
  const t = new HistoryStore({ dir, retention: { maxTaskGroups: 2, maxTasks: 100 } });
  assert.deepEqual(t.groups.map((g) => g.id), ["g3", "g2"]);
  assert.equal(t.get("g3")?.unavailable?.reason, "TASK_GROUP_NOT_FOUND");
  t.write({ op: "forget", id: "g2" });
  t.write({ op: "mark", id: "g3", unavailable: null });
  const u = new HistoryStore({ dir, retention: RETENTION });
  assert.deepEqual(u.groups.map((g) => [g.id, g.unavailable]), [["g3", undefined]]);
  [s, t, u].forEach((x) => x.dispose());
});

test("long captured output and results are shortened, saying by how much", () => {
  const dir = tempDir();
  const s = new HistoryStore({ dir, retention: RETENTION });
  s.write({ op: "group", group: group("g") });
  s.write({ op: "tasks", id: "g", from: 0, tasks: [{ call: "f()", state: "success", submittedAt: 0, stdout: "x".repeat(100_000) }] });
  const stdout = new HistoryStore({ dir, retention: RETENTION }).get("g")?.tasks[0].stdout ?? "";
  assert.ok(stdout.length <= 16_000 && stdout.endsWith("(84040 more characters)"), stdout.slice(-40));
  s.dispose();
});

test("a torn last line, a garbage line and an unreadable snapshot are reported and skipped; nothing else is lost", () => {
  const dir = tempDir();
  const s = new HistoryStore({ dir, retention: RETENTION });
  s.write({ op: "group", group: group("g") });
  s.dispose();
  const journal = readdirSync(dir).find((n) => n.startsWith("journal-")) ?? "";
  appendFileSync(join(dir, journal), 'not json\n{"t":1,"s":9,"op":"forget","id":"g"');
  const r = new HistoryStore({ dir, retention: RETENTION });
  assert.deepEqual(r.groups.map((g) => g.id), ["g"], "the torn forget never happened");
  assert.equal(r.problems.length, 2);

  writeFileSync(join(dir, SNAPSHOT_FILE), "{ half a snap");
  const q = new HistoryStore({ dir, retention: RETENTION });
  assert.deepEqual(q.groups.map((g) => g.id), ["g"], "the journal still has it");
  assert.match(q.problems.join("\n"), /could not be read .* kept as .*unreadable/);
  assert.ok(readdirSync(dir).some((n) => n.includes(".unreadable-")));
});

test("the history folder is per workspace folder and user, not per window", () => {
  assert.equal(historyDir("/g", "/work/proj", "ann"), historyDir("/g", "/work/proj/", "ann"));
  assert.notEqual(historyDir("/g", "/work/proj", "ann"), historyDir("/g", "/work/proj", "bob"));
  assert.notEqual(historyDir("/g", "/work/proj", "ann"), historyDir("/g", "/work/other", "ann"));
});

test("the same folder opened through a symbolic link finds the same history", () => {
  const root = tempDir();
  const real = join(root, "gpfs", "proj");
  mkdirSync(real, { recursive: true });
  symlinkSync(join(root, "gpfs"), join(root, "home"));
  const viaLink = join(root, "home", "proj");
  assert.equal(historyDir("/g", viaLink, "ann"), historyDir("/g", real, "ann"));
  assert.equal(historyDir("/g", join(viaLink, "..", "proj"), "ann"), historyDir("/g", real, "ann"));
  // A folder that is gone still has its history (keyed by its path as written).
  assert.equal(historyDir("/g", join(root, "gone") + "/", "ann"), historyDir("/g", join(root, "gone"), "ann"));
});

// A child process writes tasks (compacting now and then) and reports each write; it is killed at a random
// moment. The reports go to a file with a plain write: the loop never yields, so a pipe's writes could
// queue in the child unseen once the pipe is full (a loaded machine), and the test would wait forever.
const WRITER = `
const { writeSync, openSync } = require("node:fs");
const { HistoryStore } = require(${JSON.stringify(join(__dirname, "../../../../core/history/historyStore.ts"))});
const s = new HistoryStore({ dir: process.argv[1], retention: { maxTaskGroups: 10, maxTasks: 1e9 }, compactAfterBytes: 20000 });
const acks = openSync(process.argv[2], "w");
s.write({ op: "group", group: { id: "g", functionName: "f", endpoint: { name: "local", id: "local" }, service: "local", createdAt: 1 } });
for (let i = 0; ; i++) {
  s.write({ op: "tasks", id: "g", from: i, tasks: [{ call: "f(" + i + ")", state: "success", submittedAt: i, stdout: "p".repeat(i % 300) }] });
  writeSync(acks, i + "\\n");
}`;

test("killing the writer mid-write (and mid-compaction) loses at most the last record, never the store", async () => {
  for (let round = 0; round < 6; round++) {
    const dir = tempDir();
    const ackFile = `${dir}.acks`;
    const child = spawn(process.execPath, ["--import", "tsx", "-e", WRITER, dir, ackFile], { stdio: ["ignore", "inherit", "inherit"] });
    const exited = new Promise((r) => child.once("exit", r));
    const lastAck = () => {
      const lines = (existsSync(ackFile) ? readFileSync(ackFile, "utf8") : "").split("\n");
      return lines.length > 1 ? Number(lines.at(-2)) : -1;
    };
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`the writer stopped by itself (exit ${code})`)));
      const waitForWrites = () => (lastAck() >= 200 + round * 150 ? resolve() : setTimeout(waitForWrites, 5));
      waitForWrites();
    });
    child.kill("SIGKILL");
    await exited;
    // Every write reported before the kill was acknowledged; one more may have landed unreported.
    const acknowledged = lastAck();
    rmSync(ackFile, { force: true });
    const store = new HistoryStore({ dir, retention: { maxTaskGroups: 10, maxTasks: 1e9 } });
    const tasks = store.get("g")?.tasks ?? [];
    assert.ok(tasks.length >= acknowledged + 1, `round ${round}: ${tasks.length} tasks, ${acknowledged + 1} acknowledged`);
    tasks.forEach((t, i) => assert.equal(t.call, `f(${i})`));
    // The next window compacts what the dead writer left.
    assert.equal(store.compact(), true);
    assert.deepEqual(readdirSync(dir), [SNAPSHOT_FILE]);
    assert.equal(new HistoryStore({ dir, retention: { maxTaskGroups: 10, maxTasks: 1e9 } }).get("g")?.tasks.length, tasks.length);
  }
});

test("a clock stepped back (NTP, a resumed VM) changes no order: a window's changes apply as it made them", () => {
  const dir = tempDir();
  let clock = 1_700_000_000_000;
  const a = new HistoryStore({ dir, retention: RETENTION, now: () => clock });
  a.write({ op: "group", group: group("g") });
  a.write({ op: "tasks", id: "g", from: 0, tasks: [{ call: "f(1)", state: "running", submittedAt: clock }] });
  a.write({ op: "group", group: group("gone") });
  clock -= 60_000;
  a.write({ op: "task", id: "g", i: 0, patch: { state: "success", resultPreview: "42" } });
  a.markPrinted("g", 0);
  a.write({ op: "forget", id: "gone" });
  const stamps = readFileSync(join(dir, readdirSync(dir)[0]), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { t: number }).t);
  assert.deepEqual(stamps, [...stamps].sort((x, y) => x - y), "a writer never stamps a record earlier than its last");

  // Another window, whose clock stepped back too, forgets what it read: the forget comes after the group.
  const b = new HistoryStore({ dir, retention: RETENTION, now: () => clock - 1_000 });
  b.write({ op: "forget", id: "g" });
  const c = new HistoryStore({ dir, retention: RETENTION });
  assert.deepEqual(c.groups, []);
  [a, b, c].forEach((s) => s.dispose());
});

test("journals written with a clock stepped back (by an older version) still apply in their own order", () => {
  const dir = tempDir();
  const line = (t: number, s: number, change: object) => JSON.stringify({ t, s, ...change }) + "\n";
  writeFileSync(
    join(dir, "journal-elsewhere-1-00000001.jsonl"),
    line(5_000, 0, { op: "group", group: group("g") }) +
      line(5_001, 1, { op: "tasks", id: "g", from: 0, tasks: [{ call: "f()", state: "running", submittedAt: 1 }] }) +
      line(2_000, 2, { op: "task", id: "g", i: 0, patch: { state: "success" } }) +
      line(2_001, 3, { op: "printed", id: "g", i: 0 }),
  );
  // The stepped-back records count as 5_001: another writer's later record still comes after them.
  writeFileSync(join(dir, "journal-elsewhere-2-00000002.jsonl"), line(5_500, 0, { op: "task", id: "g", i: 0, patch: { state: "failed" } }));
  const s = new HistoryStore({ dir, retention: RETENTION });
  assert.deepEqual(s.get("g")?.tasks, [{ call: "f()", state: "failed", submittedAt: 1, printed: true }]);
  assert.deepEqual(s.problems, []);
});

test("a write on a full disk throws and leaves the journal whole: what is written once there is room reads back", () => {
  const dir = tempDir();
  const s = new HistoryStore({ dir, retention: RETENTION });
  s.write({ op: "group", group: group("g") });
  const calls = (n: number) => Array.from({ length: n }, (_, i) => ({ call: `f(${i})`, state: "running", submittedAt: 1 }));
  s.write({ op: "tasks", id: "g", from: 0, tasks: calls(2) });
  const disk = fillDisk(40);
  try {
    assert.throws(() => s.write({ op: "task", id: "g", i: 0, patch: { state: "success", resultPreview: "'result of f(0)'" } }), /ENOSPC/);
  } finally {
    disk.free();
  }
  s.write({ op: "task", id: "g", i: 1, patch: { state: "success", resultPreview: "'result of f(1)'" } });
  const again = new HistoryStore({ dir, retention: RETENTION });
  assert.deepEqual(again.get("g")?.tasks.map((t) => t.state), ["running", "success"]);
  assert.deepEqual(again.problems, []);
  s.dispose();
});

test("a compaction on a full disk keeps the old snapshot and every journal", () => {
  const dir = tempDir();
  const s = new HistoryStore({ dir, retention: RETENTION });
  s.write({ op: "group", group: group("g1") });
  s.compact();
  s.write({ op: "group", group: group("g2", 2) });
  const disk = fillDisk(100); // room for the lock, not the snapshot
  try {
    assert.throws(() => s.compact(), /ENOSPC/);
  } finally {
    disk.free();
  }
  assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith("journal-")), [SNAPSHOT_FILE], "no half-written snapshot is left");
  const again = new HistoryStore({ dir, retention: RETENTION });
  assert.deepEqual(again.groups.map((g) => g.id), ["g2", "g1"]);
  assert.deepEqual(again.problems, []);
  s.dispose();
});

test("a window opening while another compacts reads the whole history, not what the compaction just folded away", () => {
  const dir = tempDir();
  const a = new HistoryStore({ dir, retention: RETENTION });
  a.write({ op: "group", group: group("g") });
  // Window a compacts (folding its journal into a new snapshot and deleting it) just after window b read
  // the old snapshot, as b is about to read that journal.
  let compacted = false;
  const realRead = fs.readFileSync;
  const read = mock.method(fs, "readFileSync", (path: fs.PathOrFileDescriptor, options?: Parameters<typeof fs.readFileSync>[1]) => {
    if (!compacted && String(path).includes("journal-")) {
      compacted = true;
      assert.equal(a.compact(), true);
    }
    return realRead(path, options);
  });
  const b = new HistoryStore({ dir, retention: RETENTION });
  try {
    assert.deepEqual(b.groups.map((g) => g.id), ["g"]);
  } finally {
    read.mock.restore();
  }
  assert.ok(compacted);
  assert.deepEqual(b.problems, []);
  [a, b].forEach((s) => s.dispose());
});

test("a writer compacts once its journal is as large as the snapshot: a large history is not rewritten again and again", () => {
  const dir = tempDir();
  const s = new HistoryStore({ dir, retention: RETENTION, compactAfterBytes: 1_000 });
  const compactions = mock.method(HistoryStore.prototype, "compact");
  try {
    s.write({ op: "group", group: group("g") });
    for (let i = 0; i < 400; i++) s.write({ op: "tasks", id: "g", from: i, tasks: [{ call: `f(${i})`, state: "success", submittedAt: i, stdout: "p".repeat(100) }] });
  } finally {
    compactions.mock.restore();
  }
  // About 70 KB written: every 1,000 bytes would be some 80 compactions; growing with the snapshot, about 8.
  assert.ok(compactions.mock.callCount() >= 3 && compactions.mock.callCount() <= 12, `${compactions.mock.callCount()} compactions`);
  const snapshot = statSync(join(dir, SNAPSHOT_FILE)).size;
  const journal = readdirSync(dir).filter((n) => n.startsWith("journal-")).reduce((n, name) => n + statSync(join(dir, name)).size, 0);
  assert.ok(journal < snapshot, "what is left to read past the snapshot is at most as large as it");
  assert.equal(new HistoryStore({ dir, retention: RETENTION }).get("g")?.tasks.length, 400);
  s.dispose();
});

import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { PyDict } from "../../../../core/protocol/pyValue";
import { isoTimestamp, RESTARTED_REASON, ResultStore, type StoredTask } from "../../../../core/local/resultStore";
import { fillDisk } from "../../../support/fullDisk";

function storeDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "gc-store-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function task(taskId: string, taskGroupId: string, overrides: Partial<StoredTask> = {}): StoredTask {
  return {
    taskId,
    taskGroupId,
    functionId: "f",
    endpointId: "e",
    createdAt: isoTimestamp(),
    status: "success",
    transitions: [{ timestamp: 1_754_600_000_000_000_001n, state: "received", actor: "web-service" }],
    result: {
      task_id: taskId,
      data: "11\n14",
      details: PyDict.fromObject({ os: "Linux", dill_version: null, python_version: "3.11.2" }),
      error_details: null,
      task_statuses: [{ timestamp: 1_754_600_000_012_345_678n, state: "execution-end", actor: "worker" }],
    },
    stdout: "out ✓\n",
    stderr: "",
    completionT: "1754600000.012345",
    ...overrides,
  };
}

describe("ResultStore", () => {
  it("reloads groups, tasks and functions exactly, including nanosecond timestamps and details", (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    const saved = task("t1", "g1");
    store.putFunction({ functionId: "f", functionName: "double", functionCode: "3\nst\n", meta: { python_version: "3", sdk_version: "4", serde_identifier: "st" }, createdAt: isoTimestamp() });
    store.putGroup({ taskGroupId: "g1", createdAt: isoTimestamp(), taskIds: ["t1"] });
    store.putTask(saved);
    store.dispose();

    const again = ResultStore.open(dir);
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.groups.get("g1")?.taskIds, ["t1"]);
    assert.equal(again.functions.get("f")?.functionCode, "3\nst\n");
    assert.deepEqual(again.tasks.get("t1"), saved);
  });

  it("fails tasks left unfinished by the previous host, once", (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ["run", "wait"] });
    store.putTask(task("run", "g", { status: "running", result: null, completionT: null }));
    store.putTask(task("wait", "g", { status: "waiting-for-launch", result: null, completionT: null }));
    store.dispose();

    for (let round = 0; round < 2; round++) {
      const again = ResultStore.open(dir);
      for (const id of ["run", "wait"]) {
        const t1 = again.tasks.get(id)!;
        assert.equal(t1.status, "failed");
        assert.equal(t1.result?.error_details?.code, "EndpointRestarted");
        assert.equal(t1.result?.error_details?.user_message, `remote error: ${RESTARTED_REASON}`);
        assert.ok(t1.completionT);
        assert.deepEqual(t1.transitions.map((x) => x.state), ["received", "failed"]);
      }
      again.dispose();
    }
  });

  it("opens a readable journal without rewriting it: what opening changes is appended", (t) => {
    const dir = storeDir(t);
    const path = join(dir, "journal.jsonl");
    const store = ResultStore.open(dir);
    for (const [i, g] of ["old", "new"].entries()) {
      store.putTask(task(`${g}-done`, g));
      store.putGroup({ taskGroupId: g, createdAt: `2026-01-0${i + 1}T00:00:00.000000`, taskIds: [`${g}-done`] });
    }
    store.dispose();
    const written = readFileSync(path, "utf8");
    ResultStore.open(dir).dispose();
    assert.equal(readFileSync(path, "utf8"), written, "nothing to change: not a byte written");

    // A task left running, and a bound lowered: the failure and the dropped group are appended.
    const running = ResultStore.open(dir);
    running.putTask(task("new-run", "new", { status: "running", result: null, completionT: null }));
    running.putGroup({ taskGroupId: "new", createdAt: "2026-01-02T00:00:00.000000", taskIds: ["new-done", "new-run"] });
    running.dispose();
    const before = readFileSync(path, "utf8");
    const reopened = ResultStore.open(dir, { maxGroups: 1 });
    assert.equal(reopened.tasks.get("new-run")?.status, "failed");
    reopened.dispose();
    const after = readFileSync(path, "utf8");
    assert.ok(after.startsWith(before) && after.length > before.length, "appended, not rewritten");
    const last = ResultStore.open(dir);
    assert.deepEqual([...last.groups.keys()], ["new"]);
    assert.deepEqual([...last.tasks.keys()].sort(), ["new-done", "new-run"]);
    assert.equal(last.tasks.get("new-run")?.result?.error_details?.code, "EndpointRestarted");
    assert.deepEqual(last.problems, []);
    last.dispose();
  });

  it("drops a torn or foreign line, reports it, and keeps the rest", (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ["ok", "torn"] });
    store.putTask(task("ok", "g"));
    store.dispose();
    // A host killed mid-write leaves half a line; another version's line is not ours to read.
    appendFileSync(join(dir, "journal.jsonl"), JSON.stringify({ v: 99, task: {} }) + "\n" + '{"v":2,"task":{"taskId":"to');
    writeFileSync(join(dir, "journal.jsonl.tmp"), "partial");

    const again = ResultStore.open(dir);
    assert.equal(again.problems.length, 2, again.problems.join("\n"));
    assert.match(again.problems.join("\n"), /unknown format version 99/);
    assert.match(again.problems.join("\n"), /line 4 of journal\.jsonl/);
    assert.equal(again.tasks.get("ok")?.status, "success");
    // Listed in its group but unreadable: it was submitted, so it is reported as interrupted.
    assert.equal(again.tasks.get("torn")?.status, "failed");
    assert.equal(again.tasks.get("torn")?.result?.error_details?.code, "EndpointRestarted");
    assert.ok(!existsSync(join(dir, "journal.jsonl.tmp")));
    again.dispose();
    assert.deepEqual(ResultStore.open(dir).problems, [], "compacted at open: the bad lines are gone");
  });

  it("writes the changes of one turn in one write, the group's new task ids only, and compacts a long journal", async (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    const journal = () => readFileSync(join(dir, "journal.jsonl"), "utf8").trim().split("\n").filter(Boolean);
    const ids = Array.from({ length: 500 }, (_, i) => `t${i}`);
    for (let batch = 0; batch < 5; batch++) {
      const slice = ids.slice(batch * 100, batch * 100 + 100);
      for (const id of slice) store.putTask(task(id, "g", { status: "waiting-for-launch", result: null, completionT: null }));
      store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ids.slice(0, batch * 100 + 100) });
      await new Promise((r) => setTimeout(r, 20)); // past the write window
    }
    const groupLines = journal().filter((l) => l.includes('"group"'));
    assert.equal(groupLines.length, 5);
    assert.ok(groupLines.every((l) => (JSON.parse(l) as { group: { taskIds: string[] } }).group.taskIds.length === 100), "each line adds 100 ids, never the whole list again");
    for (let round = 0; round < 30; round++) for (const id of ids) store.putTask(task(id, "g"));
    store.flush();
    assert.ok(journal().length < 3 * 501 + 10_000, `compacted: ${journal().length} lines`);
    store.dispose();
    const again = ResultStore.open(dir);
    assert.deepEqual(again.groups.get("g")?.taskIds, ids);
    assert.ok([...again.tasks.values()].every((x) => x.status === "success"));
  });

  it("writes a lone change at the end of its turn, and the turns of a busy stretch together, dropping none", async (t) => {
    const dir = storeDir(t);
    // A window far longer than the turns below take, even on a loaded machine.
    const store = ResultStore.open(dir, { writeWindowMs: 300 });
    const journal = () => readFileSync(join(dir, "journal.jsonl"), "utf8").trim().split("\n").filter(Boolean);
    const compacted = journal().length;
    store.putTask(task("first", "g"));
    await new Promise((r) => setImmediate(r));
    assert.equal(journal().length, compacted + 1, "written at the end of its turn");
    for (let turn = 0; turn < 3; turn++) {
      store.putTask(task(`busy${turn}`, "g"));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(journal().length, compacted + 1, "right after a write, the next turns wait for the window");
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(journal().length, compacted + 4, "then go out together");
    store.putTask(task("last", "g"));
    store.putTask(task("last2", "g"));
    store.dispose();
    assert.equal(journal().length, compacted + 6, "dispose writes what is pending");
  });

  it("creates its directory 0700 and its journal 0600", (t) => {
    const dir = join(storeDir(t), "store");
    const store = ResultStore.open(dir);
    store.putTask(task("x", "g"));
    store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ["x"] });
    store.flush();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, "journal.jsonl")).mode & 0o777, 0o600);
    store.dispose();
  });

  it("keeps at most maxGroups groups, deleting the oldest with their tasks", (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir, { maxGroups: 2 });
    for (const [i, g] of ["old", "mid", "new"].entries()) {
      store.putTask(task(`${g}-task`, g));
      store.putGroup({ taskGroupId: g, createdAt: `2026-01-0${i + 1}T00:00:00.000000`, taskIds: [`${g}-task`] });
    }
    store.dispose();
    assert.deepEqual([...store.groups.keys()].sort(), ["mid", "new"]);
    const again = ResultStore.open(dir, { maxGroups: 2 });
    assert.deepEqual([...again.groups.keys()].sort(), ["mid", "new"]);
    assert.deepEqual([...again.tasks.keys()].sort(), ["mid-task", "new-task"]);
  });

  it("keeps at most maxTasks tasks over its groups, deleting whole groups oldest first but never the newest", (t) => {
    const dir = storeDir(t);
    const sizes: [string, number][] = [
      ["old", 2],
      ["mid", 3],
      ["new", 5],
    ];
    const store = ResultStore.open(dir, { maxTasks: 4 });
    for (const [i, [g, n]] of sizes.entries()) {
      const ids = Array.from({ length: n }, (_, k) => `${g}-${k}`);
      for (const id of ids) store.putTask(task(id, g));
      store.putGroup({ taskGroupId: g, createdAt: `2026-01-0${i + 1}T00:00:00.000000`, taskIds: ids });
      // Within bounds until the third group: 2, then 5 > 4 drops the oldest.
      if (g === "mid") assert.deepEqual([...store.groups.keys()].sort(), ["mid"]);
    }
    store.dispose();
    // The newest group alone is beyond the bound, and kept.
    assert.deepEqual([...store.groups.keys()], ["new"]);
    assert.deepEqual([...store.tasks.keys()].sort(), ["new-0", "new-1", "new-2", "new-3", "new-4"]);
    const again = ResultStore.open(dir, { maxTasks: 4 });
    assert.deepEqual([...again.groups.keys()], ["new"]);
    assert.equal(again.tasks.size, 5);
    again.dispose();
  });

  it("never deletes a group with tasks still queued or running; it goes once they have finished", (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir, { maxGroups: 1 });
    store.putTask(task("busy-done", "busy"));
    store.putTask(task("busy-running", "busy", { status: "running", result: null }));
    store.putGroup({ taskGroupId: "busy", createdAt: "2026-01-01T00:00:00.000000", taskIds: ["busy-done", "busy-running"] });
    store.putTask(task("next-task", "next"));
    store.putGroup({ taskGroupId: "next", createdAt: "2026-01-02T00:00:00.000000", taskIds: ["next-task"] });
    assert.deepEqual([...store.groups.keys()].sort(), ["busy", "next"]);
    store.putTask(task("busy-running", "busy"));
    store.putTask(task("last-task", "last"));
    store.putGroup({ taskGroupId: "last", createdAt: "2026-01-03T00:00:00.000000", taskIds: ["last-task"] });
    assert.deepEqual([...store.groups.keys()], ["last"]);
    assert.equal(store.tasks.has("busy-running"), false);
    store.dispose();
  });

  it("writes a task moving through states in one turn once, with its last state", async (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    store.putTask(task("x", "g", { status: "received", result: null }));
    store.putTask(task("x", "g", { status: "running", result: null }));
    store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ["x"] });
    const lines = () => readFileSync(join(dir, "journal.jsonl"), "utf8").split("\n").filter(Boolean).length;
    assert.equal(lines(), 0, "not written before the turn ends");
    await new Promise((r) => setImmediate(r));
    assert.equal(lines(), 2, "the task once, then its group");
    store.putTask(task("x", "g"));
    store.dispose();
    assert.equal(ResultStore.open(dir).tasks.get("x")?.status, "success");
  });
});

/** A new store holding one received batch of `ids` in group "g", journaled. */
function openWithReceived(t: TestContext, ids: string[]) {
  const dir = storeDir(t);
  const store = ResultStore.open(dir);
  const received = store.putReceived({ taskGroupId: "g", functionId: "f", endpointId: "e", createdAt: isoTimestamp(), ns: 1_754_600_000_000_000_123n, taskIds: ids });
  store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ids });
  store.flush();
  return { dir, store, received };
}

describe("ResultStore received batches", () => {
  it("journals a submitted batch in one line and rebuilds its waiting tasks, a task's own line winning", (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    const ids = ["a", "b", "c"];
    const tasks = store.putReceived({ taskGroupId: "g", functionId: "f", endpointId: "e", createdAt: isoTimestamp(), ns: 1_754_600_000_000_000_123n, taskIds: ids });
    assert.deepEqual(tasks.map((x) => [x.taskId, x.status]), ids.map((id) => [id, "waiting-for-launch"]));
    store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ids });
    store.flush();
    assert.equal(readFileSync(join(dir, "journal.jsonl"), "utf8").trim().split("\n").length, 2, "one line for the batch, one for the group");
    store.putTask(task("b", "g"));
    store.dispose();

    const again = ResultStore.open(dir);
    assert.deepEqual(again.problems, []);
    assert.equal(again.tasks.get("b")?.status, "success");
    for (const id of ["a", "c"]) {
      const x = again.tasks.get(id)!;
      assert.equal(x.status, "failed", "left waiting by the previous host: lost");
      assert.equal(x.transitions[0].timestamp, 1_754_600_000_000_000_123n);
      assert.equal(x.functionId, "f");
    }
  });

  it("journals a received task's later states as short update lines, details once, and rebuilds them exactly", (t) => {
    const ids = ["a", "b", "c"];
    const { dir, store, received } = openWithReceived(t, ids);
    const details = PyDict.fromObject({ os: "Linux", dill_version: null, python_version: "3.11.2" });
    const finished = received.map((r, i) => {
      const done = task(r.taskId, "g");
      return {
        ...r,
        ...done,
        createdAt: r.createdAt,
        transitions: [...r.transitions, { timestamp: 1_754_600_000_000_000_200n + BigInt(i), state: "success", actor: "endpoint" }],
        result: { ...done.result!, details, error_details: i === 2 ? { code: "RemoteExecutionError", user_message: "boom" } : null },
      };
    });
    store.putTask({ ...received[0], status: "running" }); // running, then finished in the same write
    finished.forEach((x) => store.putTask(x));
    store.flush();
    const lines = readFileSync(join(dir, "journal.jsonl"), "utf8").trim().split("\n").slice(2);
    assert.equal(lines.filter((l) => l.includes('"details":{"ref"')).length, 1, "the shared details dict is written once");
    const updates = lines.filter((l) => l.startsWith('{"v":2,"update"'));
    assert.equal(updates.length, 3);
    assert.ok(updates.every((l) => !l.includes("Linux") && !l.includes('"functionId"')), "updates hold neither the details nor the fixed fields");
    store.dispose();

    const again = ResultStore.open(dir);
    assert.deepEqual(again.problems, []);
    for (const x of finished) assert.deepEqual(again.tasks.get(x.taskId), x);
  });

  it("keeps finished tasks packed once journaled, reads them back exactly, and never packs one still running", (t) => {
    const ids = ["a", "b", "c"];
    const { dir, store, received } = openWithReceived(t, ids);
    const details = PyDict.fromObject({ os: "Linux", dill_version: null, python_version: "3.11.2" });
    const finished = received.slice(0, 2).map((r, i) => {
      const done = task(r.taskId, "g", { stdout: `print ${i}\n` });
      return { ...r, ...done, createdAt: r.createdAt, transitions: [...r.transitions, ...done.transitions], result: { ...done.result!, details } };
    });
    const running: StoredTask = { ...received[2], status: "running" };
    finished.forEach((x) => store.putTask(x));
    store.putTask(running);
    assert.equal(store.tasks.packedCount, 0, "not before the journal holds them");
    store.flush();
    assert.equal(store.tasks.packedCount, 2);
    for (const x of finished) {
      assert.deepEqual(store.tasks.get(x.taskId), x);
      assert.equal(store.tasks.get(x.taskId)!.result!.details, details, "the worker's details stay shared");
      const { taskId, taskGroupId, functionId, endpointId, createdAt, status, completionT } = store.tasks.header(x.taskId)!;
      assert.deepEqual(
        { taskId, taskGroupId, functionId, endpointId, createdAt, status, completionT },
        { taskId: x.taskId, taskGroupId: "g", functionId: "f", endpointId: "e", createdAt: x.createdAt, status: "success", completionT: x.completionT },
      );
    }
    assert.equal(store.tasks.get("c"), running, "a running task stays as it is");
    // A packed task set again is held as set until it is written.
    const redone = { ...finished[0], stdout: "again\n" };
    store.putTask(redone);
    assert.equal(store.tasks.get("a"), redone);
    store.dispose();

    const again = ResultStore.open(dir);
    assert.deepEqual(again.problems, []);
    assert.equal(again.tasks.packedCount, 3, "every finished task after a reopen (the running one is now failed, lost)");
    assert.deepEqual(again.tasks.get("a"), redone);
    assert.deepEqual(again.tasks.get("b"), finished[1]);
    assert.equal(again.tasks.get("c")?.status, "failed");
    assert.deepEqual([...again.tasks.values()].map((x) => x.taskId).sort(), ids);
  });

  it("drops, and reports, an update whose task the journal does not hold", (t) => {
    const dir = storeDir(t);
    writeFileSync(
      join(dir, "journal.jsonl"),
      JSON.stringify({ v: 2, update: { taskId: "ghost", status: "success", transitions: [], result: null, stdout: "", stderr: "", completionT: null } }) + "\n",
    );
    const store = ResultStore.open(dir);
    assert.match(store.problems.join("\n"), /an update of task ghost, which the journal does not hold/);
    assert.equal(store.tasks.has("ghost"), false);
    store.dispose();
  });
});

describe("ResultStore on a full disk", () => {
  it("loses nothing: a failed write is cut back and written again, once there is room", (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    const details = PyDict.fromObject({ os: "Linux" });
    const createdAt = isoTimestamp();
    const running = { createdAt, status: "running", result: null, completionT: null };
    const done = (id: string) => task(id, "g", { createdAt, result: { task_id: id, data: `00\nresult of ${id}`, details, error_details: null, task_statuses: null } });
    const [a, b] = [done("a"), done("b")];
    store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ["a"] });
    store.putTask(task("a", "g", running));
    store.flush();

    const disk = fillDisk(60);
    // A batch of every kind: more task ids of a group, a new task, an update with the worker's details.
    store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ["a", "b"] });
    store.putTask(task("b", "g", running));
    store.putTask(a);
    store.flush();
    store.putTask(b);
    store.flush();
    assert.equal(store.problems.length, 1, "reported once");
    assert.match(store.problems[0], /cannot write .*journal\.jsonl .*ENOSPC/);
    disk.free();
    t.mock.timers.tick(1_000); // tried again by itself
    assert.match(readFileSync(join(dir, "journal.jsonl"), "utf8"), /result of b/);
    store.dispose();

    const again = ResultStore.open(dir);
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.groups.get("g")?.taskIds, ["a", "b"]);
    assert.deepEqual(again.tasks.get("a"), a);
    assert.deepEqual(again.tasks.get("b"), b);
    again.dispose();
  });
});

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { PyDict } from "../../../../core/protocol/pyValue";
import { isoTimestamp, RESTARTED_REASON, ResultStore, type StoredTask } from "../../../../core/local/resultStore";

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

  it("drops a torn or foreign file, reports it, and keeps the rest", (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    store.putGroup({ taskGroupId: "g", createdAt: isoTimestamp(), taskIds: ["ok", "torn"] });
    store.putTask(task("ok", "g"));
    store.putTask(task("torn", "g"));
    store.dispose();
    writeFileSync(join(dir, "tasks", "torn.json"), '{"version":1,"record":{"taskId":"to');
    writeFileSync(join(dir, "tasks", "leftover.json.tmp"), "partial");
    writeFileSync(join(dir, "groups", "other.json"), JSON.stringify({ version: 99, record: {} }));

    const again = ResultStore.open(dir);
    assert.equal(again.problems.length, 2);
    assert.match(again.problems.join("\n"), /torn\.json/);
    assert.match(again.problems.join("\n"), /other\.json: unknown format version 99/);
    assert.equal(again.tasks.get("ok")?.status, "success");
    // Listed in its group but unreadable: it was submitted, so it is reported as interrupted.
    assert.equal(again.tasks.get("torn")?.status, "failed");
    assert.equal(again.tasks.get("torn")?.result?.error_details?.code, "EndpointRestarted");
    assert.ok(!existsSync(join(dir, "tasks", "leftover.json.tmp")));
    assert.ok(!existsSync(join(dir, "groups", "other.json")));
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
    assert.deepEqual(readdirSync(join(dir, "tasks")).sort(), ["mid-task.json", "new-task.json"]);
    assert.deepEqual(readdirSync(join(dir, "groups")).sort(), ["mid.json", "new.json"]);
  });

  it("writes a task moving through states in one turn once, with its last state", async (t) => {
    const dir = storeDir(t);
    const store = ResultStore.open(dir);
    store.putTask(task("x", "g", { status: "received", result: null }));
    store.putTask(task("x", "g", { status: "running", result: null }));
    assert.ok(!existsSync(join(dir, "tasks", "x.json")), "not written before the turn ends");
    await new Promise((r) => setImmediate(r));
    store.putTask(task("x", "g"));
    store.dispose();
    assert.equal(ResultStore.open(dir).tasks.get("x")?.status, "success");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PackedTask } from "../../../../core/local/packedTask";
import type { FinishedRecord } from "../../../../core/local/taskRecord";
import { PyDict } from "../../../../core/protocol/pyValue";

function finished(overrides: Partial<FinishedRecord> = {}): FinishedRecord {
  const t0 = 1_754_600_000_000_000_123n;
  return {
    taskId: "8a3c2b1e-0000-4000-8000-000000000001",
    taskGroupId: "g",
    functionId: "f",
    endpointId: "e",
    createdAt: "2026-12-07T17:00:00.000000",
    status: "success",
    transitions: [
      { timestamp: t0, state: "received", actor: "web-service" },
      { timestamp: t0, state: "waiting-for-launch", actor: "interchange" },
      { timestamp: t0 + 1_000n, state: "running", actor: "worker" },
      { timestamp: t0 + 2_000n, state: "execution-start", actor: "worker" },
      { timestamp: t0 + 9_000n, state: "execution-end", actor: "worker" },
      { timestamp: t0 + 9_500n, state: "success", actor: "endpoint" },
    ],
    result: {
      task_id: "8a3c2b1e-0000-4000-8000-000000000001",
      data: "01\n14\n",
      details: PyDict.fromObject({ os: "Linux", python_version: "3.11.2" }),
      error_details: null,
      task_statuses: [
        { timestamp: t0 + 2_000n, state: "execution-start", actor: "worker" },
        { timestamp: t0 + 9_000n, state: "execution-end", actor: "worker" },
      ],
    },
    stdout: "out ✓ \"quoted\" \\ and a\nnewline",
    stderr: "",
    completionT: "1754600000.000010",
    ...overrides,
  };
}

describe("PackedTask", () => {
  it("unpacks exactly what it packed, its details shared, and is far smaller than its JSON", () => {
    const task = finished();
    const packed = PackedTask.pack(task);
    assert.deepEqual(packed.unpack(), task);
    assert.equal(packed.unpack().result.details, task.result.details);
    assert.notEqual(packed.unpack(), packed.unpack(), "a fresh object each time: a reader cannot change the record");
    const json = JSON.stringify(task, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    assert.ok(packed.body.length * 3 < json.length, `${packed.body.length} characters against ${json.length}: ${packed.body}`);
  });

  it("keeps unusual transitions by name, offsets of any size and sign, errors, and no task_statuses", () => {
    const t0 = 1_754_600_000_000_000_000n;
    const task = finished({
      status: "failed",
      transitions: [
        { timestamp: t0, state: "received", actor: "web-service" },
        { timestamp: t0 - 5n, state: "custom-state", actor: "some actor" },
        { timestamp: t0 + 10n ** 17n, state: "failed", actor: "endpoint" },
      ],
      result: {
        task_id: "8a3c2b1e-0000-4000-8000-000000000001",
        data: "ZeroDivisionError: division by zero",
        details: null,
        error_details: { code: "RemoteExecutionError", user_message: "remote error: boom" },
        task_statuses: null,
      },
      stdout: "",
      completionT: null,
    });
    assert.deepEqual(PackedTask.pack(task).unpack(), task);
  });

  it("packs a record without transitions", () => {
    const task = finished({ transitions: [] });
    assert.deepEqual(PackedTask.pack(task).unpack(), task);
    const bare = finished({ transitions: [], result: { ...finished().result, task_statuses: null } });
    assert.deepEqual(PackedTask.pack(bare).unpack(), bare);
  });
});

import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { describe, it } from "node:test";
import { PyDict } from "../../../../../../core/protocol/pyValue";
import type { ResultEvent } from "../../../../../../core/service/computeService";
import { FrameWriter } from "../../../../../../core/service/local/daemon/frameWriter";
import { decodeResultEvent, type WireDetails, type WireWatchBatch } from "../../../../../../core/service/local/daemon/wire";

function fakeSocket() {
  const writes: string[] = [];
  return { socket: { destroyed: false, write: (text: string) => writes.push(text) } as unknown as Socket, writes };
}

const details = PyDict.fromObject({ os: "Linux", python_version: "3.11.2", dill_version: null });

function result(taskId: string): ResultEvent {
  return {
    result: { task_id: taskId, data: "11\n14", details, error_details: null, task_statuses: [{ timestamp: 1_754_600_000_000_000_001n, state: "execution-start", actor: "worker" }] },
    completionT: "1754600000.000001",
    highAssurance: false,
    stdout: "printed ✓\n",
    stderr: "",
  };
}

describe("FrameWriter", () => {
  it("writes a turn's frames in one write, a watch's events in one frame, details once, and drops a running superseded by its result", async () => {
    const { socket, writes } = fakeSocket();
    const w = new FrameWriter(socket);
    w.send({ id: 1, result: null });
    w.event(7, { event: "taskState", data: { taskId: "a", state: "running" } });
    w.event(7, { event: "taskState", data: { taskId: "b", state: "running" } });
    w.result(7, result("a"));
    w.result(7, result("c"));
    assert.equal(writes.length, 0, "nothing before the turn ends");
    await new Promise((r) => setImmediate(r));
    assert.equal(writes.length, 1);
    const frames = writes[0].trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    // The details first (before any result names them), the reply, then the watch's events as one frame.
    assert.deepEqual(frames.map((f) => Object.keys(f).sort().join(",")), ["details,value", "id,result", "events,watch"]);
    const batch = frames[2] as unknown as WireWatchBatch;
    assert.deepEqual(
      batch.events.map((e) => (e.event === "taskState" ? `running ${e.data.taskId}` : e.event === "result" ? `result ${e.data.t}` : e.event)),
      ["running b", "result a", "result c"],
      "a's running is dropped: its result goes in the same write",
    );
    const ref = (frames[0] as unknown as WireDetails).details;
    const decoded = batch.events[1].event === "result" ? decodeResultEvent(batch.events[1].data, (r) => (r === ref ? details : undefined)) : undefined;
    assert.deepEqual(decoded, result("a"));

    w.result(7, result("d"));
    await new Promise((r) => setImmediate(r));
    assert.ok(!writes[1].includes('"details"'), "details go once per connection");
  });
});

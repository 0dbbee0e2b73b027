/**
 * The emulator's fault injection, through its HTTP control API and programmatically: each fault is
 * observed from the outside as a client would see it (HTTP answers, AMQP connections and messages).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type ChannelModel, type ConsumeMessage } from "amqplib";
import { ProtocolError, unpackMessage } from "../../../core/protocol";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { api, control, JSON_RESULTS, jsonPayload, registerFunction, strayProcesses, waitForTask } from "./helpers";

let em: Emulator;
let double: string;

before(async () => {
  em = await startEmulator({ rateLimit: null, endpoints: [{ workers: 1 }] });
  double = await registerFunction(em, "double", "def double(x):\n    return x * 2\n");
});

after(async () => {
  const dir = em.broker.dir;
  await em.stop();
  assert.deepEqual(strayProcesses([dir]), []);
});

async function submit(args: number[], taskGroupId?: string): Promise<{ group: string; ids: string[] }> {
  const r = await api(em, "POST", `/v3/endpoints/${em.endpoints[0]}/submit`, {
    body: {
      create_queue: true,
      tasks: { [double]: args.map((a) => jsonPayload([a])) },
      result_serializers: JSON_RESULTS,
      ...(taskGroupId ? { task_group_id: taskGroupId } : {}),
    },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { group: r.body.task_group_id, ids: r.body.tasks[double] };
}

/** A consumer on a task group's queue, as the SDK's watcher makes one. */
class GroupConsumer {
  readonly messages: ConsumeMessage[] = [];
  closedWith: Error | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly conn: ChannelModel) {
    conn.on("error", () => {});
    conn.on("close", (err?: Error) => (this.closedWith = err ?? new Error("closed")));
  }

  static async open(group: string): Promise<GroupConsumer> {
    const { status, body } = await api(em, "GET", "/v2/get_amqp_result_connection_url");
    assert.equal(status, 200, JSON.stringify(body));
    const c = new GroupConsumer(await connect(body.connection_url));
    const ch = await c.conn.createChannel();
    await ch.consume(body.queue_prefix + group, (msg) => {
      if (!msg) return;
      ch.ack(msg);
      c.messages.push(msg);
      c.waiters.splice(0).forEach((w) => w());
    });
    return c;
  }

  async waitFor(count: number): Promise<ConsumeMessage[]> {
    while (this.messages.length < count) await new Promise<void>((r) => this.waiters.push(r));
    return this.messages;
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => {});
  }
}

function resultOf(msg: ConsumeMessage): { task_id: string; data: string } {
  const m = unpackMessage(msg.content);
  assert.equal(m.message_type, "result");
  return m.data as { task_id: string; data: string };
}

describe("control API", () => {
  it("refuses requests without the control secret", async () => {
    const r = await api(em, "POST", "/_emulator/faults/fail", { body: { status: 500 }, token: null });
    assert.equal(r.status, 403);
    const wrong = await api(em, "POST", "/_emulator/faults/fail", { body: { status: 500 }, token: null, headers: { "x-emulator-secret": "x" } });
    assert.equal(wrong.status, 403);
  });

  it("rejects a nonsensical fault with 400", async () => {
    const r = await control(em, "POST", "/faults/fail", { count: 1, status: 200 });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, "REQUEST_MALFORMED");
  });
});

describe("HTTP faults", () => {
  it("fails exactly the next N matching requests with the status, code and Retry-After asked for", async () => {
    assert.equal((await control(em, "POST", "/faults/fail", { count: 2, status: 503, route: "/status", retry_after: 1 })).status, 200);
    const path = `/v2/endpoints/${em.endpoints[0]}/status`;
    assert.equal((await api(em, "GET", `/v2/endpoints/${em.endpoints[0]}`)).status, 200, "other routes are not affected");
    for (let i = 0; i < 2; i++) {
      const r = await api(em, "GET", path);
      assert.equal(r.status, 503);
      assert.equal(r.headers.get("retry-after"), "1");
      assert.equal(r.body.http_status_code, 503);
      assert.equal(r.body.status, "Failed");
    }
    assert.equal((await api(em, "GET", path)).status, 200);
  });

  it("uses the historical code of the status unless one is given, and can match the method", async () => {
    em.control.failNext({ count: 1, status: 500, method: "POST" });
    em.control.failNext({ count: 1, status: 404, code: "TASK_NOT_FOUND", route: "/v2/tasks/" });
    assert.equal((await api(em, "GET", "/v2/version")).status, 200);
    const r = await api(em, "POST", "/v2/batch_status", { body: { task_ids: [] } });
    assert.equal(r.body.code, "INTERNAL_ERROR");
    const t = await api(em, "GET", "/v2/tasks/00000000-0000-4000-8000-000000000000");
    assert.deepEqual([t.status, t.body.code], [404, "TASK_NOT_FOUND"]);
  });

  it("delays matching requests until the latency is removed", async () => {
    await control(em, "POST", "/faults/latency", { ms: 400, route: "/v2/version" });
    let t = Date.now();
    await api(em, "GET", "/v2/version");
    assert.ok(Date.now() - t >= 390, "the injected latency is applied");
    await control(em, "POST", "/faults/latency", { ms: 0, route: "/v2/version" });
    await control(em, "DELETE", "/faults");
    t = Date.now();
    await api(em, "GET", "/v2/version");
    assert.ok(Date.now() - t < 390, "the latency is gone");
  });
});

describe("AMQP faults", () => {
  it("closes every connection; results published afterwards still reach a new consumer", async () => {
    const first = await submit([1]);
    const consumer = await GroupConsumer.open(first.group);
    await consumer.waitFor(1);
    assert.equal((await control(em, "POST", "/amqp/close_connections", { reason: "fault test" })).status, 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.match(String(consumer.closedWith?.message), /CONNECTION_FORCED - fault test/);
    const second = await submit([2], first.group);
    const again = await GroupConsumer.open(first.group);
    try {
      const [msg] = await again.waitFor(1);
      assert.deepEqual(resultOf(msg), { ...resultOf(msg), task_id: second.ids[0], data: "11\n4" });
    } finally {
      await again.close();
    }
  });

  it("restarts the broker: consumers are dropped, queued results survive, delivery resumes", async () => {
    const before = await GroupConsumer.open((await submit([2])).group);
    await before.waitFor(1);
    const pending = await submit([3]);
    await waitForTask(em, pending.ids[0]);
    await em.flushResults();
    assert.equal((await control(em, "POST", "/amqp/restart")).status, 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.match(String(before.closedWith?.message), /CONNECTION_FORCED|shutdown/i);
    const later = await submit([4], pending.group);
    const after = await GroupConsumer.open(pending.group);
    try {
      const msgs = await after.waitFor(2);
      assert.deepEqual(
        msgs.map((m) => resultOf(m).task_id),
        [pending.ids[0], later.ids[0]],
        "the durable message published before the restart, then the new one",
      );
    } finally {
      await after.close();
    }
  });

  it("publishes a malformed message and a duplicate Result on request", async () => {
    const { group, ids } = await submit([6]);
    const consumer = await GroupConsumer.open(group);
    try {
      await consumer.waitFor(1);
      assert.equal((await control(em, "POST", "/amqp/publish", { kind: "malformed", task_group_id: group })).status, 200);
      assert.equal((await control(em, "POST", "/amqp/publish", { kind: "duplicate", task_id: ids[0] })).status, 200);
      const [first, malformed, duplicate] = await consumer.waitFor(3);
      assert.throws(() => unpackMessage(malformed.content), (e: unknown) => e instanceof ProtocolError && e.code === "INVALID_MESSAGE");
      assert.deepEqual(duplicate.content, first.content);
      assert.equal(resultOf(duplicate).task_id, ids[0]);
    } finally {
      await consumer.close();
    }
    const bad = await control(em, "POST", "/amqp/publish", { kind: "nonsense", task_group_id: group });
    assert.equal(bad.status, 422);
  });
});

describe("endpoint faults", () => {
  it("holds tasks in waiting-for-ep while the endpoint is offline and runs them when it is back", async () => {
    const ep = em.endpoints[0];
    assert.equal((await control(em, "POST", `/endpoints/${ep}/offline`)).status, 200);
    assert.equal((await api(em, "GET", `/v2/endpoints/${ep}/status`)).body.status, "offline");
    const { ids } = await submit([7, 8]);
    await new Promise((r) => setTimeout(r, 300));
    for (const id of ids) assert.equal((await api(em, "GET", `/v2/tasks/${id}`)).body.status, "waiting-for-ep");
    assert.equal((await api(em, "GET", `/v2/endpoints/${ep}/status`)).body.details.pending_tasks, 2);
    await control(em, "POST", `/endpoints/${ep}/online`);
    const done = await Promise.all(ids.map((id) => waitForTask(em, id)));
    assert.deepEqual(done.map((t) => t.result), ["11\n14", "11\n16"]);
    assert.equal(typeof done[0].details.task_transitions["waiting-for-ep"], "number");
  });

  it("in high-assurance mode announces results with the header and no data; REST has the result", async () => {
    const ep = em.endpoints[0];
    await control(em, "POST", `/endpoints/${ep}/high_assurance`, { enabled: true });
    try {
      assert.equal((await api(em, "GET", `/v2/endpoints/${ep}`)).body.high_assurance, true);
      const { group, ids } = await submit([9]);
      const consumer = await GroupConsumer.open(group);
      try {
        const [msg] = await consumer.waitFor(1);
        assert.equal(msg.properties.headers?.high_assurance, true);
        assert.deepEqual(resultOf(msg), { ...resultOf(msg), task_id: ids[0], data: "" });
      } finally {
        await consumer.close();
      }
      assert.equal((await waitForTask(em, ids[0])).result, "11\n18");
    } finally {
      em.control.setHighAssurance(ep, false);
    }
  });
});

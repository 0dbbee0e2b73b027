/**
 * Every Compute API route of the emulator through real HTTP: response shapes, validation, error bodies,
 * ownership rules, execution on real Python workers and Result envelopes on the real RabbitMQ.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { connect } from "amqplib";
import { unpackMessage } from "../../../core/protocol";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { BrokerError } from "../../support/rabbitmq";
import { api, JSON_RESULTS, jsonPayload, registerFunction, registration, strayProcesses, waitForTask } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING = "00000000-0000-4000-8000-000000000000";

let em: Emulator;
let double: string;
let other: { token: string; userId: string };

function assertErrorBody(body: Record<string, unknown>, status: number, code: string): void {
  assert.equal(body.status, "Failed");
  assert.equal(body.code, code);
  assert.equal(body.http_status_code, status);
  assert.ok(Array.isArray(body.error_args));
  assert.equal(typeof body.detail, "string");
  assert.equal(body.reason, body.detail);
}

async function submit(body: Record<string, unknown>, endpoint = em.endpoints[0], token?: string) {
  return api(em, "POST", `/v3/endpoints/${endpoint}/submit`, { body, token });
}

before(async () => {
  em = await startEmulator({ rateLimit: null, endpoints: [{ workers: 2 }, { workers: 1, allowedFunctions: [] }, { online: false }] });
  double = await registerFunction(em, "double", "def double(x):\n    print('doubling', x)\n    return x * 2\n");
  const second = em.control.addUser("second@example.org");
  other = { token: second.token, userId: second.user.id };
});

after(async () => {
  const dir = em.broker.dir;
  await em.stop();
  await em.stop(); // idempotent
  assert.deepEqual(strayProcesses([dir]), [], "no broker, port mapper or worker process is left");
  assert.equal(existsSync(dir), false, "the broker's folder is removed");
  await assert.rejects(em.broker.changePassword("u", "p"), (e: unknown) => e instanceof BrokerError && e.code === "BROKER_STOPPED");
});

describe("start-up", () => {
  it("reports a missing Python interpreter at start, with a typed error", async () => {
    await assert.rejects(
      startEmulator({ broker: em.broker, python: "/nonexistent/python3" }),
      (err: unknown) => (err as { code?: string }).code === "PYTHON_NOT_FOUND",
    );
  });
});

describe("GET /v2/version", () => {
  it("is a bare JSON string without service=all", async () => {
    const r = await api(em, "GET", "/v2/version", { token: null });
    assert.equal(r.status, 200);
    assert.equal(typeof r.body, "string");
  });

  it("has min_sdk_version and min_ep_version with service=all", async () => {
    const r = await api(em, "GET", "/v2/version?service=all");
    assert.equal(r.status, 200);
    for (const key of ["api", "min_sdk_version", "min_ep_version", "git_sha", "container_service"]) assert.equal(typeof r.body[key], "string");
  });

  it("rejects an unknown service with a 422 listing the problem", async () => {
    const r = await api(em, "GET", "/v2/version?service=nope");
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.detail[0].loc, ["query", "service"]);
  });
});

describe("authentication", () => {
  it("answers 401 USER_UNAUTHENTICATED without a token", async () => {
    const r = await api(em, "GET", "/v2/endpoints", { token: null });
    assert.equal(r.status, 401);
    assertErrorBody(r.body, 401, "USER_UNAUTHENTICATED");
    assert.equal(r.headers.get("www-authenticate"), "Bearer");
  });

  it("answers 401 INVALID_AUTH_TOKEN for an unknown token or a non-Bearer header", async () => {
    const r = await api(em, "GET", "/v2/endpoints", { token: "nope" });
    assertErrorBody(r.body, 401, "INVALID_AUTH_TOKEN");
    const basic = await api(em, "GET", "/v2/endpoints", { token: null, headers: { authorization: "Basic eDp5" } });
    assertErrorBody(basic.body, 401, "INVALID_AUTH_TOKEN");
  });

  it("answers 404 with FastAPI's body for unknown routes and 405 for a wrong method", async () => {
    const r = await api(em, "GET", "/v2/nothing-here");
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { detail: "Not Found" });
    const m = await api(em, "PUT", "/v2/batch_status");
    assert.equal(m.status, 405);
    assert.equal(m.headers.get("allow"), "POST");
  });
});

describe("functions", () => {
  it("registers, returns and deletes a function", async () => {
    const body: Record<string, unknown> = { ...registration("f", "def f():\n    return 1\n"), description: "doc" };
    const reg = await api(em, "POST", "/v3/functions", { body });
    assert.equal(reg.status, 200);
    assert.match(reg.body.function_uuid, UUID);
    const id = reg.body.function_uuid;
    const got = await api(em, "GET", `/v2/functions/${id}`);
    assert.deepEqual(got.body, {
      function_uuid: id,
      function_name: "f",
      function_code: body.function_code as string,
      description: "doc",
      metadata: { python_version: "3.11.2", sdk_version: "4.15.0" },
    });
    assert.deepEqual((await api(em, "DELETE", `/v2/functions/${id}`)).body, { result: 302 });
    assertErrorBody((await api(em, "GET", `/v2/functions/${id}`)).body, 404, "FUNCTION_NOT_FOUND");
  });

  it("lists every missing or mistyped field in one 422", async () => {
    const r = await api(em, "POST", "/v3/functions", { body: { function_name: 3, meta: { sdk_version: "x" } } });
    assert.equal(r.status, 422);
    assert.equal(r.body.status, "Failed");
    assert.equal(r.body.http_status_code, 422);
    const locs = r.body.detail.map((d: { loc: string[] }) => d.loc.join("."));
    assert.deepEqual(locs.sort(), ["body.function_code", "body.function_name", "body.meta.python_version", "body.meta.serde_identifier"]);
    assert.deepEqual(r.body.reason, r.body.detail);
    for (const d of r.body.detail) assert.equal(typeof d.type, "string");
  });

  it("answers 422 for a body that is not JSON", async () => {
    const r = await api(em, "POST", "/v3/functions", { rawBody: "{nope", headers: { "content-type": "application/json" } });
    assert.equal(r.status, 422);
    assert.equal(r.body.detail[0].type, "json_invalid");
  });

  it("answers 400 INVALID_UUID for a malformed id and 403 for another user's private function", async () => {
    const bad = await api(em, "GET", "/v2/functions/not-a-uuid");
    assertErrorBody(bad.body, 400, "INVALID_UUID");
    assert.deepEqual(bad.body.error_args, ["not-a-uuid"]);
    assertErrorBody((await api(em, "GET", `/v2/functions/${double}`, { token: other.token })).body, 403, "FUNCTION_ACCESS_FORBIDDEN");
    assertErrorBody((await api(em, "DELETE", `/v2/functions/${double}`, { token: other.token })).body, 403, "FUNCTION_ACCESS_FORBIDDEN");
  });
});

describe("POST /v3/endpoints/{id}/submit", () => {
  it("returns lower-case UUIDs and task ids in payload order, and runs every task", async () => {
    const payloads = [1, 2, 3, 4, 5].map((n) => jsonPayload([n]));
    const r = await submit({
      create_queue: false,
      tasks: { [double.toUpperCase()]: payloads },
      result_serializers: JSON_RESULTS,
      user_endpoint_config: { min_blocks: 0 },
      user_runtime: { python_version: "3.11.2", globus_compute_sdk_version: "4.15.0" },
      resource_specification: { num_nodes: 2, ranks_per_node: 2 },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body).sort(), ["endpoint_id", "request_id", "task_group_id", "tasks"]);
    for (const k of ["endpoint_id", "request_id", "task_group_id"]) assert.match(r.body[k], UUID);
    assert.deepEqual(Object.keys(r.body.tasks), [double]);
    const ids: string[] = r.body.tasks[double];
    assert.equal(ids.length, 5);
    const results = await Promise.all(ids.map((id) => waitForTask(em, id)));
    assert.deepEqual(results.map((t) => t.result), ["11\n2", "11\n4", "11\n6", "11\n8", "11\n10"]);
  });

  it("serializes results with dill when no result_serializers are given", async () => {
    const r = await submit({ tasks: { [double]: [jsonPayload([7])] } });
    const task = await waitForTask(em, r.body.tasks[double][0]);
    assert.equal(task.result, "00\ngARLDi4=\n");
  });

  it("adds tasks to an existing task group, and refuses unknown and foreign ones", async () => {
    const first = await submit({ tasks: { [double]: [jsonPayload([1])] } });
    const group = first.body.task_group_id;
    const second = await submit({ task_group_id: group, tasks: { [double]: [jsonPayload([2])] } });
    assert.equal(second.body.task_group_id, group);
    const tg = await api(em, "GET", `/v2/taskgroup/${group}`);
    assert.deepEqual(
      tg.body.tasks.map((t: { id: string }) => t.id),
      [first.body.tasks[double][0], second.body.tasks[double][0]],
    );
    assert.match(tg.body.tasks[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(tg.body.taskgroup_id, group);
    assert.equal(tg.body.create_websockets_queue, false);

    const unknown = await submit({ task_group_id: MISSING, tasks: { [double]: [jsonPayload([1])] } });
    assertErrorBody(unknown.body, 404, "TASK_GROUP_NOT_FOUND");
    const pub = await api(em, "POST", "/v3/functions", { body: { ...registration("p", "def p():\n    return 0\n"), public: true }, token: other.token });
    const foreign = await submit({ task_group_id: group, tasks: { [pub.body.function_uuid]: [jsonPayload([])] } }, em.endpoints[0], other.token);
    assertErrorBody(foreign.body, 403, "TASK_GROUP_ACCESS_FORBIDDEN");
    assertErrorBody((await api(em, "GET", `/v2/taskgroup/${group}`, { token: other.token })).body, 403, "TASK_GROUP_ACCESS_FORBIDDEN");
  });

  it("answers 400 INVALID_UUID for malformed endpoint, function and task group ids", async () => {
    assertErrorBody((await submit({ tasks: { [double]: [] } }, "endpoint-1")).body, 400, "INVALID_UUID");
    assertErrorBody((await submit({ tasks: { "fn-1": [jsonPayload([])] } })).body, 400, "INVALID_UUID");
    assertErrorBody((await submit({ task_group_id: "tg", tasks: { [double]: [jsonPayload([])] } })).body, 400, "INVALID_UUID");
  });

  it("answers 404 for unknown endpoints and functions, 403 for a function not on the allowlist", async () => {
    assertErrorBody((await submit({ tasks: { [double]: [jsonPayload([])] } }, MISSING)).body, 404, "ENDPOINT_NOT_FOUND");
    assertErrorBody((await submit({ tasks: { [MISSING]: [jsonPayload([])] } })).body, 404, "FUNCTION_NOT_FOUND");
    const restricted = await submit({ tasks: { [double]: [jsonPayload([])] } }, em.endpoints[1]);
    assertErrorBody(restricted.body, 403, "FUNCTION_NOT_PERMITTED");
  });

  it("answers 422 for malformed bodies", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, "body.tasks"],
      [{ tasks: {} }, "body.tasks"],
      [{ tasks: { [double]: "x" } }, `body.tasks.${double}`],
      [{ tasks: { [double]: [1] } }, `body.tasks.${double}.0`],
      [{ tasks: { [double]: [""] }, create_queue: "yes" }, "body.create_queue"],
      [{ tasks: { [double]: [""] }, result_serializers: "JSONData" }, "body.result_serializers"],
      [{ tasks: { [double]: [""] }, resource_specification: { ranks_per_node: 2 } }, "body.resource_specification.num_nodes"],
      [{ tasks: { [double]: [""] }, user_endpoint_config: [1] }, "body.user_endpoint_config"],
    ];
    for (const [body, loc] of cases) {
      const r = await submit(body);
      assert.equal(r.status, 422, `${JSON.stringify(body)} → ${r.status}`);
      assert.deepEqual(r.body.detail.map((d: { loc: string[] }) => d.loc.join(".")), [loc], JSON.stringify(body));
    }
  });

  it("answers 413 TASK_PAYLOAD_TOO_LARGE past 10 MB", async () => {
    const big = "x".repeat(10 * 1024 * 1024 + 1);
    const r = await submit({ tasks: { [double]: [big] } });
    assertErrorBody(r.body, 413, "TASK_PAYLOAD_TOO_LARGE");
  });

  it("answers 413 for a chunked body without Content-Length, too", async () => {
    const url = new URL(`${em.baseUrl}/v3/endpoints/${em.endpoints[0]}/submit`);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { authorization: `Bearer ${em.token}`, "content-type": "application/json" } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      const chunk = "x".repeat(1024 * 1024);
      req.write(`{"tasks": {"${double}": ["`);
      for (let i = 0; i < 11; i++) req.write(chunk);
      req.end(`"]}}`);
    });
    assertErrorBody(JSON.parse(reply.body), 413, "TASK_PAYLOAD_TOO_LARGE");
  });

  it("reports a failing function as failed with the traceback in `exception`", async () => {
    const boom = await registerFunction(em, "boom", "def boom():\n    return 1 / 0\n");
    const r = await submit({ tasks: { [boom]: [jsonPayload([])] } });
    const task = await waitForTask(em, r.body.tasks[boom][0]);
    assert.equal(task.status, "failed");
    assert.match(task.exception, /ZeroDivisionError: division by zero/);
    assert.equal(task.result, undefined);
    assert.match(task.completion_t, /^\d+\.\d+$/);
  });
});

describe("task status", () => {
  it("gives §3.6 bodies, with details and transitions, and leaves unknown ids out of batch_status", async () => {
    const r = await submit({ tasks: { [double]: [jsonPayload([21])] }, result_serializers: JSON_RESULTS });
    const id = r.body.tasks[double][0];
    const task = await waitForTask(em, id);
    assert.equal(task.task_id, id);
    assert.equal(task.result, "11\n42");
    assert.equal(task.details.endpoint_id, em.endpoints[0]);
    assert.equal(task.details.python_version, "3.11.2");
    for (const s of ["received", "waiting-for-launch", "running", "execution-start", "execution-end", "success"]) {
      assert.equal(typeof task.details.task_transitions[s], "number", s);
    }
    const batch = await api(em, "POST", "/v2/batch_status", { body: { task_ids: [id, MISSING] } });
    assert.equal(batch.body.response, "batch");
    assert.deepEqual(Object.keys(batch.body.results), [id]);
    assert.deepEqual(batch.body.results[id], task);
  });

  it("hides other users' tasks and validates ids", async () => {
    const r = await submit({ tasks: { [double]: [jsonPayload([1])] } });
    const id = r.body.tasks[double][0];
    assertErrorBody((await api(em, "GET", `/v2/tasks/${id}`, { token: other.token })).body, 404, "TASK_NOT_FOUND");
    assertErrorBody((await api(em, "GET", `/v2/tasks/${MISSING}`)).body, 404, "TASK_NOT_FOUND");
    assertErrorBody((await api(em, "GET", "/v2/tasks/xyz")).body, 400, "INVALID_UUID");
    assertErrorBody((await api(em, "POST", "/v2/batch_status", { body: { task_ids: ["xyz"] } })).body, 400, "INVALID_UUID");
    assert.equal((await api(em, "POST", "/v2/batch_status", { body: { task_ids: "x" } })).status, 422);
    assertErrorBody((await api(em, "GET", `/v2/taskgroup/${MISSING}`)).body, 404, "TASK_GROUP_NOT_FOUND");
  });
});

describe("endpoints", () => {
  it("reports status, metadata, the owner's list and the allowlist", async () => {
    const [ep, restricted] = em.endpoints;
    const status = await api(em, "GET", `/v2/endpoints/${ep}/status`);
    assert.equal(status.body.status, "online");
    assert.equal(status.body.details.total_workers, 2);
    const meta = await api(em, "GET", `/v2/endpoints/${ep}`);
    assert.equal(meta.body.uuid, ep);
    assert.equal(meta.body.high_assurance, false);
    for (const key of ["name", "display_name", "multi_user", "public", "endpoint_config", "hostname", "endpoint_version", "subscription_uuid"]) {
      assert.ok(key in meta.body, key);
    }
    const mine = await api(em, "GET", "/v2/endpoints?role=owner");
    assert.deepEqual(mine.body.map((e: { uuid: string }) => e.uuid).sort(), [...em.endpoints].sort());
    assert.deepEqual(Object.keys(mine.body[0]).sort(), ["display_name", "name", "owner", "uuid"]);
    assert.deepEqual((await api(em, "GET", "/v2/endpoints?role=owner", { token: other.token })).body, []);
    assert.equal((await api(em, "GET", "/v2/endpoints?role=any", { token: other.token })).body.length, 3);
    assert.equal((await api(em, "GET", "/v2/endpoints?role=mine")).status, 422);
    assert.deepEqual((await api(em, "GET", `/v3/endpoints/${ep}/allowed_functions`)).body, { endpoint_id: ep, restricted: false, functions: [] });
    assert.deepEqual((await api(em, "GET", `/v3/endpoints/${restricted}/allowed_functions`)).body, {
      endpoint_id: restricted,
      restricted: true,
      functions: [],
    });
    assertErrorBody((await api(em, "GET", `/v2/endpoints/${MISSING}/status`)).body, 404, "ENDPOINT_NOT_FOUND");
    assertErrorBody((await api(em, "GET", "/v2/endpoints/bad/status")).body, 400, "INVALID_UUID");
  });

  it("locks an endpoint for its owner only; a locked endpoint refuses tasks with 423", async () => {
    const ep = em.endpoints[1];
    assertErrorBody((await api(em, "POST", `/v3/endpoints/${ep}/lock`, { token: other.token })).body, 403, "ENDPOINT_ACCESS_FORBIDDEN");
    const before = Date.now() / 1000;
    const r = await api(em, "POST", `/v3/endpoints/${ep}/lock`);
    assert.equal(r.body.endpoint_id, ep);
    assert.ok(r.body.lock_expiration_timestamp > before);
    assertErrorBody((await submit({ tasks: { [double]: [jsonPayload([])] } }, ep)).body, 423, "RESOURCE_LOCKED");
  });

  it("deletes an endpoint for its owner only", async () => {
    const ep = em.endpoints[2];
    assert.equal((await api(em, "GET", `/v2/endpoints/${ep}/status`)).body.status, "offline");
    assertErrorBody((await api(em, "DELETE", `/v2/endpoints/${ep}`, { token: other.token })).body, 403, "ENDPOINT_ACCESS_FORBIDDEN");
    assert.deepEqual((await api(em, "DELETE", `/v2/endpoints/${ep}`)).body, { result: 302 });
    assertErrorBody((await api(em, "GET", `/v2/endpoints/${ep}`)).body, 404, "ENDPOINT_NOT_FOUND");
  });
});

describe("results over AMQP", () => {
  it("refuses broker passwords rabbitmqctl would read as options", async () => {
    await assert.rejects(em.broker.changePassword("someone", "-abc"), (e: unknown) => e instanceof BrokerError && e.code === "INVALID_ARGUMENT");
  });

  it("issues a fresh password on each call, for an account that may read only its own prefix", async () => {
    const a = await api(em, "GET", "/v2/get_amqp_result_connection_url");
    const b = await api(em, "GET", "/v2/get_amqp_result_connection_url");
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.equal(a.body.queue_prefix, b.body.queue_prefix);
    assert.notEqual(a.body.connection_url, b.body.connection_url);
    await assert.rejects(connect(a.body.connection_url), /ACCESS-REFUSED|403/);
    const conn = await connect(b.body.connection_url);
    try {
      const ch = await conn.createChannel();
      ch.on("error", () => {});
      await assert.rejects(ch.assertQueue("not-my-prefix"), /ACCESS-REFUSED|403/);
    } finally {
      await conn.close().catch(() => {});
    }
    const theirs = await api(em, "GET", "/v2/get_amqp_result_connection_url", { token: other.token });
    assert.notEqual(theirs.body.queue_prefix, a.body.queue_prefix);
  });

  it("publishes Result envelopes to queue_prefix + task_group_id, with a timestamp, readable by a raw consumer", async () => {
    const r = await submit({ create_queue: true, tasks: { [double]: [jsonPayload([1]), jsonPayload([2])] }, result_serializers: JSON_RESULTS });
    const ids: string[] = r.body.tasks[double];
    const { body: amqp } = await api(em, "GET", "/v2/get_amqp_result_connection_url");
    const conn = await connect(amqp.connection_url);
    try {
      const ch = await conn.createChannel();
      // As the SDK: no queue_declare; the service created the queue on submit.
      const got = new Map<string, { data: string; timestamp: number }>();
      await new Promise<void>((resolve) => {
        void ch.consume(amqp.queue_prefix + r.body.task_group_id, (msg) => {
          if (!msg) return;
          const m = unpackMessage(msg.content);
          assert.equal(m.message_type, "result");
          if (m.message_type === "result") got.set(m.data.task_id, { data: m.data.data, timestamp: msg.properties.timestamp });
          ch.ack(msg);
          if (got.size === 2) resolve();
        });
      });
      assert.deepEqual(got.get(ids[0])?.data, "11\n2");
      assert.deepEqual(got.get(ids[1])?.data, "11\n4");
      const completion = Number((await waitForTask(em, ids[0])).completion_t);
      assert.equal(got.get(ids[0])?.timestamp, Math.floor(completion));
      const tg = await api(em, "GET", `/v2/taskgroup/${r.body.task_group_id}`);
      assert.equal(tg.body.create_websockets_queue, true);
    } finally {
      await conn.close();
    }
  });
});

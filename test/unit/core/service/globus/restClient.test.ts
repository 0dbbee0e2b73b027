import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { ComputeApiError } from "../../../../../core/protocol";
import { GlobusComputeService } from "../../../../../core/service/globus/globusComputeService";
import { originBoundFetch } from "../../../../../core/service/globus/originBoundFetch";
import { RestClient, type TokenProvider } from "../../../../../core/service/globus/restClient";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe("RestClient retries and errors (against a real HTTP server)", () => {
  let server: Server;
  let baseUrl: string;
  let handlers: Handler[];
  let seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[];
  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        const h = handlers.length > 1 ? handlers.shift()! : handlers[0];
        h(req, body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    handlers = [];
    seen = [];
  });

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_q, _b, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
  const client = (token: TokenProvider = async () => "tok") => new RestClient({ baseUrl, token, retry: { baseMs: 1, maxSleepMs: 5 } });

  it("sends the bearer token, the SDK user agent and JSON", async () => {
    handlers = [json(200, { ok: 1 })];
    assert.deepEqual(await client().post("/v3/x", { a: 1 }), { ok: 1 });
    const r = seen[0];
    assert.equal(r.headers.authorization, "Bearer tok");
    assert.match(r.headers["user-agent"] ?? "", /\/globus-compute-sdk-4\.15\.0$/);
    assert.equal(r.headers["content-type"], "application/json");
    assert.equal(r.body, '{"a":1}');
  });

  it("retries 429 (honouring Retry-After) and 5xx, then succeeds", async () => {
    handlers = [json(429, { code: "RATE", detail: "slow down" }, { "retry-after": "0" }), json(502, "bad gateway"), json(503, {}), json(200, [1])];
    assert.deepEqual(await client().get("/v2/x"), [1]);
    assert.equal(seen.length, 4);
  });

  it("gives up after 5 retries with the service's error code and detail", async () => {
    handlers = [json(500, { code: "INTERNAL_ERROR", detail: "boom" })];
    await assert.rejects(client().get("/v2/x"), (e: ComputeApiError) => {
      assert.equal(e.code, "INTERNAL_ERROR");
      assert.equal(e.httpStatus, 500);
      assert.equal(e.detail, "boom");
      return true;
    });
    assert.equal(seen.length, 6);
  });

  it("does not retry client errors", async () => {
    handlers = [json(404, { code: "TASK_GROUP_NOT_FOUND", detail: "Task group x not found" })];
    await assert.rejects(client().get("/v2/taskgroup/x"), (e: ComputeApiError) => e.code === "TASK_GROUP_NOT_FOUND");
    assert.equal(seen.length, 1);
  });

  it("does not retry a 5xx the SDK does not retry (501), and says it is not retryable", async () => {
    handlers = [json(501, { code: "NOT_IMPLEMENTED", detail: "no such thing" })];
    await assert.rejects(client().get("/v2/x"), (e: ComputeApiError) => e.code === "NOT_IMPLEMENTED" && !e.retryable);
    assert.equal(seen.length, 1);
  });

  it("on 401 refreshes the token once, and only once", async () => {
    const calls: boolean[] = [];
    const token = async ({ forceRefresh }: { forceRefresh: boolean }) => {
      calls.push(forceRefresh);
      return forceRefresh ? "fresh" : "stale";
    };
    handlers = [json(401, { code: "INVALID_AUTH_TOKEN", detail: "expired" }), json(200, { ok: true })];
    assert.deepEqual(await client(token).get("/v2/x"), { ok: true });
    assert.deepEqual(calls, [false, true]);
    assert.equal(seen[1].headers.authorization, "Bearer fresh");
    handlers = [json(401, { code: "INVALID_AUTH_TOKEN", detail: "revoked" })];
    await assert.rejects(client(token).get("/v2/x"), (e: ComputeApiError) => e.httpStatus === 401);
  });

  it("retries network errors and reports NETWORK_ERROR", async () => {
    const dead = new RestClient({ baseUrl: "http://127.0.0.1:1", token: async () => "t", retry: { baseMs: 1, maxSleepMs: 2 } });
    await assert.rejects(dead.get("/v2/x"), (e: ComputeApiError) => e.code === "NETWORK_ERROR" && e.httpStatus === undefined);
  });

  it("turns a non-JSON success body and malformed answers into MALFORMED_RESPONSE", async () => {
    handlers = [json(200, "<html>")];
    await assert.rejects(client().get("/v2/x"), (e: ComputeApiError) => e.code === "MALFORMED_RESPONSE");
    const service = new GlobusComputeService({ baseUrl, token: async () => "t", retry: { baseMs: 1 } });
    handlers = [json(200, { request_id: "nope", task_group_id: "x", endpoint_id: "y", tasks: {} })];
    await assert.rejects(
      service.submit({ endpointId: "4b116d3c-1703-4f8f-9f6f-39921e5864df", tasks: {}, createQueue: true }),
      (e: ComputeApiError) => e.code === "MALFORMED_RESPONSE" && /request_id/.test(e.message),
    );
    service.dispose();
  });

  it("refuses a plain http:// base URL for another host before asking for a token", async () => {
    let asked = 0;
    const remote = new RestClient({ baseUrl: "http://compute.example.org", token: async () => `t${++asked}`, retry: { baseMs: 1, maxSleepMs: 2 } });
    await assert.rejects(
      remote.get("/v2/version"),
      (e: ComputeApiError) => e.code === "INSECURE_URL" && !e.retryable && /http:\/\/compute\.example\.org: .*clear text/.test(e.message),
    );
    assert.equal(asked, 0);
  });

  it("a token a gateway echoes in its error page or text never reaches the error", async () => {
    const echo = (status: number, type: string): Handler => (req, body, res) => {
      res.writeHead(status, { "content-type": type });
      res.end(`${type === "text/html" ? "<html><title>Denied</title><pre>" : ""}${req.method} ${req.url}\nAuthorization: ${req.headers.authorization}\n${body}`);
    };
    for (const [status, type] of [[400, "text/html"], [403, "text/plain"], [200, "text/plain"]] as const) {
      handlers = [echo(status, type)];
      const err: ComputeApiError = await client(async () => "SECRET-TOKEN").post("/v3/x", { a: 1 }).then(() => assert.fail("no error"), (e) => e);
      assert.doesNotMatch(`${err.message}\n${err.detail}`, /SECRET/, `${status} ${type}`);
      assert.match(err.message, type === "text/html" ? /an HTML page titled "Denied"/ : /Authorization: \[redacted\]/);
    }
  });

  it("a redirect to another port (another origin) is followed without the token; the same origin keeps it", async () => {
    // A second server on another port of the same host: node-fetch alone would send it the token.
    const elsewhere: IncomingMessage["headers"][] = [];
    const other = createServer((req, res) => {
      elsewhere.push(req.headers);
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"from":"elsewhere"}');
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      handlers = [json(302, "", { location: `${otherUrl}/v2/stolen` })];
      assert.deepEqual(await client().get("/v2/x"), { from: "elsewhere" });
      assert.equal(seen[0].headers.authorization, "Bearer tok");
      assert.equal(elsewhere.length, 1);
      assert.equal(elsewhere[0].authorization, undefined, "token sent to another port");
      // localhost is another host name for the same machine, and so another origin.
      handlers = [json(307, "", { location: baseUrl.replace("127.0.0.1", "localhost") + "/v2/y" }), json(200, { ok: 1 })];
      seen = [];
      assert.deepEqual(await client().post("/v2/x", { a: 1 }), { ok: 1 });
      assert.equal(seen.length, 2);
      assert.equal(seen[1].headers.authorization, undefined, "token sent to another host name");
      assert.equal(seen[1].method, "POST", "307 keeps the method");
      assert.equal(seen[1].body, '{"a":1}', "307 keeps the body");
      // The same origin: the token follows; 303 turns a POST into a GET without a body.
      handlers = [json(303, "", { location: "/v2/z" }), json(200, { ok: 2 })];
      seen = [];
      assert.deepEqual(await client().post("/v2/x", { a: 1 }), { ok: 2 });
      assert.deepEqual([seen[1].method, seen[1].url, seen[1].headers.authorization, seen[1].body], ["GET", "/v2/z", "Bearer tok", ""]);
      assert.equal(seen[1].headers["content-type"], undefined);
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  it("close() during a POST's retry backoff ends it with NETWORK_ERROR, sends nothing more, and throws nothing uncaught", async () => {
    // node-fetch given an already aborted signal destroys the POST body stream with an unheard error.
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      handlers = [json(500, { code: "INTERNAL_ERROR", detail: "boom" })];
      const c = new RestClient({ baseUrl, token: async () => "t", retry: { baseMs: 200, maxSleepMs: 200 } });
      const call = c.post("/v2/batch_status", { task_ids: ["a"] });
      while (seen.length === 0) await new Promise((r) => setTimeout(r, 2));
      await new Promise((r) => setTimeout(r, 20)); // the 500 is in; the client sleeps before retrying
      c.close();
      await assert.rejects(call, (e: ComputeApiError) => e.code === "NETWORK_ERROR" && /client closed/.test(e.message));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(seen.length, 1, "no attempt after close()");
      assert.deepEqual(uncaught, []);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });

  it("originBoundFetch with an aborted signal sends nothing and throws nothing uncaught", async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      const signal = AbortSignal.abort();
      await assert.rejects(originBoundFetch(`${baseUrl}/v2/x`, { method: "POST", signal, headers: {}, body: "{}" }), (e: Error) => e.name === "AbortError");
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen.length, 0);
      assert.deepEqual(uncaught, []);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });

  it("a redirect loop ends in an error, not a hang", async () => {
    handlers = [json(302, "", { location: "/v2/loop" })];
    const c = new RestClient({ baseUrl, token: async () => "t", retry: { maxRetries: 0 } });
    await assert.rejects(c.get("/v2/loop"), (e: ComputeApiError) => e.code === "NETWORK_ERROR" && /redirects/.test(e.message));
    assert.equal(seen.length, 21);
  });

  it("builds the submit body in the SDK's key order, leaving out empty options", async () => {
    const id = "4b116d3c-1703-4f8f-9f6f-39921e5864df";
    handlers = [json(200, { request_id: id, task_group_id: id, endpoint_id: id, tasks: { f: [id] } })];
    const service = new GlobusComputeService({ baseUrl, token: async () => "t" });
    const r = await service.submit({
      endpointId: id,
      tasks: { f: ["p"] },
      createQueue: true,
      taskGroupId: id,
      resourceSpecification: {},
      resultSerializers: ["a.B"],
    });
    assert.deepEqual(r.tasks, { f: [id] });
    assert.equal(seen[0].url, `/v3/endpoints/${id}/submit`);
    assert.equal(seen[0].body, `{"create_queue":true,"tasks":{"f":["p"]},"task_group_id":"${id}","result_serializers":["a.B"]}`);
    service.dispose();
  });
});

import * as assert from "node:assert/strict";
import { test } from "node:test";
import { EndpointDirectory, type BackOff, type EndpointApi } from "../../../../core/endpoints/endpointDirectory";
import { parseEndpointList, parseEndpointMetadata, parseEndpointStatus } from "../../../../core/endpoints/endpointRecords";
import { RequestPacer } from "../../../../core/endpoints/requestPacer";
import { ComputeApiError } from "../../../../core/protocol/apiError";
import { Emitter } from "../../../../core/util/event";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function fakeApi(count: number, statusMs = 1) {
  const backOff = new Emitter<BackOff>();
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const api: EndpointApi & { calls: string[]; maxInFlight: () => number; backOff: Emitter<BackOff> } = {
    calls,
    backOff,
    maxInFlight: () => maxInFlight,
    onDidBackOff: backOff.event,
    async listEndpoints(role) {
      calls.push(`list ${role}`);
      const all = Array.from({ length: count }, (_, i) => ({ id: ID(i), name: `ep-${i}`, displayName: `Endpoint ${i}` }));
      return role === "owner" ? all.slice(0, 2) : all;
    },
    async getEndpointStatus(id) {
      calls.push(`status ${id}`);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, statusMs));
      inFlight--;
      if (id === ID(13)) throw new ComputeApiError({ httpStatus: 404, code: "ENDPOINT_NOT_FOUND", detail: "gone", retryable: false });
      return { status: "online", details: { total_workers: 2, idle_workers: 1 } };
    },
    async getEndpointMetadata(id) {
      calls.push(`metadata ${id}`);
      return parseEndpointMetadata({ uuid: id, name: "x", multi_user: true }, id);
    },
  };
  return api;
}

test("statuses are fetched only for the ids asked for, within the concurrency and the request budget", async () => {
  const api = fakeApi(1000);
  const dir = new EndpointDirectory({ api: async () => api, pacing: { concurrency: 3, requests: 1000, windowMs: 1000 }, changeDelayMs: 5 });
  let changes = 0;
  dir.onDidChange(() => changes++);
  assert.equal((await dir.list()).length, 1000);
  const visible = dir.endpoints.slice(0, 20).map((e) => e.id);
  await dir.refreshStatuses(visible);
  assert.equal(api.calls.filter((c) => c.startsWith("status")).length, 20);
  assert.ok(api.maxInFlight() <= 3, `at most 3 in flight, saw ${api.maxInFlight()}`);
  assert.equal(dir.entry(ID(1)).status?.value.status, "online");
  assert.equal(dir.entry(ID(13)).statusProblem?.code, "NOT_FOUND");
  // Fresh statuses are not asked again; forced they are.
  await dir.refreshStatuses(visible);
  assert.equal(api.calls.filter((c) => c.startsWith("status")).length, 20);
  await dir.refreshStatuses(visible.slice(0, 2), true);
  assert.equal(api.calls.filter((c) => c.startsWith("status")).length, 22);
  // The list is cached.
  await dir.list();
  assert.deepEqual(api.calls.filter((c) => c.startsWith("list")), ["list any", "list owner"]);
  assert.deepEqual([dir.owned(ID(1)), dir.owned(ID(2))], [true, false]);
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(changes >= 1 && changes < 10, `changes are batched (${changes})`);
  dir.dispose();
});

test("a back-off notice pauses requests and is announced; a list failure is kept as a problem", async () => {
  const api = fakeApi(5);
  const dir = new EndpointDirectory({ api: async () => api, pacing: { concurrency: 2, requests: 100, windowMs: 1000 }, changeDelayMs: 1 });
  const notices: BackOff[] = [];
  dir.onDidBackOff((b) => notices.push(b));
  await dir.list();
  api.backOff.fire({ delayMs: 150, status: 429 });
  assert.deepEqual(notices, [{ delayMs: 150, status: 429 }]);
  assert.ok(dir.backingOffUntil > Date.now());
  const started = Date.now();
  await dir.refreshStatuses([ID(1)]);
  assert.ok(Date.now() - started >= 140, "the status waited for the back-off");

  api.listEndpoints = async () => {
    throw Object.assign(new Error("Cloud endpoints need a Globus sign-in"), { code: "NOT_SIGNED_IN" });
  };
  await dir.list(true);
  assert.equal(dir.listProblem?.code, "NOT_SIGNED_IN");
  assert.equal(dir.endpoints.length, 5, "the last good list is kept");
  dir.dispose();
});

test("the pacer keeps within its budget per window", async () => {
  let t = 0;
  const pacer = new RequestPacer({ concurrency: 10, requests: 3, windowMs: 60, now: () => t });
  const started: number[] = [];
  const clock = setInterval(() => (t += 10), 5);
  await Promise.all(Array.from({ length: 7 }, () => pacer.run(async () => started.push(t))));
  clearInterval(clock);
  for (let i = 3; i < started.length; i++) assert.ok(started[i] - started[i - 3] >= 60, `request ${i} kept the window: ${started}`);
  pacer.dispose();
  await assert.rejects(pacer.run(async () => 1), { code: "DISPOSED" });
});

test("records: the SDK testing data shapes parse; wrong types are dropped, wrong shapes refused", () => {
  const list = parseEndpointList([
    { uuid: "A1AAAAAA-0000-4000-8000-000000000001", name: "my-endpoint", display_name: "My Endpoint", owner: "u1" },
    { uuid: "b2bbbbbb-0000-4000-8000-000000000002", name: "second", display_name: "", owner: "u2" },
    { uuid: "not-a-uuid", name: "bad" },
  ]);
  assert.deepEqual(list, [
    { id: "a1aaaaaa-0000-4000-8000-000000000001", name: "my-endpoint", displayName: "My Endpoint", owner: "u1" },
    { id: "b2bbbbbb-0000-4000-8000-000000000002", name: "second", displayName: "second", owner: "u2" },
  ]);
  assert.throws(() => parseEndpointList({ endpoints: [] }), { code: "MALFORMED_RESPONSE" });
  assert.deepEqual(parseEndpointStatus({ status: "Online", details: { total_workers: 4, idle_workers: "x" } }, ID(1)), {
    status: "online",
    details: { total_workers: 4 },
  });
  assert.throws(() => parseEndpointStatus({}, ID(1)), { code: "MALFORMED_RESPONSE" });
  const m = parseEndpointMetadata(
    {
      uuid: ID(1),
      name: "polaris",
      display_name: "Polaris",
      multi_user: true,
      user_config_schema: '{"type": "object"}',
      user_config_template: "account: {{ account }}",
      python_version: "3.11.4",
      hostname: null,
    },
    ID(1),
  );
  assert.equal(m.displayName, "Polaris");
  assert.equal(m.multiUser, true);
  assert.deepEqual(m.userConfigSchema, { type: "object" });
  assert.equal(m.pythonVersion, "3.11.4");
  assert.equal("hostname" in m, false);
  assert.throws(() => parseEndpointMetadata({ uuid: ID(2) }, ID(1)), /describes endpoint/);
});

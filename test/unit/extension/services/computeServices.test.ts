import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { ComputeService } from "../../../../core/service/computeService";
import { ComputeServices, LOCAL_SERVICE, type ComputeServicesOptions } from "../../../../extension/services/computeServices";
import { readSettings, type GlobusComputeSettings } from "../../../../extension/state/settings";
import type { TokenProvider } from "../../../../core/service/globus/restClient";
import { MemoryComputeService } from "../../../support/memoryComputeService";

function setup(values: Record<string, unknown> = {}, extra: Pick<ComputeServicesOptions, "localPython" | "localPythonKnown"> = {}) {
  let settings: GlobusComputeSettings = readSettings({ get: (k) => values[k] }).settings;
  const tokenOf = new Map<string, TokenProvider>();
  const started: { python?: string; workers?: number; maxGroups?: number; maxTasks?: number; service: MemoryComputeService; disposed: boolean }[] = [];
  const clouds: string[] = [];
  const services = new ComputeServices({
    settings: () => settings,
    storageDir: "/nonexistent",
    token: async () => "token",
    createLocal: async (o) => {
      const service = new MemoryComputeService();
      const entry = { python: o.python, workers: o.workers, maxGroups: o.maxGroups, maxTasks: o.maxTasks, service, disposed: false };
      const dispose = service.dispose.bind(service);
      service.dispose = () => {
        entry.disposed = true;
        dispose();
      };
      started.push(entry);
      return service as ComputeService;
    },
    createCloud: (url, token) => {
      clouds.push(url);
      tokenOf.set(url, token);
      return new MemoryComputeService();
    },
    ...extra,
  });
  const change = (next: Record<string, unknown>) => {
    settings = readSettings({ get: (k) => ({ ...values, ...next })[k] }).settings;
  };
  return { services, started, clouds, change, tokenOf };
}

test("the local endpoint starts on first use with the settings' interpreter and workers; once", async () => {
  const { services, started } = setup({ "local.pythonPath": "/usr/bin/python3", "local.workers": 3 });
  assert.equal(services.localStarted, false);
  const [a, b] = await Promise.all([services.service(LOCAL_SERVICE), services.service(LOCAL_SERVICE)]);
  assert.equal(a, b);
  assert.deepEqual(started.map((s) => [s.python, s.workers]), [["/usr/bin/python3", 3]]);
  services.dispose();
  await new Promise((r) => setImmediate(r));
  assert.equal(started[0].disposed, true, "no worker left behind");
});

test("the local endpoint keeps its tasks within the retention settings", async () => {
  const { services, started } = setup({ "retention.maxTaskGroups": 7, "retention.maxTasks": 5000 });
  await services.service(LOCAL_SERVICE);
  assert.deepEqual(started.map((s) => [s.maxGroups, s.maxTasks]), [[7, 5000]]);
  services.dispose();
});

test("a changed interpreter choice restarts the running local endpoint with it", async () => {
  let python = "/work/.venv/bin/python";
  const { services, started } = setup({ "local.pythonPath": "/usr/bin/python3" }, { localPython: () => python });
  await services.service(LOCAL_SERVICE);
  python = "/opt/conda/bin/python";
  await services.service(LOCAL_SERVICE);
  assert.deepEqual(started.map((s) => [s.python, s.disposed]), [["/work/.venv/bin/python", true], ["/opt/conda/bin/python", false]]);
  services.dispose();
});

test("the first start waits until the interpreter choice is known (the Python extension answered)", async () => {
  const choice: { python?: string } = {};
  let known!: () => void;
  const { services, started } = setup({}, { localPython: () => choice.python, localPythonKnown: new Promise<void>((r) => (known = r)) });
  const starting = services.service(LOCAL_SERVICE);
  await new Promise((r) => setImmediate(r));
  assert.equal(started.length, 0);
  choice.python = "/opt/conda/bin/python";
  known();
  await starting;
  await services.service(LOCAL_SERVICE);
  assert.deepEqual(started.map((s) => s.python), ["/opt/conda/bin/python"], "started once, with the known choice");
  services.dispose();
});

test("a changed worker count restarts the local endpoint, but only once no task runs on it", async () => {
  const { services, started, change } = setup({ "local.workers": 2 });
  const executor = await services.createExecutor({ endpoint: { kind: "local", id: "local", name: "local" } });
  change({ "local.workers": 4 });
  await services.service(LOCAL_SERVICE);
  assert.equal(started.length, 1, "an Executor still uses the running endpoint");
  services.release(executor);
  await services.service(LOCAL_SERVICE);
  assert.deepEqual(started.map((s) => [s.workers, s.disposed]), [[2, true], [4, false]]);
  services.dispose();
});

test("cloud services: one per web-service URL, from serviceUrl or the environment; executors get the settings", async () => {
  const { services, clouds } = setup({ serviceUrl: "http://127.0.0.1:5000", batchSize: 7 });
  const cloud = { kind: "cloud" as const, id: "4b116d3c-1703-4f8f-9f6f-39921e5864df", name: "hpc" };
  assert.equal(services.serviceKeyFor(cloud), "http://127.0.0.1:5000");
  const e1 = await services.createExecutor({ endpoint: cloud });
  const e2 = await services.createExecutor({ endpoint: cloud, service: "https://compute.api.globus.org" });
  assert.deepEqual(clouds, ["http://127.0.0.1:5000", "https://compute.api.globus.org"]);
  assert.equal(e1.batchSize, 7);
  assert.equal(e1.endpointId, cloud.id);
  services.dispose();
  assert.equal(e1.isShutdown && e2.isShutdown, true, "dispose stops every Executor");
  await assert.rejects(services.service(LOCAL_SERVICE), /shutting down/);
});

test("the sign-in's token goes only to the service the settings name, and a custom service only with its own Globus Auth", async () => {
  const cloud = { kind: "cloud" as const, id: "4b116d3c-1703-4f8f-9f6f-39921e5864df", name: "hpc" };
  const { services, tokenOf, change } = setup({ serviceUrl: "http://127.0.0.1:5000", authUrl: "http://127.0.0.1:5000" });
  const token = (url: string) => tokenOf.get(url)!({ forceRefresh: false });
  await services.createExecutor({ endpoint: cloud });
  // A task group stored from production (or an old emulator port) is reloaded without the emulator's token.
  await services.createExecutor({ endpoint: cloud, service: "https://compute.api.globus.org" });
  assert.equal(await token("http://127.0.0.1:5000"), "token");
  await assert.rejects(token("https://compute.api.globus.org"), (e: Error & { code?: string }) => e.code === "NOT_THIS_SERVICE" && /is not the service of the current Globus sign-in \(http:\/\/127\.0\.0\.1:5000\)/.test(e.message));
  // Back to production: now the emulator's stored groups get no production token.
  change({ serviceUrl: "", authUrl: "" });
  assert.equal(await token("https://compute.api.globus.org"), "token");
  await assert.rejects(token("http://127.0.0.1:5000"), /not the service of the current Globus sign-in \(https:\/\/compute\.api\.globus\.org\)/);
  // A custom service without its own Globus Auth: production's token is not sent there.
  change({ serviceUrl: "http://127.0.0.1:5000", authUrl: "" });
  await assert.rejects(token("http://127.0.0.1:5000"), /globusCompute\.authUrl is not set: a sign-in to https:\/\/auth\.globus\.org is only sent to https:\/\/compute\.api\.globus\.org/);
  change({ serviceUrl: "https://compute.api.globus.org", authUrl: "" });
  assert.equal(await token("https://compute.api.globus.org"), "token", "the environment's own URL, spelled out");
  services.dispose();
});

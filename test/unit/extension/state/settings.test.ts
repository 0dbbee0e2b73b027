import * as assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_SETTINGS, readSettings, Settings } from "../../../../extension/state/settings";
import { configuration } from "../fakes";

test("no settings: the defaults, no problems", () => {
  assert.deepEqual(readSettings(configuration({})), { settings: DEFAULT_SETTINGS, problems: [] });
});

test("valid values are read and normalized", () => {
  const { settings, problems } = readSettings(
    configuration({
      endpoints: [{ name: " hpc ", id: "4B116D3C-1703-4F8F-9F6F-39921E5864DF" }],
      defaultEndpoint: "hpc",
      environment: "sandbox",
      serviceUrl: "http://127.0.0.1:5000/",
      authUrl: "http://127.0.0.1:5000/",
      amqpPort: 5672,
      batchSize: 10,
      resultSerializers: ["globus_compute_sdk.serialize.concretes.JSONData"],
      argumentSerialization: "pickle",
      "local.pythonPath": "/usr/bin/python3",
      "local.workers": 8,
      "retention.maxTaskGroups": 5,
    }),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    endpoints: [{ name: "hpc", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" }],
    defaultEndpoint: "hpc",
    environment: "sandbox",
    serviceUrl: "http://127.0.0.1:5000",
    authUrl: "http://127.0.0.1:5000",
    amqpPort: 5672,
    batchSize: 10,
    resultSerializers: ["globus_compute_sdk.serialize.concretes.JSONData"],
    argumentSerialization: "pickle",
    local: { pythonPath: "/usr/bin/python3", workers: 8 },
    retention: { maxTaskGroups: 5, maxTasks: 100_000 },
    notifications: { longTaskSeconds: 30 },
  });
});

test("null (VS Code's value for an unset nullable setting) means unset", () => {
  const { settings, problems } = readSettings(configuration({ amqpPort: null, endpoints: null, serviceUrl: "" }));
  assert.equal(settings.amqpPort, undefined);
  assert.equal(settings.serviceUrl, undefined);
  assert.deepEqual(settings.endpoints, []);
  assert.deepEqual(problems, []);
});

test("each invalid value falls back to its default and is reported with its key and what was wrong", () => {
  const { settings, problems } = readSettings(
    configuration({
      endpoints: [
        { name: "ok", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" },
        { name: "bad", id: "nope" },
        { id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" },
        { name: "ok", id: "00000000-0000-0000-0000-000000000000" },
        "just a string",
      ],
      environment: "moon",
      serviceUrl: "ftp://example.org",
      authUrl: "not a url",
      amqpPort: 70000,
      batchSize: 0,
      resultSerializers: ["JSONData", "a.b.C", 3],
      argumentSerialization: "yaml",
      "local.pythonPath": 42,
      "local.workers": 2.5,
      "retention.maxTaskGroups": "10",
    }),
  );
  assert.deepEqual(settings, {
    ...DEFAULT_SETTINGS,
    endpoints: [{ name: "ok", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" }],
    resultSerializers: ["a.b.C"],
  });
  assert.deepEqual(
    problems.map((p) => `${p.key}: ${p.message}`),
    [
      'globusCompute.endpoints: entry 2 ("bad"): "id" must be an endpoint UUID, got "nope"; it is ignored',
      'globusCompute.endpoints: entry 3 has no "name"; it is ignored',
      'globusCompute.endpoints: entry 4: the name "ok" is used twice; the first one wins',
      'globusCompute.endpoints: entry 5 has no "name"; it is ignored',
      'globusCompute.environment: "moon" is not one of production, preview, sandbox, test, integration, staging; using "production"',
      `globusCompute.serviceUrl: "ftp://example.org" is not an http(s) URL; using the environment's URL`,
      `globusCompute.authUrl: "not a url" is not an http(s) URL; using the environment's URL`,
      "globusCompute.amqpPort: expected an integer from 1 to 65535, got 70000; using none",
      "globusCompute.batchSize: expected an integer of at least 1, got 0; using 1024",
      'globusCompute.resultSerializers: entry 1 is not a Python import path (like "package.module.Class"): "JSONData"; it is ignored',
      'globusCompute.resultSerializers: entry 3 is not a Python import path (like "package.module.Class"): 3; it is ignored',
      'globusCompute.argumentSerialization: "yaml" is not one of auto, json, pickle; using "auto"',
      'globusCompute.local.pythonPath: expected a string, got 42; using ""',
      "globusCompute.local.workers: expected an integer from 1 to 64, got 2.5; using 4",
      'globusCompute.retention.maxTaskGroups: expected an integer from 1 to 100000, got "10"; using 50',
    ],
  );
});

test("plain http:// is used for this machine only: another host is reported (tokens in clear text) and not used", () => {
  for (const local of ["http://localhost:5000", "http://127.0.0.1:5000", "http://127.8.9.10", "http://[::1]:5000", "https://compute.example.org"]) {
    const { settings, problems } = readSettings(configuration({ serviceUrl: local, authUrl: local }));
    assert.deepEqual([settings.serviceUrl, settings.authUrl, problems], [local, local, []], local);
  }
  const { settings, problems } = readSettings(configuration({ serviceUrl: "http://compute.example.org/", authUrl: "http://128.0.0.1:5000" }));
  assert.deepEqual([settings.serviceUrl, settings.authUrl], [undefined, undefined]);
  assert.deepEqual(
    problems.map((p) => `${p.key}: ${p.message}`),
    [
      `globusCompute.serviceUrl: "http://compute.example.org/": plain http:// is only used for this machine (localhost, 127.0.0.0/8, ::1), not compute.example.org: tokens would travel in clear text; use https://; using the environment's URL`,
      `globusCompute.authUrl: "http://128.0.0.1:5000": plain http:// is only used for this machine (localhost, 127.0.0.0/8, ::1), not 128.0.0.1:5000: tokens would travel in clear text; use https://; using the environment's URL`,
    ],
  );
});

test("a list setting given as something else is reported", () => {
  const { problems } = readSettings(configuration({ endpoints: { name: "x" }, resultSerializers: "a.b" }));
  assert.deepEqual(
    problems.map((p) => p.message),
    [
      'expected a list of {"name", "id"}, got an object; no endpoints configured',
      'expected a list of Python import paths, got "a.b"; using none',
    ],
  );
});

test("Settings re-reads on change and fires with the new values", () => {
  const src = configuration({ batchSize: 5 });
  const settings = new Settings(src);
  const seen: number[] = [];
  settings.onDidChange((s) => seen.push(s.batchSize));
  assert.equal(settings.current.batchSize, 5);
  src.set("batchSize", -1);
  assert.deepEqual(seen, [1024]);
  assert.equal(settings.problems.length, 1);
  settings.dispose();
  src.set("batchSize", 7);
  assert.deepEqual(seen, [1024], "no events after dispose");
});

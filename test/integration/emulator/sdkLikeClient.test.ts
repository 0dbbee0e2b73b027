/**
 * The Python SDK Executor's wire sequence (REST with requests, AMQP with pika, results with dill),
 * replayed by `sdkLikeClient.py` against the emulator: the Python side of the protocol works unchanged.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { promisify } from "node:util";
import { CATALOG_IDS, catalogEndpoints } from "../../emulator/endpointCatalog";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { strayProcesses } from "./helpers";

const PYTHON = process.env.GC_TEST_PYTHON ?? "/usr/bin/python3";
let em: Emulator;

before(async () => {
  em = await startEmulator({ endpoints: [{ workers: 2 }] });
});

after(async () => {
  const dir = em.broker.dir;
  await em.stop();
  assert.deepEqual(strayProcesses([dir]), []);
});

it("streams dill results to a pika consumer and reloads them over REST", async (t) => {
  const probe = await promisify(execFile)(PYTHON, ["-c", "import dill, pika, requests"]).catch((e: Error) => e);
  if (probe instanceof Error) {
    t.skip(`${PYTHON} lacks dill/pika/requests (apt-get install python3-dill python3-pika python3-requests)`);
    return;
  }
  const { stdout } = await promisify(execFile)(PYTHON, [join(__dirname, "sdkLikeClient.py"), em.baseUrl, em.token, em.endpoints[0], "5"], {
    timeout: 60_000,
  });
  const out = JSON.parse(stdout) as { task_ids: string[]; streamed: Record<string, number>; timestamps: number[]; reloaded: Record<string, number> };
  assert.deepEqual(out.task_ids.map((id) => out.streamed[id]), [0, 1, 4, 9, 16]);
  assert.deepEqual(out.task_ids.map((id) => out.reloaded[id]), [0, 1, 4, 9, 16]);
  for (const ts of out.timestamps) assert.ok(Math.abs(ts - Date.now() / 1000) < 120, `timestamp ${ts} is Unix seconds`);
});

it("the SDK's endpoint calls and Executor(user_endpoint_config=…) work unchanged against the emulator's directory", async (t) => {
  const probe = await promisify(execFile)(PYTHON, ["-c", "import requests"]).catch((e: Error) => e);
  if (probe instanceof Error) {
    t.skip(`${PYTHON} lacks requests (apt-get install python3-requests)`);
    return;
  }
  await using directory = await startEmulator({ broker: em.broker, endpoints: catalogEndpoints() });
  const { stdout } = await promisify(execFile)(
    PYTHON,
    [join(__dirname, "sdkEndpointCalls.py"), directory.baseUrl, directory.token, CATALOG_IDS.mep, CATALOG_IDS.offline],
    { timeout: 120_000 },
  );
  const out = JSON.parse(stdout);
  const ids = (rows: { uuid: string }[]) => rows.map((r) => r.uuid).sort();
  assert.equal(ids(out.owned).includes(CATALOG_IDS.shared), false, "role=None lists owned endpoints only");
  assert.ok(ids(out.any).includes(CATALOG_IDS.shared) && !ids(out.any).includes(CATALOG_IDS.hidden));
  assert.deepEqual(Object.keys(out.any[0]).sort(), ["display_name", "name", "owner", "uuid"]);
  assert.equal(out.metadata.multi_user, true);
  assert.equal(out.metadata.display_name, "Polaris (multi-user)");
  assert.deepEqual(out.metadata.user_config_schema.required, ["account", "partition"]);
  assert.equal(out.status.status, "online");
  assert.deepEqual(Object.keys(out.status.details).sort(), ["idle_workers", "managers", "outstanding_tasks", "pending_tasks", "total_workers"]);
  assert.equal(out.offline_status.status, "offline");
  assert.deepEqual(out.valid, { status: "success", result: "11\n15" });
  assert.equal(out.invalid.status, "failed");
  assert.equal(
    out.invalid.exception,
    "Unable to start user endpoint process for tester [exit code: 78; (ValueError) 'parent_config' is a reserved word and cannot be passed in via user config]",
  );
});

/**
 * The Python SDK Executor's wire sequence (REST with requests, AMQP with pika, results with dill),
 * replayed by `sdkLikeClient.py` against the emulator: the Python side of the protocol works unchanged.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { promisify } from "node:util";
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

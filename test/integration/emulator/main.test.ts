/**
 * `npm run emulator`: the first stdout line is the JSON handle; SIGTERM to npm (which dies without
 * forwarding it) or Ctrl-C (SIGINT to the whole process group) stops broker, emulator and workers,
 * leaving no process behind.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { api, strayProcesses } from "./helpers";

interface Started {
  child: ChildProcess;
  info: { base_url: string; amqp_url: string; token: string; endpoints: string[]; control_secret: string };
  marker: string;
}

async function startCli(): Promise<Started> {
  // Every process the emulator starts inherits this variable, so leftovers can be found by it.
  const marker = `GC_EMULATOR_TEST_MARKER=${randomUUID()}`;
  const [key, value] = marker.split("=");
  const child = spawn("npm", ["run", "--silent", "emulator"], {
    cwd: `${__dirname}/../../..`,
    env: { ...process.env, [key]: value, EMULATOR_RATE_LIMIT: "off" },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code} before printing its handle`)));
  });
  lines.close();
  return { child, info: JSON.parse(first), marker };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

async function checkUsable({ info }: Started): Promise<void> {
  assert.deepEqual(Object.keys(info).slice(0, 4), ["base_url", "amqp_url", "token", "endpoints"]);
  assert.match(info.amqp_url, /^amqp:\/\//);
  assert.equal(info.endpoints.length, 1);
  const em = { baseUrl: info.base_url, token: info.token };
  const status = await api(em, "GET", `/v2/endpoints/${info.endpoints[0]}/status`);
  assert.equal(status.body.status, "online");
}

/** npm may exit before the emulator has finished stopping: wait for the emulator's own processes to end. */
async function leftovers(marker: string): Promise<unknown[]> {
  const deadline = Date.now() + 20_000;
  while (strayProcesses([marker]).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return strayProcesses([marker]);
}

describe("npm run emulator", () => {
  it("prints its handle first and stops cleanly when npm gets SIGTERM", async () => {
    const started = await startCli();
    await checkUsable(started);
    assert.notDeepEqual(strayProcesses([started.marker]), [], "the marker finds the running processes");
    started.child.kill("SIGTERM");
    await exited(started.child);
    assert.deepEqual(await leftovers(started.marker), []);
  });

  it("stops cleanly on Ctrl-C (SIGINT to the process group)", async () => {
    const started = await startCli();
    await checkUsable(started);
    process.kill(-(started.child.pid as number), "SIGINT");
    await exited(started.child);
    assert.deepEqual(await leftovers(started.marker), []);
  });
});

/** The seed's scenarios end to end through the emulated web service, a real RabbitMQ and Python workers. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { asCompleted, Executor, TaskExecutionFailed, type ComputeFuture } from "../../../core/executor";
import { packBuffers, packTaskPayload, serializeCode } from "../../../core/protocol";
import type { WatchState } from "../../../core/service/computeService";
import {
  authorizeUrl,
  clientCredentials,
  computeToken,
  createPkcePair,
  exchangeCode,
  GlobusAuthError,
  refreshTokens,
  renewingTokenProvider,
  revokeToken,
} from "../../../core/service/globus/auth";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { double, generateCollatzSequence, generateCollatzSequenceStrict } from "../../demo/seedFunctions";
import { cloudService } from "./cloudSupport";

describe("Executor against the emulated cloud service", { timeout: 240_000 }, () => {
  let em: Emulator;
  before(async () => {
    em = await startEmulator({ rateLimit: null, endpoints: [{ workers: 2 }] });
  });
  after(async () => {
    await em?.stop();
  });

  it("double(7) streams back over AMQP", async () => {
    const { service } = cloudService(em);
    const states: WatchState[] = [];
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    gce.onWatchStateChange((s) => states.push(s.state));
    const fut = gce.submit(double, 7);
    assert.equal(await fut.result(), 14);
    assert.ok(states.includes("streaming"));
    service.dispose();
  });

  it("Collatz 1..100 with asCompleted; the exception example; done() without blocking", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const futs: ComputeFuture[] = [];
    for (let n = 1; n <= 100; n++) futs.push(gce.submit(generateCollatzSequence, n));
    const strict = gce.submit(generateCollatzSequenceStrict, 1234567890);
    assert.equal(strict.done(), false);
    let count = 0;
    for await (const done of asCompleted(futs)) {
      assert.ok(done.ok);
      assert.equal((done.value as number[]).at(-1), 1);
      count++;
    }
    assert.equal(count, 100);
    const exc = await strict.exception();
    assert.ok(exc instanceof TaskExecutionFailed);
    assert.match(exc.remoteTraceback, /ValueError: Sequence not terminated in 100 steps/);
    assert.ok(Number(exc.completionT) > 1e9, "completion time from the AMQP timestamp");
    service.dispose();
  });

  it("the reload example literally: a child submits, waits for taskCountSubmitted, SIGKILLs itself; the parent reloads", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "reloadChild.ts")], {
      env: { ...process.env, GC_BASE_URL: em.baseUrl, GC_TOKEN: em.token, GC_ENDPOINT: em.endpoints[0] },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, sig) => resolve(sig)));
    assert.equal(signal, "SIGKILL");
    const group = /TASK_GROUP (\S+)/.exec(out)?.[1];
    assert.ok(group, `the child printed its task group: ${out}`);

    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const futures = await gce.reloadTasks(group);
    assert.equal(futures.length, 5);
    const results = (await Promise.all(futures)).map(String).sort();
    assert.deepEqual(results, [1, 2, 3, 4, 5].map((n) => `your Globus Compute logic result, from task: ${n}`));
    service.dispose();
  });

  it("a batch submitted with the Client (no result queue) is reloaded later and completes by polling", async () => {
    const { service } = cloudService(em);
    // "Yesterday": Client.batch_run semantics, create_queue false, so no AMQP queue exists for the group.
    const source = "def expensive_task(task_arg):\n    import time\n    time.sleep(0.5)\n    return 'All done!'\n";
    const fnId = await service.registerFunction({
      function_name: "expensive_task",
      function_code: packBuffers([serializeCode("expensive_task", source, "st")]),
      meta: { python_version: "3.11", sdk_version: "4.15.0", serde_identifier: "st" },
    });
    const payloads = Array.from({ length: 10 }, (_, i) => packTaskPayload([i], {}, "json"));
    const batch = await service.submit({ endpointId: em.endpoints[0], tasks: { [fnId]: payloads }, createQueue: false });

    // "Today":
    await using gce = new Executor({ endpointId: em.endpoints[0], service, taskGroupId: batch.taskGroupId });
    const states = new Set<WatchState>();
    gce.onWatchStateChange((s) => states.add(s.state));
    const futures = await gce.reloadTasks();
    assert.equal(futures.length, 10);
    const received = [];
    for await (const done of asCompleted(futures)) received.push(done.ok ? done.value : done.error);
    assert.deepEqual(received, Array(10).fill("All done!"));
    assert.ok(states.has("polling"), `fell back to polling: ${[...states].join(",")}`);
    service.dispose();
  });

  it("two Executors on one task group share its result stream, and neither loses results", { timeout: 60_000 }, async () => {
    const { service } = cloudService(em);
    await using first = new Executor({ endpointId: em.endpoints[0], service });
    assert.equal(await first.submit(double, 0), 0);
    await using second = new Executor({ endpointId: em.endpoints[0], service, taskGroupId: first.taskGroupId });
    // Separate consumers on one queue would each get (and ack) about half of all results.
    const watchLog: string[] = [];
    const started = Date.now();
    for (const [name, ex] of [["first", first], ["second", second]] as const) {
      ex.onWatchStateChange((c) => watchLog.push(`${Date.now() - started} ms ${name}: ${c.state}${c.reason ? ` (${c.reason})` : ""}`));
    }
    const a = Array.from({ length: 40 }, (_, i) => first.submit(double, i));
    const b = Array.from({ length: 40 }, (_, i) => second.submit(double, 100 + i));
    // It hung twice under heavy load (CI, never reproduced alone): if it does again, say what was left waiting.
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const waiting = [...a.map((f, i) => ["a", i, f] as const), ...b.map((f, i) => ["b", i, f] as const)].filter(([, , f]) => !f.done());
        const described = waiting.map(([who, i, f]) => `${who}[${i}] ${f.state} ${f.taskId ?? "(no task id)"}`);
        reject(new Error(`after 45 s, ${waiting.length} of 80 not settled: ${described.join(", ")}; watch states: ${watchLog.join("; ") || "no change"}; first ${first.watchState}, second ${second.watchState}`));
      }, 45_000);
    });
    try {
      assert.deepEqual(await Promise.race([Promise.all(a), stuck]), a.map((_, i) => i * 2));
      assert.deepEqual(await Promise.race([Promise.all(b), stuck]), b.map((_, i) => (100 + i) * 2));
    } finally {
      clearTimeout(timer);
    }
    assert.equal(second.taskGroupId, first.taskGroupId);
    service.dispose();
  });

  it("logs in with PKCE, refreshes, submits with the token, and revokes", async () => {
    const pkce = createPkcePair();
    const redirectUri = "http://127.0.0.1:1/callback";
    const authorize = async () => {
      const url = authorizeUrl({ authBaseUrl: em.baseUrl, challenge: pkce.challenge, redirectUri, state: "s1" });
      const location = new URL((await fetch(url, { redirect: "manual" })).headers.get("location") ?? "");
      assert.equal(location.searchParams.get("state"), "s1");
      return location.searchParams.get("code") as string;
    };
    await assert.rejects(
      exchangeCode({ authBaseUrl: em.baseUrl, code: await authorize(), verifier: createPkcePair().verifier, redirectUri }),
      (e: GlobusAuthError) => e.code === "invalid_grant",
    );
    const login = await exchangeCode({ authBaseUrl: em.baseUrl, code: await authorize(), verifier: pkce.verifier, redirectUri });
    const refreshToken = computeToken(login).refresh_token as string;
    const renewed = computeToken(await refreshTokens({ authBaseUrl: em.baseUrl, refreshToken }));
    const { service } = cloudService(em, { token: async () => renewed.access_token });
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    assert.equal(await gce.submit(double, 3), 6);
    await revokeToken({ authBaseUrl: em.baseUrl, token: renewed.access_token });
    const err = await gce.submit(double, 4).exception();
    assert.match(String(err), /401|UNAUTH|INVALID_AUTH/i);
    service.dispose();
  });

  it("authenticates with client credentials and refreshes once on 401", async () => {
    let grants = 0;
    const renew = async () => {
      grants++;
      return clientCredentials({ authBaseUrl: em.baseUrl, clientId: em.client.id, clientSecret: em.client.secret });
    };
    const first = computeToken(await renew());
    const { service } = cloudService(em, { token: renewingTokenProvider(renew, first) });
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    assert.equal(await gce.submit(double, 1), 2);
    assert.ok(em.control.expireToken(first.access_token));
    assert.equal(await gce.submit(double, 2), 4);
    assert.equal(grants, 2, "one fresh grant after the 401");
    service.dispose();
  });
});

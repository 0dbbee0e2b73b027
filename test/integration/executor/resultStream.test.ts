/**
 * How results keep coming (or stop, clearly) when their stream cannot be had: a broker that went silent,
 * a sign-in the service no longer takes, a short REST outage on a high-assurance endpoint. This file
 * owns its emulator and broker: one test freezes the broker's processes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Executor, type PythonFunction } from "../../../core/executor";
import type { WatchState } from "../../../core/service/computeService";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { cloudService } from "./cloudSupport";
import { until } from "../../support/until";

const sleepy: PythonFunction = {
  name: "sleepy",
  source: "def sleepy(x, s=1):\n    import time\n    time.sleep(s)\n    return x\n",
};

describe("Result streams that fail (emulator + a private RabbitMQ)", { timeout: 120_000 }, () => {
  let em: Emulator;
  before(async () => {
    em = await startEmulator({ rateLimit: null, endpoints: [{ workers: 2 }], onError: () => undefined });
  });
  after(async () => {
    em?.broker.freeze(false);
    await em?.stop();
  });

  it("a sign-in the service refuses mid-run fails the awaited tasks clearly and once; signed in again, the group reloads", { timeout: 20_000 }, async () => {
    let token = em.token;
    const { service, errors } = cloudService(em, { token: async () => token });
    const gce = new Executor({ endpointId: em.endpoints[0], service });
    const futures = [1, 2].map((x) => gce.submit(sleepy, { args: [x], kwargs: { s: 5 } }));
    await until(() => futures.every((f) => f.taskId !== undefined) && gce.watchState === "streaming", "the stream", 10_000);
    const group = gce.taskGroupId as string;
    // The token expires and cannot be refreshed (or is revoked); the connection drops meanwhile.
    token = `revoked-${em.token}`;
    await em.control.closeAmqpConnections("network blip");
    for (const f of futures) {
      const err = (await f.exception(10_000)) as Error & { code?: string };
      assert.equal(err?.code, "SIGN_IN_REFUSED", String(err));
      assert.match(err.message, new RegExp(`Sign in again, then reload task group ${group}`));
    }
    assert.equal(gce.watchState, "failed");
    assert.equal(await Promise.race([gce.shutdown({ wait: true }).then(() => "returned"), new Promise((r) => setTimeout(r, 2000, "hung"))]), "returned");
    gce.dispose();
    assert.ok(errors.length <= 1, `reported once, not per poll: ${errors.map((e) => e.message).join("; ")}`);
    // Signed in again: the same service reloads the group, and its results are all there.
    token = em.token;
    await using again = new Executor({ endpointId: em.endpoints[0], service });
    const reloaded = await again.reloadTasks(group);
    assert.deepEqual(await Promise.all(reloaded.map((f) => f.result(10_000))), [1, 2]);
    service.dispose();
  });

  it("high-assurance results outlast a REST outage longer than one call's retries: fetched again, not failed", { timeout: 20_000 }, async () => {
    const { service } = cloudService(em); // 5 retries per call, 20 ms base, 200 ms cap
    em.control.setHighAssurance(em.endpoints[0], true);
    try {
      await using gce = new Executor({ endpointId: em.endpoints[0], service });
      // Two calls' worth of retries fail: the notifications are acked by then, the results only on REST.
      em.control.failNext({ count: 12, status: 503, route: "/v2/batch_status" });
      const futures = [1, 2, 3].map((x) => gce.submit(sleepy, { args: [x], kwargs: { s: 0 } }));
      assert.deepEqual(await Promise.all(futures.map((f) => f.result(15_000))), [1, 2, 3]);
    } finally {
      em.control.setHighAssurance(em.endpoints[0], false);
      em.control.clearFaults();
      service.dispose();
    }
  });

  it("a broker gone silent is noticed by its heartbeat and results are polled meanwhile", { timeout: 20_000 }, async () => {
    const { service } = cloudService(em, { watcher: { heartbeatS: 1, connectTimeoutMs: 5000 } });
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const states: WatchState[] = [];
    gce.onWatchStateChange((s) => states.push(s.state));
    assert.equal(await gce.submit(sleepy, { args: [0], kwargs: { s: 0 } }), 0);
    await until(() => gce.watchState === "streaming", "the stream", 10_000);
    const futures = [1, 2].map((x) => gce.submit(sleepy, x));
    await until(() => futures.every((f) => f.taskId !== undefined), "the acknowledgement", 5000);
    em.broker.freeze(true);
    try {
      const frozenAt = Date.now();
      // Heartbeat 1 s: silence is noticed in 2-3 s; RabbitMQ's default (60 s) took minutes.
      assert.deepEqual(await Promise.all(futures.map((f) => f.result(10_000))), [1, 2]);
      assert.ok(Date.now() - frozenAt < 10_000);
      assert.ok(states.at(-1) !== "streaming", `the lost stream is noticed: ${states.join(",")}`);
    } finally {
      em.broker.freeze(false);
    }
    service.dispose();
  });
});

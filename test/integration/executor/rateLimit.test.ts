/**
 * A map bigger than the service's request limit allows at once (emulator + real RabbitMQ): the 429s are
 * waited out as `Retry-After` says, and every item still gets its own result, once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Executor } from "../../../core/executor";
import { SDK_RETRY_POLICY } from "../../../core/service/globus/restClient";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { double } from "../../demo/seedFunctions";
import { cloudService } from "./cloudSupport";

describe("Executor under the service's rate limit", { timeout: 120_000 }, () => {
  let em: Emulator;
  before(async () => {
    // 4 requests per 1.5 s per token: the map below needs ~11 (registration, result stream, 8 batches).
    em = await startEmulator({ rateLimit: { requests: 4, windowMs: 1500 }, endpoints: [{ workers: 2 }] });
  });
  after(async () => {
    await em?.stop();
  });

  it("a map needing more requests than the limit allows completes, waiting out each 429", async () => {
    // The SDK's own retry timing: a Retry-After of a second or two must not be cut short.
    const { service } = cloudService(em, { retry: SDK_RETRY_POLICY });
    const backOffs: (number | undefined)[] = [];
    service.onDidBackOff((b) => backOffs.push(b.status));
    await using gce = new Executor({ endpointId: em.endpoints[0], service, batchSize: 64 });
    const items = Array.from({ length: 512 }, (_, i) => i);
    const results = await gce.map(double, items, { chunk: 1 }).toArray();
    assert.deepEqual(results, items.map((i) => i * 2));
    assert.ok(backOffs.length > 0 && backOffs.every((s) => s === 429), `backed off on 429s: ${backOffs.join(",")}`);
    service.dispose();
  });
});

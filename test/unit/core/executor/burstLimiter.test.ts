import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BurstLimiter } from "../../../../core/executor/burstLimiter";

describe("BurstLimiter", () => {
  it("allows `limit` small batches per sliding window, then says how long to wait", () => {
    let now = 0;
    const limiter = new BurstLimiter(2, 1000, () => now);
    assert.equal(limiter.delayMs(), 0);
    limiter.record();
    now = 100;
    limiter.record();
    assert.equal(limiter.delayMs(), 900, "until the first send leaves the window");
    now = 1000;
    assert.equal(limiter.delayMs(), 0);
    limiter.record();
    assert.equal(limiter.delayMs(), 100);
    limiter.dispose();
  });

  it("wait() resolves at once after dispose", async () => {
    const limiter = new BurstLimiter(1, 60_000);
    limiter.record();
    const waiting = limiter.wait();
    limiter.dispose();
    await waiting;
  });
});

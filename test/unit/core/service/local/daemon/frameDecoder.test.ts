import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LocalEndpointError } from "../../../../../../core/local/errors";
import { encodeFrame, FrameDecoder } from "../../../../../../core/service/local/daemon/frameDecoder";

function decoder(max?: number) {
  const frames: unknown[] = [];
  const errors: LocalEndpointError[] = [];
  const d = new FrameDecoder(
    (f) => frames.push(f),
    (e) => errors.push(e),
    max,
  );
  return { d, frames, errors };
}

describe("FrameDecoder", () => {
  it("decodes several frames in one chunk and one frame over many chunks", () => {
    const { d, frames, errors } = decoder();
    d.push(Buffer.from(encodeFrame({ a: 1 }) + encodeFrame({ b: [2] }) + '{"c"'));
    d.push(Buffer.from(":3}\n\n"));
    assert.deepEqual(frames, [{ a: 1 }, { b: [2] }, { c: 3 }]);
    assert.deepEqual(errors, []);
  });

  it("keeps a multi-byte character split across reads intact", () => {
    const text = "é🎉中";
    const bytes = Buffer.from(encodeFrame({ text }));
    const { d, frames } = decoder();
    for (let i = 0; i < bytes.length; i++) d.push(bytes.subarray(i, i + 1));
    assert.deepEqual(frames, [{ text }]);
  });

  for (const [what, bytes, message] of [
    ["null", Buffer.from("null\n"), /must be a JSON object, got null/],
    ["an array", Buffer.from("[1,2]\n"), /got an array/],
    ["a number", Buffer.from("42\n"), /got number/],
    ["not JSON", Buffer.from("{nope\n"), /not JSON/],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), /not valid UTF-8/],
    ["a lone surrogate half (CESU)", Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22, 0x0a]), /not valid UTF-8/],
  ] as const) {
    it(`refuses ${what} with DAEMON_PROTOCOL and stops`, () => {
      const { d, frames, errors } = decoder();
      d.push(Buffer.concat([bytes, Buffer.from(encodeFrame({ after: 1 }))]));
      assert.equal(errors.length, 1);
      assert.equal(errors[0].code, "DAEMON_PROTOCOL");
      assert.match(errors[0].message, message);
      assert.deepEqual(frames, [], "nothing after a bad frame: the stream is out of step");
    });
  }

  it("refuses a frame over the limit as soon as it passes it, without waiting for its end", () => {
    const { d, errors } = decoder(1024);
    d.push(Buffer.alloc(1000, 0x20));
    assert.equal(errors.length, 0);
    d.push(Buffer.alloc(100, 0x20));
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /exceeds the 1024-byte limit/);
    d.push(Buffer.from("}\n"));
    assert.equal(errors.length, 1);
  });

  it("accepts a frame of exactly the limit", () => {
    const body = JSON.stringify({ x: "a".repeat(100) });
    const { d, frames, errors } = decoder(body.length);
    d.push(Buffer.from(body + "\n"));
    assert.deepEqual(errors, []);
    assert.equal(frames.length, 1);
  });

  it("reads a large frame in small chunks in linear time", () => {
    const big = Buffer.from(encodeFrame({ x: "y".repeat(8 * 1024 * 1024) }));
    const { d, frames } = decoder();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < big.length; i += 4096) d.push(big.subarray(i, i + 4096));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(frames.length, 1);
    // Quadratic rescanning of 2048 chunks of an 8 MiB frame takes many seconds; linear takes tens of ms.
    assert.ok(ms < 2000, `took ${ms} ms`);
  });
});

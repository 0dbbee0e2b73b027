import { test } from "node:test";
import assert from "node:assert/strict";
import { codePointLength, packBuffers, unpackBuffers } from "../../../../core/protocol/buffers";
import { ProtocolError } from "../../../../core/protocol/errors";

const invalidBuffer = (message: RegExp) => (e: unknown) => e instanceof ProtocolError && e.code === "INVALID_BUFFER" && message.test(e.message);

test("codePointLength counts code points like Python len(), lone surrogates included", () => {
  assert.equal(codePointLength(""), 0);
  assert.equal(codePointLength("a😀b"), 3);
  assert.equal(codePointLength("\ud800"), 1, "lone high surrogate");
  assert.equal(codePointLength("\udc00x"), 2, "lone low surrogate");
  assert.equal(codePointLength("\ud800\ud800\udc00"), 2, "a high surrogate before a pair");
  assert.equal(codePointLength("\udc00\ud800"), 2, "reversed pair is two code points");
});

test("pack/unpack round-trips buffers with astral characters, lone surrogates and digits", () => {
  const buffers = ["", "12\n34", "😀\ud800", "\udc00", "x".repeat(1000)];
  assert.deepEqual(unpackBuffers(packBuffers(buffers)), buffers);
  assert.deepEqual(unpackBuffers(""), []);
});

test("malformed packed buffers give INVALID_BUFFER with a precise message", () => {
  assert.throws(() => unpackBuffers("5"), invalidBuffer(/^Invalid length delimiter: 5$/));
  assert.throws(() => unpackBuffers("-1\nx"), invalidBuffer(/^Invalid length delimiter: -1$/));
  assert.throws(() => unpackBuffers("\nx"), invalidBuffer(/^Invalid length delimiter: $/));
  assert.throws(() => unpackBuffers("2\n😀"), invalidBuffer(/expected 2 characters, but only 1 characters remain/));
  assert.throws(() => unpackBuffers("99999999999999999999\nx"), invalidBuffer(/Truncated buffer/));
  assert.throws(() => unpackBuffers("1\nab"), invalidBuffer(/^Invalid length delimiter: b$/), "trailing garbage");
  assert.throws(() => unpackBuffers("x".repeat(100)), invalidBuffer(/^Invalid length delimiter: x{40}…$/), "quotes are clipped");
});

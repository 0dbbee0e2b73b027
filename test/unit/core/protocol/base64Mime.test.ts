import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeBase64Mime, encodeBase64Mime } from "../../../../core/protocol/base64Mime";
import { ProtocolError } from "../../../../core/protocol/errors";

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);

test("encodes like Python's codecs.encode(b, 'base64'): 76-char lines, one trailing newline", () => {
  assert.equal(encodeBase64Mime(new Uint8Array(0)), "");
  assert.equal(encodeBase64Mime(new Uint8Array([0x61])), "YQ==\n");
  // 57 bytes fill exactly one line: no blank line after it.
  const full = encodeBase64Mime(bytes(57));
  assert.equal(full.length, 77);
  assert.ok(full.endsWith("\n") && !full.endsWith("\n\n"));
  const two = encodeBase64Mime(bytes(58)).split("\n");
  assert.deepEqual(two.map((l) => l.length), [76, 4, 0]);
  for (const n of [0, 1, 56, 57, 58, 114, 1000]) {
    const text = encodeBase64Mime(bytes(n));
    assert.ok(text.split("\n").slice(0, -1).every((l) => l.length <= 76));
    assert.deepEqual(decodeBase64Mime(text), bytes(n));
  }
});

test("decodes tolerantly: any whitespace or CRLF, missing padding", () => {
  assert.deepEqual(decodeBase64Mime("gARO\r\nLg==\r\n"), new Uint8Array([0x80, 0x04, 0x4e, 0x2e]));
  assert.deepEqual(decodeBase64Mime(" gAROLg "), new Uint8Array([0x80, 0x04, 0x4e, 0x2e]));
  assert.deepEqual(decodeBase64Mime(""), new Uint8Array(0));
});

test("rejects non-base64 text with a typed error instead of skipping it", () => {
  for (const [text, message] of [
    ["gAR*Lg==", /character "\*" at offset 3/],
    ["gA-_Lg==", /character "-"/],
    ["gA=RLg==", /misplaced '='/],
    ["gAROL", /one more than a multiple of 4/],
    ["{\"a\": 1}", /character/],
    // In encodebytes' own layout, which is read without a scan when valid: Node's decoder would take the
    // URL-safe alphabet and skip a stray character.
    [encodeBase64Mime(bytes(300)).replace(/[+/]/, "-"), /character "-"/],
    [encodeBase64Mime(bytes(300)).replace(/[+/]/, "_"), /character "_"/],
    [encodeBase64Mime(bytes(300)).replace("\n", "*\n"), /character "\*"/],
  ] as const) {
    assert.throws(
      () => decodeBase64Mime(text),
      (e: unknown) => e instanceof ProtocolError && e.code === "INVALID_PICKLE" && message.test(e.message),
      text,
    );
  }
});

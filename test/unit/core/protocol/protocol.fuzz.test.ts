/**
 * Property-based fuzzing (fast-check; FUZZ_RUNS / FUZZ_SEED, see test/support/fuzz.ts) of the decoders
 * that read untrusted wire data: unpackBuffers, deserializeData (11 / 13 / 00 bodies) and the
 * result-message decoder unpackMessage, from random and mutated inputs. Each input must give a value or
 * a ProtocolError within the time budget; whatever a decoder builds must also format and display.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ProtocolError,
  decodeBase64Mime,
  deserializeData,
  encodeBase64Mime,
  formatPython,
  packBuffers,
  packMessage,
  serializeData,
  toDisplayJson,
  unpackBuffers,
  unpackMessage,
  type Message,
  type PyValue,
  PyDict,
} from "../../../../core/protocol";
import { loadVectors } from "../../../support/vectors";
import { fuzzProperty, fuzzTestOptions } from "../../../support/fuzz";
import { RandomPy } from "./randomPyValue";

/** Per decoder: how many inputs gave a value, so a fuzzer that only ever hits one error proves it. */
const decoded = new Map<string, number>();

/** Runs `fn` on `input`; only ProtocolError may escape. Returns the result or undefined. */
function valueOrProtocolError<T, R>(fn: (x: T) => R, input: T, what: string): R | undefined {
  try {
    const r = fn(input);
    decoded.set(what, (decoded.get(what) ?? 0) + 1);
    return r;
  } catch (e) {
    if (e instanceof ProtocolError) return undefined;
    const shown = typeof input === "string" ? JSON.stringify(input.slice(0, 300)) : Buffer.from(input as Uint8Array).toString("hex").slice(0, 600);
    assert.fail(`${what} threw ${String(e)} for ${shown}`);
  }
}

const TEXT_PIECES = ["\n", "0", "9", "99999999999", ":", '"', "\\", "[", "{", "}", "]", ",", "😀", "\ud800", "-", "e", "NaN"];

type TextEdit = (s: string, at: number) => string;
const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.constantFrom(...TEXT_PIECES).map((p) => (s: string, at: number) => s.slice(0, at) + p + s.slice(at)),
  fc.nat({ max: 8 }).map((n) => (s: string, at: number) => s.slice(0, at) + s.slice(at + 1 + n)),
  fc.nat({ max: 0x7f }).map((c) => (s: string, at: number) => s.slice(0, at) + String.fromCharCode(c) + s.slice(at + 1)),
  fc.constant((s: string, at: number) => s.slice(0, at)),
  fc.nat({ max: 16 }).map((n) => (s: string, at: number) => s.slice(0, at) + s.slice(at, at + n) + s.slice(at)),
  fc.string({ maxLength: 4 }).map((r) => (s: string, at: number) => s.slice(0, at) + r + s.slice(at)),
  fc.nat({ max: 999 }).map((n) => (s: string, at: number) => s.slice(0, at) + String(n) + s.slice(at)),
);

/** 1–4 text edits: structural characters, deletions, duplications, truncation. */
function mutatedText(corpus: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...corpus), fc.array(fc.tuple(textEdit, fc.nat()), { minLength: 1, maxLength: 4 })).map(([s, edits]) => {
    for (const [edit, at] of edits) s = edit(s, at % (s.length + 1));
    return s;
  });
}

const BYTE_INSERTS = [[0xff, 0xff, 0xff, 0xff], [0x00], [0x28], [0x2e], [0x94], [0x68, 0x00], [0x95, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]];
type ByteEdit = (b: number[], at: number) => void;
const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.nat({ max: 255 }).map((v) => (b: number[], at: number) => void (b[at] = v)),
  fc.constantFrom(...BYTE_INSERTS).map((ins) => (b: number[], at: number) => void b.splice(at, 0, ...ins)),
  fc.nat({ max: 5 }).map((n) => (b: number[], at: number) => void b.splice(at, 1 + n)),
  fc.constant((b: number[], at: number) => void (b.length = Math.min(b.length, at))),
  fc.nat({ max: 12 }).map((n) => (b: number[], at: number) => void b.splice(at, 0, ...b.slice(at, at + n))),
);

/** 1–4 byte edits, biased towards pickle-relevant values (opcodes, huge lengths). */
function mutatedBytes(corpus: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.constantFrom(...corpus), fc.array(fc.tuple(byteEdit, fc.nat()), { minLength: 1, maxLength: 4 })).map(([src, edits]) => {
    const b = Array.from(src);
    for (const [edit, at] of edits) {
      edit(b, at % (b.length + 1));
      // A hole left by an assignment past the end is a 0 byte, not undefined.
      for (let i = 0; i < b.length; i++) b[i] ??= 0;
    }
    return Uint8Array.from(b);
  });
}

/** Exercises the readers of a decoded value too (they must cope with whatever a decoder builds). */
function render(v: PyValue): void {
  assert.ok(formatPython(v, { maxLength: 500 }).length <= 500);
  try {
    toDisplayJson(v);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
}

test("unpackBuffers: random and mutated packed buffers", fuzzTestOptions(60_000), (t) => {
  const rnd = new RandomPy(1);
  const corpus = [
    ...loadVectors("pack_buffers").map((c) => c.expected as string),
    ...Array.from({ length: 50 }, () => packBuffers(Array.from({ length: rnd.int(4) }, () => rnd.str(20)))),
  ];
  const input = fc.oneof({ arbitrary: mutatedText(corpus), weight: 9 }, { arbitrary: fc.string({ maxLength: 40 }), weight: 1 });
  const { inputs } = fuzzProperty(t, "unpackBuffers", input, (text) => void valueOrProtocolError(unpackBuffers, text, "unpackBuffers"), { ciRuns: 20_000 });
  assertMix("unpackBuffers", inputs);
});

test("deserializeData: mutated 11 / 13 / 00 payloads", fuzzTestOptions(60_000), (t) => {
  const rnd = new RandomPy(2);
  const values = Array.from({ length: 60 }, () => rnd.value());
  const serialize = (s: "json" | "dill" | "all") => values.flatMap((v) => valueOrProtocolError((x: PyValue) => serializeData(x, s), v, "serializeData") ?? []);
  const json = [...serialize("json"), ...loadVectors("json_data").flatMap((c) => (c.expected as string | null) ?? [])];
  const dill = [...serialize("dill"), ...loadVectors("dill_data").map((c) => c.expected as string)];
  const all = serialize("all");
  const pickles = dill.map((p) => decodeBase64Mime(p.slice(3)));
  const input = fc.oneof(
    mutatedText(json),
    mutatedText(all),
    mutatedBytes(pickles).map((b) => "00\n" + encodeBase64Mime(b)),
    mutatedText(dill),
    fc.tuple(fc.constantFrom("11\n", "13\n", "00\n"), fc.string({ maxLength: 40 })).map(([h, s]) => h + s),
  );
  const { inputs } = fuzzProperty(t, "deserializeData", input, (payload) => {
    const v = valueOrProtocolError(deserializeData, payload, "deserializeData");
    if (v !== undefined) render(v);
  }, { ciRuns: 20_000 });
  assertMix("deserializeData", inputs);
});

test("unpackMessage (the result-message decoder): random and mutated envelopes", fuzzTestOptions(60_000), (t) => {
  const corpus: Uint8Array[] = [
    ...loadVectors()
      .filter((c) => ["result_message", "task_message", "invalid_envelope"].includes(c.kind))
      .map((c) => new Uint8Array(Buffer.from((c.expected as string | null) ?? (c.input.bytes_base64 as string), "base64"))),
    ...loadVectors("remote_result").map((c) => new Uint8Array(Buffer.from(c.result_message_base64 as string, "base64"))),
    packMessage({
      message_type: "ep_status_report",
      data: { endpoint_id: "c0ffee00-0000-4000-8000-000000000001", global_state: PyDict.fromObject({ a: 1 }), task_statuses: {} },
    } as Message),
  ];
  const asText = corpus.map((b) => Buffer.from(b.subarray(1)).toString("utf8"));
  const input = fc.oneof(
    { arbitrary: fc.constantFrom(...corpus), weight: 1 },
    { arbitrary: mutatedBytes(corpus), weight: 4 },
    { arbitrary: mutatedText(asText).map((s) => new Uint8Array([1, ...Buffer.from(s, "utf8")])), weight: 4 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 1 },
  );
  const { inputs } = fuzzProperty(t, "unpackMessage", input, (bytes) => {
    const message = valueOrProtocolError(unpackMessage, bytes, "unpackMessage");
    // A result's data is decoded next, as the result router does: value or ProtocolError too.
    if (message?.message_type === "result" && typeof message.data.data === "string") {
      const v = valueOrProtocolError(deserializeData, message.data.data, "resultData");
      if (v !== undefined) render(v);
    }
  }, { ciRuns: 20_000 });
  assertMix("unpackMessage", inputs);
});

/** Both outcomes must be common: mutations that always fail early (or never) would test little. */
function assertMix(what: string, inputs: number): void {
  const ok = decoded.get(what) ?? 0;
  assert.ok(ok > inputs * 0.05 && ok < inputs * 0.95, `${what}: ${ok} of ${inputs} inputs decoded`);
}

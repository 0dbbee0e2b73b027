/**
 * Fuzzing the three decoders that read untrusted wire data: 100k random and mutated inputs each to
 * unpackBuffers, deserializeData (11 / 13 / 00 bodies) and unpackMessage. Each input must give a value
 * or a ProtocolError; anything else fails with the seed and the input. Seeded, so failures reproduce.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
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
  PyDict,
} from "../../../../core/protocol";
import { loadVectors } from "../../../support/vectors";
import { RandomPy } from "./randomPyValue";

const RUNS = 100_000;
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** Per decoder: how many inputs gave a value, so a fuzzer that only ever hits one error proves it. */
const decoded = new Map<string, number>();

/** Runs `fn` on `input`; only ProtocolError may escape. Returns the result or undefined. */
function expectValueOrProtocolError<T, R>(fn: (x: T) => R, input: T, what: string, i: number): R | undefined {
  try {
    const r = fn(input);
    decoded.set(what, (decoded.get(what) ?? 0) + 1);
    return r;
  } catch (e) {
    if (e instanceof ProtocolError) return undefined;
    const shown = typeof input === "string" ? JSON.stringify(input.slice(0, 300)) : Buffer.from(input as Uint8Array).toString("hex").slice(0, 600);
    assert.fail(`${what} #${i} (seed ${SEED}) threw ${String(e)} for ${shown}`);
  }
}

/** Text mutations: flips, inserts of structural characters, deletions, duplications, truncation. */
function mutateText(rnd: RandomPy, s: string): string {
  const edits = 1 + rnd.int(4);
  for (let k = 0; k < edits; k++) {
    const at = rnd.int(s.length + 1);
    switch (rnd.int(7)) {
      case 0:
        s = s.slice(0, at) + rnd.pick(["\n", "0", "9", "99999999999", ":", '"', "\\", "[", "{", "}", "]", ",", "😀", "\ud800", "-", "e", "NaN"]) + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + rnd.int(8));
        break;
      case 2:
        s = s.slice(0, at) + String.fromCharCode(rnd.int(0x80)) + s.slice(at + 1);
        break;
      case 3:
        s = s.slice(0, at);
        break;
      case 4: {
        const len = rnd.int(16);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      }
      case 5:
        s = s.slice(0, at) + rnd.str(4) + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + String(rnd.int(1000)) + s.slice(at);
    }
  }
  return s;
}

/** Byte mutations, biased towards pickle-relevant values (opcodes, huge lengths). */
function mutateBytes(rnd: RandomPy, b: Uint8Array): Uint8Array {
  const out = Array.from(b);
  const edits = 1 + rnd.int(4);
  for (let k = 0; k < edits; k++) {
    const at = rnd.int(out.length + 1);
    switch (rnd.int(5)) {
      case 0:
        out[at] = rnd.int(256);
        break;
      case 1:
        out.splice(at, 0, ...rnd.pick([[0xff, 0xff, 0xff, 0xff], [0x00], [0x28], [0x2e], [0x94], [0x68, 0x00], [0x95, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]]));
        break;
      case 2:
        out.splice(at, 1 + rnd.int(6));
        break;
      case 3:
        out.length = Math.min(out.length, at);
        break;
      default:
        out.splice(at, 0, ...out.slice(at, at + rnd.int(12)));
    }
  }
  return Uint8Array.from(out);
}

function randomText(rnd: RandomPy): string {
  return rnd.str(40);
}

/** Exercises the readers of a decoded value too (they must cope with whatever a decoder builds). */
function render(v: unknown): void {
  formatPython(v as never, { maxLength: 500 });
  try {
    toDisplayJson(v as never);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
}

test(`unpackBuffers: ${RUNS} random and mutated inputs`, { timeout: 60_000 }, () => {
  const rnd = new RandomPy(SEED);
  const corpus = [
    ...loadVectors("pack_buffers").map((c) => c.expected as string),
    ...Array.from({ length: 50 }, () => packBuffers(Array.from({ length: rnd.int(4) }, () => rnd.str(20)))),
  ];
  for (let i = 0; i < RUNS; i++) {
    const input = i % 10 === 0 ? randomText(rnd) : mutateText(rnd, rnd.pick(corpus));
    expectValueOrProtocolError(unpackBuffers, input, "unpackBuffers", i);
  }
  assertMix("unpackBuffers");
});

test(`deserializeData: ${RUNS} mutated 11 / 13 / 00 payloads`, { timeout: 60_000 }, () => {
  const rnd = new RandomPy(SEED + 1);
  const values = Array.from({ length: 60 }, () => rnd.value());
  const serialize = (s: "json" | "dill" | "all") =>
    values.flatMap((v) => expectValueOrProtocolError((x: typeof v) => serializeData(x, s), v, "serializeData", 0) ?? []);
  const json = [...serialize("json"), ...loadVectors("json_data").flatMap((c) => (c.expected as string | null) ?? [])];
  const dill = [...serialize("dill"), ...loadVectors("dill_data").map((c) => c.expected as string)];
  const all = serialize("all");
  const pickles = dill.map((p) => decodeBase64Mime(p.slice(3)));
  for (let i = 0; i < RUNS; i++) {
    let input: string;
    switch (i % 4) {
      case 0:
        input = mutateText(rnd, rnd.pick(json));
        break;
      case 1:
        input = mutateText(rnd, rnd.pick(all));
        break;
      case 2:
        input = "00\n" + encodeBase64Mime(mutateBytes(rnd, rnd.pick(pickles)));
        break;
      default:
        input = rnd.next() < 0.5 ? mutateText(rnd, rnd.pick(dill)) : rnd.pick(["11\n", "13\n", "00\n"]) + randomText(rnd);
    }
    const v = expectValueOrProtocolError(deserializeData, input, "deserializeData", i);
    if (v !== undefined) render(v);
  }
  assertMix("deserializeData");
});

test(`unpackMessage: ${RUNS} random and mutated envelopes`, { timeout: 60_000 }, () => {
  const rnd = new RandomPy(SEED + 2);
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
  for (let i = 0; i < RUNS; i++) {
    const input =
      i % 2 === 0
        ? mutateBytes(rnd, rnd.pick(corpus))
        : new Uint8Array([1, ...Buffer.from(mutateText(rnd, rnd.pick(asText)), "utf8")]);
    expectValueOrProtocolError(unpackMessage, input, "unpackMessage", i);
  }
  assertMix("unpackMessage");
});

/** Both outcomes must be common: mutations that always fail early (or never) would test little. */
function assertMix(what: string): void {
  const ok = decoded.get(what) ?? 0;
  assert.ok(ok > RUNS * 0.05 && ok < RUNS * 0.95, `${what}: ${ok} of ${RUNS} inputs decoded`);
}

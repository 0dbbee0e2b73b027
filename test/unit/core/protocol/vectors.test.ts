/**
 * Every case of the wire vectors (`test/fixtures/vectors/wire-vectors.json`, produced by the real
 * Python SDK) for the kinds core/protocol owns: exact encodes where `expected` is given, exact decodes,
 * typed errors where `expect_error`.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  PyDict,
  PyObject,
  PyTuple,
  ProtocolError,
  decodePickle,
  deserializeCode,
  deserializeData,
  encodeBase64Mime,
  encodePickle,
  formatPython,
  fromTagged,
  isErrorResult,
  packBuffers,
  packMessage,
  packTaskPayload,
  pyEquals,
  pyJsonLoads,
  serializeCode,
  serializeData,
  toDisplayJson,
  toTagged,
  unpackBuffers,
  unpackMessage,
  unpackTaskBuffer,
  type DataStrategy,
  type Message,
  type PyValue,
  type ResultData,
} from "../../../../core/protocol";
import { loadVectors, VECTORS_PATH, type VectorCase } from "../../../support/vectors";

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));
const toB64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

function assertProtocolError(fn: () => unknown, code: string, message?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `expected a ProtocolError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

/** Every kind this file covers; a new kind in the vectors file fails the census test below. */
const KINDS = [
  "pack_buffers",
  "unpack_buffers",
  "json_data",
  "dill_data",
  "code_source",
  "task_payload",
  "result_message",
  "task_message",
  "invalid_envelope",
  "remote_exception",
  "remote_result",
];

test("the vectors file holds only kinds covered here, and all of them", () => {
  const kinds = new Set(loadVectors().map((c) => c.kind));
  assert.deepEqual([...kinds].sort(), [...KINDS].sort());
});

describe("pack_buffers", () => {
  for (const c of loadVectors("pack_buffers")) {
    test(c.id, () => assert.equal(packBuffers(c.input.buffers as string[]), c.expected));
  }
});

describe("unpack_buffers", () => {
  for (const c of loadVectors("unpack_buffers")) {
    test(c.id, () => {
      const packed = c.input.packed as string;
      if (c.expect_error) return assertProtocolError(() => unpackBuffers(packed), "INVALID_BUFFER", c.error_message as string);
      const buffers = unpackBuffers(packed);
      assert.deepEqual(buffers, c.expected);
      assert.equal(packBuffers(buffers), c.repacked);
    });
  }
});

describe("json_data", () => {
  for (const c of loadVectors("json_data")) {
    test(c.id, () => {
      const value = fromTagged(c.input.value);
      assert.equal(formatPython(value), c.python_repr);
      if (c.expect_error) return assertProtocolError(() => serializeData(value, "json"), "NOT_SERIALIZABLE", c.error_message as string);
      assert.equal(serializeData(value, "json"), c.expected);
      assert.deepEqual(toDisplayJson(deserializeData(c.expected as string)), c.decoded_json);
    });
  }
});

describe("dill_data", () => {
  for (const c of loadVectors("dill_data")) {
    test(c.id, () => {
      const expected = c.expected as string;
      const protocol = Number(c.input.pickle_protocol) as 4 | 5;
      if (!c.decodable) {
        // An object TypeScript cannot rebuild: a typed error or an opaque placeholder, never a wrong value.
        let decoded: PyValue;
        try {
          decoded = deserializeData(expected);
        } catch (e) {
          assert.ok(e instanceof ProtocolError, String(e));
          return;
        }
        const original = fromTagged(c.input.value);
        assert.ok(containsObject(decoded) || pyEquals(decoded, original), `decoded to ${formatPython(decoded)}`);
        return;
      }
      const value = fromTagged(c.input.value);
      const decoded = deserializeData(expected);
      assert.deepEqual(toTagged(decoded), c.decoded_tagged);
      assert.deepEqual(toDisplayJson(decoded), c.decoded_json);
      assert.equal(formatPython(decoded), c.python_repr);
      assert.ok(pyEquals(decoded, value));
      // Encoding the decoded value (equal to input.value, and sharing objects where Python's did, which
      // the memo writes as BINGET) gives dill's bytes; protocol 4 is what serializeData uses.
      if (protocol === 4) assert.equal(serializeData(decoded, "dill"), expected);
      else assert.equal("00\n" + encodeBase64Mime(encodePickle(decoded, { protocol })), expected);
    });
  }
});

function containsObject(v: PyValue): boolean {
  if (v instanceof PyObject) return true;
  if (Array.isArray(v)) return v.some(containsObject);
  if (v instanceof PyDict) return v.entries.some(([k, x]) => containsObject(k) || containsObject(x));
  if (v !== null && typeof v === "object" && "items" in v) return v.items.some(containsObject);
  return false;
}

describe("code_source", () => {
  for (const c of loadVectors("code_source")) {
    test(c.id, () => {
      const name = c.input.function_name as string;
      const source = (c.source_extracted ?? c.input.source) as string;
      const strategy = c.input.serde_identifier as "st" | "04";
      const serialized = serializeCode(name, source, strategy);
      assert.equal(serialized, c.expected);
      assert.equal(packBuffers([serialized]), c.function_code);
      assert.deepEqual(deserializeCode(serialized), { name, source });
      if (strategy === "04") {
        const tuple = decodePickle(b64(serialized.slice(3).replaceAll("\n", "")));
        assert.deepEqual(toTagged(tuple), c.decoded_tagged);
      } else {
        // sd is st's wire format (only the way Python extracts the source differs).
        const sd = serializeCode(name, source, "sd");
        assert.equal(sd, "sd" + serialized.slice(2));
        assert.deepEqual(deserializeCode(sd), { name, source });
      }
    });
  }
});

const STRATEGIES: Record<string, DataStrategy> = { JSONData: "json", DillDataBase64: "dill", AllDataStrategies: "all" };

describe("task_payload", () => {
  for (const c of loadVectors("task_payload")) {
    test(c.id, () => {
      const args = fromTagged(c.input.args) as PyTuple;
      const kwargs = fromTagged(c.input.kwargs) as PyDict;
      const strategy = { args: STRATEGIES[c.input.args_strategy as string], kwargs: STRATEGIES[c.input.kwargs_strategy as string] };
      assert.equal(serializeData(args, strategy.args), c.args_serialized);
      assert.equal(serializeData(kwargs, strategy.kwargs), c.kwargs_serialized);
      assert.equal(packTaskPayload(args, kwargs, strategy), c.expected);
      assert.equal(packTaskPayload(args.items, kwargs, strategy), c.expected, "a plain array of args is sent as the tuple");
      // What the endpoint gets back from the whole task buffer.
      const view = c.endpoint_view as { args: unknown; kwargs: unknown };
      const task = unpackTaskBuffer(c.task_buffer as string);
      assert.equal(task.fn.name, "probe");
      assert.ok(pyEquals(task.args, fromTagged(view.args)), formatPython(task.args));
      assert.ok(pyEquals(task.kwargs, fromTagged(view.kwargs)), formatPython(task.kwargs));
    });
  }
});

/**
 * `input.fields` of the envelope cases, read losslessly: the shared loader keeps float-vs-int only in
 * its fixed lossless fields, and `details` floats (`100.0`) must stay floats to re-pack exactly.
 */
function losslessFields(id: string): PyDict {
  const all = pyJsonLoads(readFileSync(VECTORS_PATH, "utf8")) as PyValue[];
  const c = all.find((x) => x instanceof PyDict && x.get("id") === id) as PyDict;
  // Resolving the README tags (`__int__`, `__float__`) inside the exact PyValue.
  return fromTagged(toTagged(((c.get("input") as PyDict).get("fields") as PyDict) ?? null)) as PyDict;
}

function messageFromFields(kind: string, f: PyDict): Message {
  const opt = <T>(k: string, conv: (v: PyValue) => T): T | null => (f.has(k) && f.get(k) !== null ? conv(f.get(k)!) : null);
  if (kind === "task_message") {
    return {
      message_type: "task",
      data: {
        task_id: f.get("task_id") as string,
        container_id: opt("container_id", (v) => v as string),
        container: null,
        task_buffer: f.get("task_buffer") as string,
      },
    };
  }
  const data: ResultData = {
    task_id: f.get("task_id") as string,
    data: f.get("data") as string,
    details: opt("details", (v) => v as PyDict),
    error_details: opt("error_details", (v) => {
      const d = v as PyDict;
      return { code: d.get("code") as string, user_message: d.get("user_message") as string };
    }),
    task_statuses: opt("task_statuses", (v) =>
      (v as PyDict[]).map((t) => ({ timestamp: BigInt(t.get("timestamp") as bigint), state: t.get("state") as string, actor: t.get("actor") as string })),
    ),
  };
  return { message_type: "result", data };
}

/** An unpacked message in the vectors' `decoded` notation (big ints tagged, details as display JSON). */
function asDecoded(msg: Message): unknown {
  return JSON.parse(
    JSON.stringify(msg, (_k, v: unknown) =>
      typeof v === "bigint" ? toDisplayJson(v) : v instanceof PyDict ? toDisplayJson(v) : v,
    ),
  );
}

function checkEnvelope(c: VectorCase): void {
  const expected = b64(c.expected as string);
  assert.equal(Buffer.from(expected.subarray(1)).toString("utf8"), c.expected_text_after_version_byte);
  const decoded = c.decoded as { data: unknown; is_error?: boolean; message_type: string };
  if (c.direction === "pack") {
    const msg = messageFromFields(c.kind, losslessFields(c.id));
    assert.equal(toB64(packMessage(msg)), c.expected);
  } else {
    const input = b64((c.input as { bytes_base64: string }).bytes_base64);
    assert.equal(toB64(packMessage(unpackMessage(input))), c.expected, "pack(unpack(input))");
  }
  const unpacked = unpackMessage(expected);
  assert.deepEqual(asDecoded(unpacked), { message_type: decoded.message_type, data: decoded.data });
  if (unpacked.message_type === "result") assert.equal(isErrorResult(unpacked.data), decoded.is_error);
  assert.equal(toB64(packMessage(unpacked)), c.expected, "pack(unpack(expected))");
}

describe("result_message", () => {
  for (const c of loadVectors("result_message")) test(c.id, () => checkEnvelope(c));
});

describe("task_message", () => {
  for (const c of loadVectors("task_message")) test(c.id, () => checkEnvelope(c));
});

const ENVELOPE_ERRORS: Record<string, [code: string, message?: string]> = {
  "invalid_envelope/unknown-version": ["UNRECOGNIZED_PROTOCOL_VERSION", "message had unknown protocol version 2"],
  "invalid_envelope/unknown-message-type": ["UNKNOWN_MESSAGE_TYPE"],
  "invalid_envelope/missing-data": ["INVALID_MESSAGE"],
  "invalid_envelope/empty-buffer": ["INVALID_MESSAGE", "cannot detect_protocol_version on empty data"],
};

describe("invalid_envelope", () => {
  for (const c of loadVectors("invalid_envelope")) {
    test(c.id, () => {
      assert.ok(c.expect_error);
      const [code, message] = ENVELOPE_ERRORS[c.id];
      assertProtocolError(() => unpackMessage(b64(c.input.bytes_base64 as string)), code, message);
    });
  }
});

function checkRemote(c: VectorCase): void {
  const bytes = b64(c.result_message_base64 as string);
  const msg = unpackMessage(bytes);
  assert.equal(msg.message_type, "result");
  if (msg.message_type !== "result") return;
  assert.equal(msg.data.data, c.expected);
  assert.deepEqual(msg.data.error_details, c.error_details);
  assert.equal(isErrorResult(msg.data), c.is_error);
  assert.equal(msg.data.task_statuses?.[0].timestamp, 1754600000000000000n);
  assert.equal(toB64(packMessage(msg)), c.result_message_base64, "re-packs to the endpoint's bytes");
  if (c.kind === "remote_result") assert.deepEqual(toDisplayJson(deserializeData(msg.data.data)), c.result_decoded_json);
  // The task the endpoint ran, from its envelope.
  const task = unpackMessage(b64(c.input.task_message_base64 as string));
  assert.equal(task.message_type, "task");
  if (task.message_type !== "task") return;
  assert.equal(task.data.task_buffer, c.input.task_buffer);
  assert.equal(unpackTaskBuffer(task.data.task_buffer).fn.name, c.input.function_name);
}

describe("remote_exception", () => {
  for (const c of loadVectors("remote_exception")) test(c.id, () => checkRemote(c));
});

describe("remote_result", () => {
  for (const c of loadVectors("remote_result")) test(c.id, () => checkRemote(c));
});

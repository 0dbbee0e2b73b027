/**
 * The globus-compute-common "messagepack" envelope, protocol v1 (protocol.md §6): one version byte
 * `0x01`, then compact UTF-8 JSON `{"message_type": …, "data": {…}}`. Packing reproduces pydantic's
 * bytes (field order, `null` for None, lower-case UUIDs, pydantic float text); unpacking mirrors
 * upstream's checks as typed ProtocolErrors and ignores unknown keys.
 */
import { isUtf8 } from "node:buffer";
import { readCanonicalResult } from "./canonicalResult";
import { ProtocolError } from "./errors";
import { exactValue, isPlainObject, NOT_EXACT } from "./exactJson";
import type { Message, MessageType, TaskTransition } from "./messages";
import { pydanticJson } from "./pydanticJson";
import { pyJsonLoads } from "./pyJson";
import { PyDict, PyFloat, type PyValue } from "./pyValue";

export const PROTOCOL_VERSION = 1;

/** How each field is checked on unpack and written on pack. A `?` kind may be absent or null. */
type FieldKind =
  | "uuid"
  | "uuid?"
  | "str"
  | "int"
  | "dict"
  | "dict?"
  | "errorDetails?"
  | "transitions?"
  | "transitionsByTask";

interface Field {
  name: string;
  kind: FieldKind;
  /** Another name the field is accepted under when unpacking (pydantic alias). */
  alias?: string;
}

/** Field order is the pydantic models' declaration order, which is the packed key order. */
const SCHEMAS: Record<MessageType, readonly Field[]> = {
  result: [
    { name: "task_id", kind: "uuid" },
    { name: "data", kind: "str" },
    { name: "details", kind: "dict?" },
    { name: "error_details", kind: "errorDetails?" },
    { name: "task_statuses", kind: "transitions?" },
  ],
  task: [
    { name: "task_id", kind: "uuid" },
    { name: "container_id", kind: "uuid?" },
    { name: "container", kind: "dict?" },
    { name: "task_buffer", kind: "str" },
  ],
  task_transition: [
    { name: "timestamp", kind: "int" },
    { name: "state", kind: "str" },
    { name: "actor", kind: "str" },
  ],
  task_cancel: [{ name: "task_id", kind: "uuid" }],
  ep_status_report: [
    { name: "endpoint_id", kind: "uuid" },
    { name: "global_state", kind: "dict", alias: "ep_status_report" },
    { name: "task_statuses", kind: "transitionsByTask" },
  ],
  manager_status_report: [{ name: "task_statuses", kind: "transitionsByTask" }],
};

const TRANSITION_FIELDS = SCHEMAS.task_transition;
const ERROR_DETAILS_FIELDS: readonly Field[] = [
  { name: "code", kind: "str" },
  { name: "user_message", kind: "str" },
];

// ------------------------------------------------------------------------------------------------ pack

export function packMessage(msg: Message): Uint8Array {
  const schema = SCHEMAS[msg.message_type] as readonly Field[] | undefined;
  if (!schema) throw new ProtocolError("UNKNOWN_MESSAGE_TYPE", `unknown message_type ${JSON.stringify(msg.message_type)}`);
  // Written straight to text (no intermediate PyDict): results are packed once per task by a service.
  const json = `{"message_type":${JSON.stringify(msg.message_type)},"data":${fieldsJson(msg.data as unknown as Record<string, unknown>, schema, "data")}}`;
  const out = new Uint8Array(Buffer.byteLength(json, "utf8") + 1);
  out[0] = PROTOCOL_VERSION;
  textEncoder.encodeInto(json, out.subarray(1));
  return out;
}

const textEncoder = new TextEncoder();

/** The fields in schema order, as pydantic writes the model (keys are plain ASCII names). */
function fieldsJson(obj: Record<string, unknown>, schema: readonly Field[], where: string): string {
  let out = "{";
  for (let i = 0; i < schema.length; i++) {
    const f = schema[i];
    out += `${i === 0 ? "" : ","}"${f.name}":${fieldJson(obj[f.name], f, `${where}.${f.name}`)}`;
  }
  return out + "}";
}

function fieldJson(v: unknown, f: Field, where: string): string {
  if (v === undefined || v === null) {
    if (f.kind.endsWith("?")) return "null";
    throw invalid(`${where}: field required`);
  }
  switch (f.kind) {
    case "uuid":
    case "uuid?":
      return `"${canonicalUuid(v, where)}"`;
    case "str":
      if (typeof v !== "string") throw invalid(`${where}: expected a string`);
      return JSON.stringify(v); // escapes exactly as pydantic (see pydanticJson)
    case "int":
      if (typeof v !== "bigint" && !Number.isSafeInteger(v)) throw invalid(`${where}: expected an integer`);
      return String(v);
    case "dict":
    case "dict?":
      if (!(v instanceof PyDict)) throw invalid(`${where}: expected a PyDict`);
      return pydanticJson(v);
    case "errorDetails?":
      return fieldsJson(v as Record<string, unknown>, ERROR_DETAILS_FIELDS, where);
    case "transitions?":
      return transitionsJson(v, where);
    case "transitionsByTask": {
      const byTask = Object.entries(v as Record<string, unknown>);
      return `{${byTask.map(([id, list]) => `${JSON.stringify(id)}:${transitionsJson(list, `${where}.${id}`)}`).join(",")}}`;
    }
  }
}

function transitionsJson(v: unknown, where: string): string {
  if (!Array.isArray(v)) throw invalid(`${where}: expected a list`);
  return `[${v.map((t, i) => fieldsJson(t as Record<string, unknown>, TRANSITION_FIELDS, `${where}[${i}]`)).join(",")}]`;
}

// ---------------------------------------------------------------------------------------------- unpack

export function unpackMessage(bytes: Uint8Array): Message {
  if (bytes.length === 0) throw invalid("cannot detect_protocol_version on empty data");
  if (bytes[0] !== PROTOCOL_VERSION) {
    throw new ProtocolError("UNRECOGNIZED_PROTOCOL_VERSION", `message had unknown protocol version ${bytes[0]}`);
  }
  // amqplib delivers Buffers; any other view is wrapped, not copied.
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Validated whole (the version byte is ASCII), so every slice decoded below is valid UTF-8.
  if (!isUtf8(body)) throw new ProtocolError("INVALID_MESSAGE", "message body is not valid UTF-8");
  const canonical = readCanonicalResult(body, 1);
  if (canonical !== undefined) return canonical;
  const text = body.toString("utf8", 1);
  const fast = unpackResultFast(text);
  if (fast !== undefined) return fast;
  let envelope: PyValue;
  try {
    envelope = pyJsonLoads(text);
  } catch (e) {
    throw new ProtocolError("INVALID_MESSAGE", `message body is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!(envelope instanceof PyDict)) throw invalid("envelope: expected a JSON object");
  const type = envelope.get("message_type");
  if (typeof type !== "string") throw invalid("envelope.message_type: field required (a string)");
  if (!Object.hasOwn(SCHEMAS, type)) throw new ProtocolError("UNKNOWN_MESSAGE_TYPE", `unrecognized message_type ${JSON.stringify(type)}`);
  const data = envelope.get("data");
  if (!(data instanceof PyDict)) throw invalid("envelope.data: field required (an object)");
  return { message_type: type, data: fromWire(data, SCHEMAS[type as MessageType], "data") } as Message;
}

// ---------------------------------------------------------------------------------- unpack fast path

/*
 * Results are most of the traffic, and the exact parser costs several times JSON.parse. The fast path
 * takes a Result only when JSON.parse reads it exactly: the ns timestamps (beyond 2^53) are quoted
 * first, behind a marker no JSON text can produce otherwise, and any other number, any integer-like
 * key (JavaScript would reorder it) or any other deviation hands the text to the exact path, which
 * also gives the errors. Results of both paths are identical (test/unit/core/protocol/envelopeFastPath).
 */
/** The JSON escape of U+0000, which only this marker puts at the start of a string. */
const MARK = "\\u0000";
/** `"timestamp":123` in compact JSON, preceded by `{` or `,` so the key cannot be inside a string. */
const TIMESTAMP = /([{,])"timestamp":(-?(?:0|[1-9]\d*))(?=[,}])/g;

/** A Result read by JSON.parse, or undefined when the exact path must read the text (exported for tests). */
export function unpackResultFast(text: string): Message | undefined {
  if (!text.startsWith('{"message_type":"result"') || text.includes(MARK)) return undefined;
  let envelope: unknown;
  try {
    envelope = JSON.parse(text.replace(TIMESTAMP, `$1"timestamp":"${MARK}$2"`));
  } catch {
    return undefined;
  }
  const data = (envelope as { data?: unknown }).data;
  if (!isPlainObject(data) || (envelope as { message_type: unknown }).message_type !== "result") return undefined;
  const { task_id, data: payload, details, error_details, task_statuses } = data;
  const m = typeof task_id === "string" ? UUID_HEX.exec(task_id) : null;
  if (m === null || typeof payload !== "string") return undefined;
  const exactDetails = details === undefined || details === null ? null : exactValue(details);
  if (exactDetails === NOT_EXACT || (exactDetails !== null && !(exactDetails instanceof PyDict))) return undefined;
  const errorDetails = error_details === undefined || error_details === null ? null : error_details;
  if (errorDetails !== null && !(isPlainObject(errorDetails) && typeof errorDetails.code === "string" && typeof errorDetails.user_message === "string")) {
    return undefined;
  }
  let transitions: TaskTransition[] | null = null;
  if (task_statuses !== undefined && task_statuses !== null) {
    if (!Array.isArray(task_statuses)) return undefined;
    transitions = [];
    for (const t of task_statuses as unknown[]) {
      if (!isPlainObject(t) || typeof t.state !== "string" || typeof t.actor !== "string") return undefined;
      if (typeof t.timestamp !== "string" || !t.timestamp.startsWith("\0")) return undefined;
      transitions.push({ timestamp: BigInt(t.timestamp.slice(1)), state: t.state, actor: t.actor });
    }
    transitions = transitions.slice(); // exactly its length (pushing grew its capacity)
  }
  return {
    message_type: "result",
    data: {
      task_id: m.slice(1).join("-").toLowerCase(),
      data: payload,
      details: exactDetails,
      error_details: errorDetails === null ? null : { code: errorDetails.code as string, user_message: errorDetails.user_message as string },
      task_statuses: transitions,
    },
  };
}

function fromWire(d: PyValue | undefined, schema: readonly Field[], where: string): Record<string, unknown> {
  if (!(d instanceof PyDict)) throw invalid(`${where}: expected an object`);
  const out: Record<string, unknown> = {};
  for (const f of schema) {
    const raw = d.has(f.name) ? d.get(f.name) : f.alias !== undefined ? d.get(f.alias) : undefined;
    out[f.name] = fieldFromWire(raw, f, `${where}.${f.name}`);
  }
  return out;
}

function fieldFromWire(v: PyValue | undefined, f: Field, where: string): unknown {
  if (v === undefined || v === null) {
    if (f.kind.endsWith("?")) return null;
    throw invalid(`${where}: field required`);
  }
  switch (f.kind) {
    case "uuid":
    case "uuid?":
      return canonicalUuid(v, where);
    case "str":
      if (typeof v !== "string") throw invalid(`${where}: expected a string`);
      return v;
    case "int":
      return integer(v, where);
    case "dict":
    case "dict?":
      if (!(v instanceof PyDict)) throw invalid(`${where}: expected an object`);
      return v;
    case "errorDetails?":
      return fromWire(v, ERROR_DETAILS_FIELDS, where);
    case "transitions?":
      return transitionsFromWire(v, where);
    case "transitionsByTask": {
      if (!(v instanceof PyDict)) throw invalid(`${where}: expected an object`);
      // Object.fromEntries defines own properties, so a "__proto__" key stays plain data.
      return Object.fromEntries(v.entries.map(([id, list]) => [String(id), transitionsFromWire(list, `${where}.${String(id)}`)]));
    }
  }
}

function transitionsFromWire(v: PyValue, where: string): TaskTransition[] {
  if (!Array.isArray(v)) throw invalid(`${where}: expected a list`);
  return v.map((t, i) => fromWire(t, TRANSITION_FIELDS, `${where}[${i}]`) as unknown as TaskTransition);
}

/** Timestamps are nanoseconds (beyond 2^53), so ints are always bigint here. */
function integer(v: PyValue, where: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v) && !Object.is(v, -0)) return BigInt(v);
  // pydantic's lax mode also takes an integral float such as 1.0.
  if (v instanceof PyFloat && Number.isSafeInteger(v.value)) return BigInt(v.value);
  throw invalid(`${where}: expected an integer`);
}

const UUID_HEX = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** Python's `str(uuid.UUID(x))`: lower-case and hyphenated. */
function canonicalUuid(v: unknown, where: string): string {
  const m = typeof v === "string" ? UUID_HEX.exec(v) : null;
  if (!m) throw invalid(`${where}: expected a UUID, got ${JSON.stringify(String(v)).slice(0, 60)}`);
  return m.slice(1).join("-").toLowerCase();
}

function invalid(msg: string): ProtocolError {
  return new ProtocolError("INVALID_MESSAGE", msg);
}

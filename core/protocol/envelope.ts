/**
 * The globus-compute-common "messagepack" envelope, protocol v1 (protocol.md §6): one version byte
 * `0x01`, then compact UTF-8 JSON `{"message_type": …, "data": {…}}`. Packing reproduces pydantic's
 * bytes (field order, `null` for None, lower-case UUIDs, pydantic float text); unpacking mirrors
 * upstream's checks as typed ProtocolErrors and ignores unknown keys.
 */
import { isUtf8 } from "node:buffer";
import { ProtocolError } from "./errors";
import type { ErrorDetails, Message, MessageType, TaskTransition } from "./messages";
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

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function unpackMessage(bytes: Uint8Array): Message {
  if (bytes.length === 0) throw invalid("cannot detect_protocol_version on empty data");
  if (bytes[0] !== PROTOCOL_VERSION) {
    throw new ProtocolError("UNRECOGNIZED_PROTOCOL_VERSION", `message had unknown protocol version ${bytes[0]}`);
  }
  let text: string;
  if (Buffer.isBuffer(bytes)) {
    // What amqplib delivers: validated whole (the version byte is ASCII) and decoded from an offset, so
    // no view of the body is made per message.
    if (!isUtf8(bytes)) throw new ProtocolError("INVALID_MESSAGE", "message body is not valid UTF-8");
    text = bytes.toString("utf8", 1);
  } else {
    try {
      text = utf8.decode(bytes.subarray(1));
    } catch (e) {
      throw new ProtocolError("INVALID_MESSAGE", "message body is not valid UTF-8", { cause: e });
    }
  }
  const fast = unpackResultCanonical(text) ?? unpackResultFast(text);
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
const INDEX_LIKE_KEY = /^(?:0|[1-9]\d*)$/;
const NOT_EXACT = Symbol("not exact");

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
    transitions = exactCopy(transitions);
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

/*
 * Faster still: a Result in exactly the layout pydantic writes (compact JSON, the fields once each in
 * declaration order, a canonical task id) is read by position, so JSON.parse only sees the small
 * `details` and `error_details` objects. Anything else goes to unpackResultFast.
 */
const CANONICAL_HEAD = '{"message_type":"result","data":{"task_id":"';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** `text` holds `part` at `at`: a slice compared whole is faster than `startsWith(part, at)` in V8 (1.8 µs per Result, not 3.1). */
function has(text: string, at: number, part: string): boolean {
  return text.slice(at, at + part.length) === part;
}

/**
 * Where the last positional read (readString, knownString, readTransitions) stopped: one index, not an
 * object per field, since a Result has a dozen fields and there is one Result per task.
 */
let readEnd = 0;

/** A Result in pydantic's own layout, or undefined for any other text (exported for tests). */
export function unpackResultCanonical(text: string): Message | undefined {
  if (!has(text, 0, CANONICAL_HEAD)) return undefined;
  let at = CANONICAL_HEAD.length;
  if (!isCanonicalUuid(text, at) || !has(text, at + 36, '","data":')) return undefined;
  const taskId = text.slice(at, at + 36);
  at += 36;
  const data = readString(text, at + 9);
  if (data === undefined || !has(text, readEnd, ',"details":')) return undefined;
  at = readEnd + 11;
  let details: PyDict | null | undefined;
  if (lastDetails !== undefined && has(text, at, lastDetails.json)) {
    // A JSON object ends where its text does, so the same text at `at` is the whole object.
    details = lastDetails.value;
    readEnd = at + lastDetails.json.length;
  } else details = nullOrObject(text, at, detailsOf);
  if (details === undefined || !has(text, readEnd, ',"error_details":')) return undefined;
  const errorDetails = nullOrObject(text, readEnd + 17, errorDetailsOf);
  if (errorDetails === undefined || !has(text, readEnd, ',"task_statuses":')) return undefined;
  at = readEnd + 17;
  let transitions: TaskTransition[] | null = null;
  if (has(text, at, "null")) at += 4;
  else {
    const read = readTransitions(text, at);
    if (read === undefined) return undefined;
    transitions = read;
    at = readEnd;
  }
  if (at + 2 !== text.length || !has(text, at, "}}")) return undefined;
  return {
    message_type: "result",
    data: { task_id: taskId, data, details, error_details: errorDetails, task_statuses: transitions },
  };
}

/** A lower-case hyphenated UUID at `at` (as Python's `str(uuid)`); a loop, as a regex test costs ~5x more. */
function isCanonicalUuid(text: string, at: number): boolean {
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(at + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** `null`, or the JSON object at `at` read by `read` (then `readEnd` is past it); undefined when neither. */
function nullOrObject<T>(text: string, at: number, read: (json: string) => T | undefined): T | null | undefined {
  if (has(text, at, "null")) {
    readEnd = at + 4;
    return null;
  }
  const end = objectEnd(text, at);
  const value = end === undefined ? undefined : read(text.slice(at, end));
  if (value !== undefined) readEnd = end!;
  return value;
}

const LOWER_N = 0x6e;

/** The JSON string starting at `at` (its opening quote); `readEnd` is then the index after its closing quote. */
function readString(text: string, at: number): string | undefined {
  if (text.charCodeAt(at) !== QUOTE) return undefined;
  // The closing quote is the first one not escaped; escapes are skipped pairwise, noting whether all are
  // `\n` (a result's data is "<serializer id>\n<payload>\n": nearly every one has two and no other).
  let close = text.indexOf('"', at + 1);
  let escapes = 0;
  let onlyNewlines = true;
  for (let from = at + 1; ; ) {
    if (close < 0) return undefined;
    const backslash = text.indexOf("\\", from);
    if (backslash < 0 || backslash > close) break;
    escapes++;
    if (text.charCodeAt(backslash + 1) !== LOWER_N) onlyNewlines = false;
    from = backslash + 2;
    if (from > close) close = text.indexOf('"', from);
  }
  const raw = text.slice(at + 1, close);
  // JSON forbids control characters inside a string; the exact parser reports them.
  if (hasControl(raw)) return undefined;
  readEnd = close + 1;
  if (escapes === 0) return raw;
  if (onlyNewlines) return raw.replaceAll("\\n", "\n");
  try {
    // JSON.parse unescapes, and rejects what JSON forbids (bad escapes).
    return JSON.parse(text.slice(at, close + 1)) as string;
  } catch {
    return undefined;
  }
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

/** The index just past the JSON object or array starting at `at`; strings are skipped whole. */
function objectEnd(text: string, at: number): number | undefined {
  const open = text.charCodeAt(at);
  if (open !== 0x7b && open !== 0x5b) return undefined;
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
  }
  return undefined;
}

/**
 * The last `details` read, by its text: an endpoint's workers send the same environment with every
 * result, so most results reuse it. It is frozen, since many results share it.
 */
let lastDetails: { json: string; value: PyDict } | undefined;

/** A `details` object's text as the exact parser's PyDict, or undefined when JSON.parse cannot read it exactly. */
function detailsOf(json: string): PyDict | undefined {
  if (lastDetails?.json === json) return lastDetails.value;
  if (json.includes(MARK)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const exact = exactValue(value);
  if (!(exact instanceof PyDict)) return undefined;
  lastDetails = { json, value: deepFreeze(exact) };
  return exact;
}

function deepFreeze<T extends PyValue>(v: T): T {
  if (v instanceof PyDict) {
    for (const entry of v.entries) deepFreeze(Object.freeze(entry)[1]);
    Object.freeze(v.entries);
    Object.freeze(v);
  } else if (Array.isArray(v)) {
    for (const x of v) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function errorDetailsOf(json: string): ErrorDetails | undefined {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isPlainObject(v) || typeof v.code !== "string" || typeof v.user_message !== "string") return undefined;
  return { code: v.code, user_message: v.user_message };
}

const TRANSITION_HEAD = '{"timestamp":';
/** Transition states and actors: a handful of words, so matched in place rather than sliced out each time. */
const KNOWN_STRINGS = ["execution-start", "execution-end", "worker", "manager", "interchange", "endpoint", "running", "waiting-for-ep"];

/** One of KNOWN_STRINGS as the JSON string at `at` (then `readEnd` is past it), else undefined. */
function knownString(text: string, at: number): string | undefined {
  if (text.charCodeAt(at) !== QUOTE) return undefined;
  for (const word of KNOWN_STRINGS)
    if (text.charCodeAt(at + 1 + word.length) === QUOTE && has(text, at + 1, word)) {
      readEnd = at + 2 + word.length;
      return word;
    }
  return undefined;
}

/** `[{"timestamp":<int>,"state":"…","actor":"…"},…]` as pydantic writes it (then `readEnd` is past it); undefined for anything else. */
function readTransitions(text: string, at: number): TaskTransition[] | undefined {
  if (text.charCodeAt(at) !== 0x5b) return undefined;
  const transitions: TaskTransition[] = [];
  at++;
  if (text.charCodeAt(at) === 0x5d) {
    readEnd = at + 1;
    return transitions;
  }
  for (;;) {
    if (!has(text, at, TRANSITION_HEAD)) return undefined;
    let i = at + TRANSITION_HEAD.length;
    const digits = i;
    if (text.charCodeAt(i) === 0x2d) i++;
    const first = i;
    while (text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    // An int as JSON writes it: digits, no leading zero, no "-0".
    if (i === first || (text.charCodeAt(first) === 0x30 && (i > first + 1 || first > digits))) return undefined;
    const number = text.slice(digits, i);
    if (!has(text, i, ',"state":')) return undefined;
    const state = knownString(text, i + 9) ?? readString(text, i + 9);
    if (state === undefined || !has(text, readEnd, ',"actor":')) return undefined;
    const actorAt = readEnd + 9;
    const actor = knownString(text, actorAt) ?? readString(text, actorAt);
    if (actor === undefined || text.charCodeAt(readEnd) !== 0x7d) return undefined;
    transitions.push({ timestamp: BigInt(number), state, actor });
    at = readEnd + 1;
    const next = text.charCodeAt(at);
    if (next === 0x5d) {
      readEnd = at + 1;
      return exactCopy(transitions);
    }
    if (next !== 0x2c) return undefined;
    at++;
  }
}

/**
 * A pushed array keeps the capacity it grew to (16 slots for 2 transitions); a copy has exactly its
 * length. Transitions live as long as their future, so the copy saves ~120 bytes per task.
 */
function exactCopy<T>(items: T[]): T[] {
  return items.slice();
}

/** A JSON.parse value as the exact parser's PyValue, or NOT_EXACT when JSON.parse may have lost something. */
function exactValue(v: unknown): PyValue | typeof NOT_EXACT {
  switch (typeof v) {
    case "string":
      return v.startsWith("\0") ? NOT_EXACT : v;
    case "boolean":
      return v;
    case "object": {
      if (v === null) return null;
      if (Array.isArray(v)) {
        const items: PyValue[] = [];
        for (const x of v as unknown[]) {
          const e = exactValue(x);
          if (e === NOT_EXACT) return NOT_EXACT;
          items.push(e);
        }
        return items;
      }
      // JSON.parse already merged repeated keys as Python does (first position, last value).
      const dict = new PyDict();
      for (const k of Object.keys(v)) {
        const e = exactValue((v as Record<string, unknown>)[k]);
        if (e === NOT_EXACT || INDEX_LIKE_KEY.test(k)) return NOT_EXACT;
        dict.entries.push([k, e]);
      }
      return dict;
    }
    default:
      return NOT_EXACT; // numbers: int vs float and big ints need the exact parser
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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

/**
 * Wire forms the Executor produces and reads: function registrations (`st` source text), task payloads
 * (`packBuffers([args, kwargs])`) and result data (protocol.md §5).
 */
import {
  deserializeData,
  packBuffers,
  packTaskPayload,
  ProtocolError,
  PyByteArray,
  PyBytes,
  PyDict,
  PyFloat,
  PyFrozenSet,
  PyObject,
  PySet,
  pyFloat,
  PyTuple,
  scalarJson,
  scalarListJson,
  serializeCode,
  serializeData,
  type DataStrategy,
  type PyValue,
} from "../protocol";
import { PYTHON_MAX_INT_DIGITS } from "../protocol/numberText";
import { ExecutorError } from "./errors";
import type { ArgumentSerialization } from "./options";

/** Keyword arguments: a PyDict with str keys, or a plain object. */
export type Kwargs = PyDict | Readonly<Record<string, PyValue>>;

/** `packBuffers([serializeCode(name, source, "st")])`, as `register_source_code` builds it. */
export function encodeFunction(name: string, source: string): string {
  return packBuffers([serializeCode(name, source, "st")]);
}

/**
 * `packBuffers([serialize(args), serialize(kwargs)])`. With `auto`, each part goes as JSON (`11`) when
 * JSON carries it exactly, else as pickle (`00`): tuples, sets, bytes and non-str dict keys would come
 * out of Python's `json.loads` as something else. (Integral floats, NaN and big ints survive JSON.)
 */
export function encodeTaskPayload(args: readonly PyValue[], kwargs: Kwargs, mode: ArgumentSerialization): string {
  if (mode !== "pickle" && isEmpty(kwargs)) {
    const plain = plainArgsJson(args);
    if (plain !== undefined) return `${plain.length}\n${plain}5\n11\n{}`;
  }
  const kw = kwargs instanceof PyDict ? kwargs : PyDict.fromObject({ ...kwargs });
  try {
    return packTaskPayload(args, kw, {
      // The args tuple itself becomes a JSON list, which `f(*args)` takes just the same.
      args: strategyFor(args, mode),
      kwargs: strategyFor(kw, mode),
    });
  } catch (err) {
    if (err instanceof ProtocolError)
      throw new ExecutorError("INVALID_ARGUMENTS", `The arguments cannot be sent: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * A map chunk's payload: its items as the chunk wrapper's one argument. Numbers go pickled (`00`), as the
 * SDK sends any argument: Python unpickles a list of 12,500 ints in ~0.2 ms where json.loads takes
 * ~0.6, per chunk, in the worker, and the pickler writes them as fast as JSON.stringify. DillDataBase64
 * is ASCII, so its length in code points is its length. Other lists go as any argument (auto: JSON when
 * it carries them exactly).
 */
export function encodeChunkPayload(items: PyValue[], mode: ArgumentSerialization): string {
  if (mode === "auto" && items.length > 0 && items.every(isNumber)) {
    const args = serializeData(new PyTuple([items]), "dill");
    return `${args.length}\n${args}5\n11\n{}`;
  }
  return encodeTaskPayload([items], {}, mode);
}

/**
 * Why `value` cannot be sent as an argument (`undefined`, a function, a plain object, an opaque Python
 * object, at any depth up to MAX_DEPTH), or undefined when it can: the encoders' own checks, without
 * encoding, so a map can name a bad item before queueing anything.
 */
export function unsendable(value: unknown, depth = 0): string | undefined {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
      return undefined;
    case "object":
      break;
    default:
      return `a JavaScript ${typeof value} is not a Python value`;
  }
  if (value === null || depth > MAX_DEPTH) return undefined; // deeper: left to the encoder
  if (value instanceof PyDict) {
    for (const [k, v] of value.entries) {
      const why = unsendable(k, depth + 1) ?? unsendable(v, depth + 1);
      if (why !== undefined) return why;
    }
    return undefined;
  }
  const parts = Array.isArray(value)
    ? value
    : value instanceof PyTuple || value instanceof PySet || value instanceof PyFrozenSet
      ? value.items
      : undefined;
  if (parts !== undefined) {
    for (const part of parts) {
      const why = unsendable(part, depth + 1);
      if (why !== undefined) return why;
    }
    return undefined;
  }
  if (value instanceof PyFloat || value instanceof PyBytes || value instanceof PyByteArray) return undefined;
  if (value instanceof PyObject) return `${value.toString()} is an opaque Python object and cannot be sent again`;
  return `a JavaScript ${value.constructor?.name ?? "object"} is not a Python value (use PyDict for dicts)`;
}

function isNumber(v: PyValue): boolean {
  return typeof v === "number" || v instanceof PyFloat;
}

function isEmpty(kwargs: Kwargs): boolean {
  if (kwargs instanceof PyDict) return kwargs.size === 0;
  for (const _ in kwargs) return false;
  return true;
}

/**
 * `11\n[…]` for positional arguments that are scalars (None, bool, int, float, str) or lists of scalars,
 * written as Python's json.dumps writes them; undefined for anything else. Most submits and map chunks
 * are this, and the general path builds a tuple, a dict and their JSON walkers for each, then counts
 * code points of text that is ASCII anyway.
 */
function plainArgsJson(args: readonly PyValue[]): string | undefined {
  let out = "11\n[";
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    if (Array.isArray(v) ? v.some(tooLongForJson) : tooLongForJson(v)) return undefined;
    const text = Array.isArray(v) ? scalarListJson(v) : scalarJson(v);
    if (text === undefined) return undefined;
    out += i === 0 ? text : ", " + text;
  }
  return out + "]";
}

function strategyFor(value: PyValue | readonly PyValue[], mode: ArgumentSerialization): DataStrategy {
  if (mode === "json") return "json";
  if (mode === "pickle") return "dill";
  return jsonCarriesExactly(value as PyValue, 0) ? "json" : "dill";
}

const MAX_DEPTH = 1000;
const JSON_INT_LIMIT = 10n ** BigInt(PYTHON_MAX_INT_DIGITS);

/** An int Python's json.loads refuses (more than 4300 digits): pickle carries it. */
function tooLongForJson(v: PyValue): boolean {
  return typeof v === "bigint" && (v >= JSON_INT_LIMIT || v <= -JSON_INT_LIMIT);
}

/** True when Python's `json.loads(json.dumps(value))` gives back the same types and values. */
export function jsonCarriesExactly(value: PyValue, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (value === null) return true;
  switch (typeof value) {
    case "boolean":
    case "string":
    case "number":
      return true;
    case "bigint":
      return !tooLongForJson(value);
  }
  if (Array.isArray(value)) return value.every((v) => jsonCarriesExactly(v, depth + 1));
  if (value instanceof PyFloat) return true;
  if (value instanceof PyDict)
    return value.entries.every(([k, v]) => typeof k === "string" && jsonCarriesExactly(v, depth + 1));
  return false;
}

/**
 * JSON bodies made only of ints (up to 15 digits, no `-0`), lists, null and booleans, which JSON.parse reads
 * exactly as the exact parser does, several times faster: a map chunk's results are mostly this.
 */
const PLAIN_JSON = /^(?:[[\]\d,\s-]|null|true|false)*$/;
const NOT_PLAIN = /\d{16}|-0(?!\d)/;

/** A pickled scalar (`00\n` and one line of padded base64): what most small functions return. */
const SMALL_PICKLE = /^00\n[A-Za-z0-9+/]{2,30}={0,2}\n$/;
/** Decoded small pickles land here: a Buffer per result costs more than the rest of the decoding. */
const scratch = new Uint8Array(24);
const scratchView = new DataView(scratch.buffer);
const BASE64_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) BASE64_DIGIT["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;

/**
 * `PROTO, [FRAME,] one int/float/bool/None, STOP`, as pickle.dumps writes a scalar, read without the
 * Unpickler; undefined for anything else. Values are those the Unpickler gives (test/unit/core/executor/taskPayload).
 */
export function smallPickle(data: string): PyValue | undefined {
  if ((data.length - 4) % 4 !== 0 || !SMALL_PICKLE.test(data)) return undefined;
  const b = scratch;
  const length = decodeBase64Into(data, 3, data.length - 1, b);
  if (length < 4 || b[0] !== 0x80 || b[1] > 5 || b[length - 1] !== 0x2e) return undefined; // PROTO … STOP
  let at = 2;
  if (b[at] === 0x95) {
    // FRAME: an 8-byte length, which must be the rest of the pickle.
    if (length < 12 || scratchView.getUint32(3, true) !== length - 11 || scratchView.getUint32(7, true) !== 0) return undefined;
    at = 11;
  }
  const size = length - 1 - at; // the opcode and its argument
  switch (b[at]) {
    case 0x4e: // NONE
      return size === 1 ? null : undefined;
    case 0x88: // NEWTRUE
      return size === 1 ? true : undefined;
    case 0x89: // NEWFALSE
      return size === 1 ? false : undefined;
    case 0x4b: // BININT1
      return size === 2 ? b[at + 1] : undefined;
    case 0x4d: // BININT2
      return size === 3 ? scratchView.getUint16(at + 1, true) : undefined;
    case 0x4a: // BININT
      return size === 5 ? scratchView.getInt32(at + 1, true) : undefined;
    case 0x47: // BINFLOAT
      return size === 9 ? pyFloat(scratchView.getFloat64(at + 1, false)) : undefined;
  }
  return undefined;
}

/** Padded base64 in text[from, to) (already checked against SMALL_PICKLE) into `out`; returns the byte count. */
function decodeBase64Into(text: string, from: number, to: number, out: Uint8Array): number {
  let n = 0;
  for (let i = from; i < to; i += 4) {
    const a = BASE64_DIGIT[text.charCodeAt(i)];
    const b = BASE64_DIGIT[text.charCodeAt(i + 1)];
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    out[n++] = (a << 2) | (b >> 4);
    if (c === 0x3d) break;
    const cv = BASE64_DIGIT[c];
    out[n++] = ((b & 15) << 4) | (cv >> 2);
    if (d === 0x3d) break;
    out[n++] = ((cv & 3) << 6) | BASE64_DIGIT[d];
  }
  return n;
}

/** A result's `data` as a PyValue (JSON, pickle or the combined form). */
export function decodeResultData(data: string): PyValue {
  if (data.length <= 38 && data.startsWith("00\n")) {
    const value = smallPickle(data);
    if (value !== undefined) return value;
  }
  if (data.startsWith("11\n")) {
    const body = data.slice(3);
    if (PLAIN_JSON.test(body) && !NOT_PLAIN.test(body)) {
      try {
        return JSON.parse(body) as PyValue;
      } catch {
        // Not valid JSON after all: the exact parser reports why.
      }
    }
  }
  return deserializeData(data);
}

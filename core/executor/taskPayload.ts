/**
 * Wire forms the Executor produces and reads: function registrations (`st` source text), task payloads
 * (`packBuffers([args, kwargs])`) and result data (protocol.md §5).
 */
import {
  deserializeData,
  packBuffers,
  packTaskPayload,
  ProtocolError,
  PyDict,
  PyFloat,
  serializeCode,
  type DataStrategy,
  type PyValue,
} from "../protocol";
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

function strategyFor(value: PyValue | readonly PyValue[], mode: ArgumentSerialization): DataStrategy {
  if (mode === "json") return "json";
  if (mode === "pickle") return "dill";
  return jsonCarriesExactly(value as PyValue, 0) ? "json" : "dill";
}

const MAX_DEPTH = 1000;

/** True when Python's `json.loads(json.dumps(value))` gives back the same types and values. */
export function jsonCarriesExactly(value: PyValue, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (value === null) return true;
  switch (typeof value) {
    case "boolean":
    case "string":
    case "number":
    case "bigint":
      return true;
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

/** A result's `data` as a PyValue (JSON, pickle or the combined form). */
export function decodeResultData(data: string): PyValue {
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

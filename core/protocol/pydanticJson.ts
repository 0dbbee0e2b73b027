/**
 * JSON text as pydantic-core's `model_dump_json()` writes it, which is what envelopes carry (protocol.md
 * §6): compact, raw UTF-8 (only `"`, `\` and control characters escaped), floats like `1e-7`, `1e+16`,
 * `100.0`, non-finite floats as `null`, tuples and sets as arrays, bytes as UTF-8 text.
 */
import { ProtocolError } from "./errors";
import { pydanticFloatJson, pythonFloatRepr, pythonIntRepr } from "./numberText";
import { MAX_JSON_DEPTH } from "./pyJson";
import { PyByteArray, PyBytes, PyDict, PyFloat, PyObject, isPyInt, pyKind, type PyValue } from "./pyValue";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function pydanticJson(value: PyValue): string {
  return write(value, new Set(), 0);
}

function write(v: PyValue, open: Set<object>, depth: number): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "number":
      return isPyInt(v) ? pythonIntRepr(v) : floatJson(v);
    case "string":
      // JSON.stringify escapes exactly what serde_json does (lowercase \u00xx, raw non-ASCII).
      return JSON.stringify(v);
  }
  if (v instanceof PyFloat) return floatJson(v.value);
  if (v instanceof PyBytes || v instanceof PyByteArray) return JSON.stringify(bytesText(v.bytes));
  if (v instanceof PyObject) throw notSerializable(v);
  if (open.has(v)) throw new ProtocolError("NOT_SERIALIZABLE", "Circular reference detected");
  if (depth >= MAX_JSON_DEPTH) throw new ProtocolError("NOT_SERIALIZABLE", "maximum recursion depth exceeded");
  open.add(v);
  let out: string;
  if (v instanceof PyDict) {
    out = "{" + v.entries.map(([k, val]) => JSON.stringify(dictKey(k)) + ":" + write(val, open, depth + 1)).join(",") + "}";
  } else {
    const items = Array.isArray(v) ? v : v.items;
    out = "[" + items.map((x) => write(x, open, depth + 1)).join(",") + "]";
  }
  open.delete(v);
  return out;
}

function floatJson(x: number): string {
  return Number.isFinite(x) ? pydanticFloatJson(x) : "null";
}

/** pydantic-core's key conversion: numbers via Python `str()`, None (and non-finite floats) as "None". */
function dictKey(k: PyValue): string {
  if (typeof k === "string") return k;
  if (k === null) return "None";
  if (typeof k === "boolean") return k ? "true" : "false";
  if (typeof k === "bigint") return k.toString();
  if (typeof k === "number" || k instanceof PyFloat) {
    const x = typeof k === "number" ? k : k.value;
    if (typeof k === "number" && isPyInt(k)) return pythonIntRepr(k);
    return Number.isFinite(x) ? pythonFloatRepr(x) : "None";
  }
  throw notSerializable(k);
}

function bytesText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtocolError("NOT_SERIALIZABLE", "bytes are not valid UTF-8, so pydantic cannot write them as JSON");
  }
}

function notSerializable(v: PyValue): ProtocolError {
  return new ProtocolError("NOT_SERIALIZABLE", `Unable to serialize unknown type: ${v instanceof PyObject ? v.toString() : pyKind(v)}`);
}

/**
 * Python's `json` module on PyValues: `pyJsonDumps` is byte-identical to `json.dumps(value)` with its
 * defaults (the JSONData strategy, protocol.md §5.2), and `pyJsonLoads` reads what `json.loads` reads
 * (including bare NaN/Infinity), keeping int vs float, big ints and dict key order.
 */
import { ProtocolError } from "./errors";
import { PYTHON_MAX_INT_DIGITS, pythonFloatRepr, pythonIntRepr } from "./numberText";
import { PyDict, PyFloat, PyObject, PyTuple, escapeControls, isPyInt, pyInt, pyKind, type PyValue } from "./pyValue";
import type { TextBudget } from "./textBudget";

/** Python's recursion limit makes deeper values unserializable there too (RecursionError). */
export const MAX_JSON_DEPTH = 1000;
/** Longer int literals raise ValueError in CPython. */
const MAX_INT_DIGITS = PYTHON_MAX_INT_DIGITS;
/** The smallest int too long for `json.loads`. */
const JSON_INT_LIMIT = 10n ** BigInt(MAX_INT_DIGITS);

// ---------------------------------------------------------------------------------------------- dumps

export function pyJsonDumps(value: PyValue): string {
  return dump(value, new Set(), 0);
}

/** `json.dumps(v)` for a scalar (None, bool, int, float, str); undefined for anything else. */
export function scalarJson(v: PyValue): string | undefined {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "number":
      return isPyInt(v) ? pythonIntRepr(v) : floatJson(v);
    case "string":
      return jsonAsciiString(v);
  }
  return v instanceof PyFloat ? floatJson(v.value) : undefined;
}

/**
 * `json.dumps(items)` for a list of scalars; undefined when an item is not one. A list of plain ints
 * prints as JavaScript prints them: one join.
 */
export function scalarListJson(items: readonly PyValue[]): string | undefined {
  if (items.length > 0 && items.every(isSafePyInt)) return `[${items.join(", ")}]`;
  let out = "[";
  for (let i = 0; i < items.length; i++) {
    const text = scalarJson(items[i]);
    if (text === undefined) return undefined;
    out += i === 0 ? text : ", " + text;
  }
  return out + "]";
}

/** An int that JavaScript prints exactly as Python does (a safe integer, not -0). */
export function isSafePyInt(v: PyValue): boolean {
  return Number.isSafeInteger(v) && !Object.is(v, -0);
}

function dump(v: PyValue, open: Set<object>, depth: number): string {
  const scalar = scalarJson(v);
  if (scalar !== undefined) return scalar;
  if (depth >= MAX_JSON_DEPTH) throw new ProtocolError("NOT_SERIALIZABLE", "maximum recursion depth exceeded");
  if (Array.isArray(v) || v instanceof PyTuple) {
    const items = Array.isArray(v) ? v : v.items;
    // A list of plain ints prints as JavaScript prints them: one join.
    if (items.length > 0 && items.every(isSafePyInt)) return `[${items.join(", ")}]`;
    enter(open, v);
    let out = "[";
    for (let i = 0; i < items.length; i++) out += (i ? ", " : "") + dump(items[i], open, depth + 1);
    open.delete(v);
    return out + "]";
  }
  if (v instanceof PyDict) {
    enter(open, v);
    let out = "{";
    let first = true;
    for (const [k, val] of v.entries) {
      out += (first ? "" : ", ") + jsonAsciiString(jsonKey(k)) + ": " + dump(val, open, depth + 1);
      first = false;
    }
    open.delete(v);
    return out + "}";
  }
  throw notSerializable(v);
}

/**
 * Writes `json.dumps(value)` into `w` when JSON carries the value exactly and any JSON parser reads it
 * back (None, bool, str, ints up to 4300 digits, finite floats, lists and str-keyed dicts of them; not
 * NaN or Infinity, which only Python's json reads), and returns true; false as soon as a part is not
 * such a value. The walk stops when `w` is full (then `w.cut` says why and the text is incomplete): a
 * value sharing its parts can expand to more text than memory holds.
 */
export function writeExactJson(value: PyValue, w: TextBudget): boolean {
  return writeExact(value, w, new Set(), 0);
}

function writeExact(v: PyValue, w: TextBudget, open: Set<object>, depth: number): boolean {
  if (w.full) return true;
  if (typeof v === "string") {
    // Escaping only lengthens a string: a part longer than the room left overflows it whole.
    w.write(jsonAsciiString(v.length > w.room ? v.slice(0, w.room) : v));
    return true;
  }
  if (typeof v === "number" || v instanceof PyFloat) {
    const x = typeof v === "number" ? v : v.value;
    if (!Number.isFinite(x)) return false;
  } else if (typeof v === "bigint" && (v >= JSON_INT_LIMIT || v <= -JSON_INT_LIMIT)) return false;
  const scalar = scalarJson(v);
  if (scalar !== undefined) {
    w.write(scalar);
    return true;
  }
  const isDict = v instanceof PyDict;
  if ((!Array.isArray(v) && !isDict) || depth >= MAX_JSON_DEPTH || open.has(v)) return false;
  if (!isDict && v.length > 0 && v.every(isSafePyInt)) {
    w.write(`[${v.join(", ")}]`);
    return true;
  }
  open.add(v);
  let exact = true;
  if (isDict) {
    w.write("{");
    const entries = v.entries;
    for (let i = 0; i < entries.length && exact && !w.full; i++) {
      const [k, item] = entries[i];
      if (typeof k !== "string") exact = false;
      else {
        w.write(i === 0 ? "" : ", ");
        w.write(jsonAsciiString(k.length > w.room ? k.slice(0, w.room) : k));
        w.write(": ");
        exact = writeExact(item, w, open, depth + 1);
      }
    }
    w.write("}");
  } else {
    w.write("[");
    for (let i = 0; i < v.length && exact && !w.full; i++) {
      if (i > 0) w.write(", ");
      exact = writeExact(v[i], w, open, depth + 1);
    }
    w.write("]");
  }
  open.delete(v);
  return exact;
}

function enter(open: Set<object>, v: object): void {
  if (open.has(v)) throw new ProtocolError("NOT_SERIALIZABLE", "Circular reference detected");
  open.add(v);
}

function notSerializable(v: PyValue): ProtocolError {
  const type = v instanceof PyObject ? escapeControls(v.name) : pyKind(v);
  return new ProtocolError("NOT_SERIALIZABLE", `Object of type ${type} is not JSON serializable`);
}

/** Python's `float.__repr__`, except the non-finite spellings `json` uses. */
function floatJson(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  return pythonFloatRepr(x);
}

/** `json.dumps` turns int/float/bool/None keys into strings and rejects every other key type. */
function jsonKey(k: PyValue): string {
  if (typeof k === "string") return k;
  if (k === null) return "null";
  if (typeof k === "boolean") return k ? "true" : "false";
  if (typeof k === "bigint") return k.toString();
  if (typeof k === "number") return isPyInt(k) ? pythonIntRepr(k) : floatJson(k);
  if (k instanceof PyFloat) return floatJson(k.value);
  throw new ProtocolError(
    "NOT_SERIALIZABLE",
    `keys must be str, int, float, bool or None, not ${k instanceof PyObject ? escapeControls(k.name) : pyKind(k)}`,
  );
}

const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;
const SHORT_ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x08: "\\b",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
};

/** `json.dumps(s)` with `ensure_ascii=True`: UTF-16 units outside printable ASCII become `\uxxxx`. */
export function jsonAsciiString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(runStart, i) + (SHORT_ESCAPES[c] ?? "\\u" + c.toString(16).padStart(4, "0"));
    runStart = i + 1;
  }
  return out + s.slice(runStart) + '"';
}

// ---------------------------------------------------------------------------------------------- loads

type Container =
  | { kind: "list"; items: PyValue[] }
  | { kind: "dict"; dict: PyDict; index: Map<string, number> | undefined; key: string | undefined };

/** Objects up to this size find repeated keys by a linear scan; larger ones get a Map. */
const LINEAR_KEYS_MAX = 16;

/**
 * `json.loads(text)` as a PyValue. Iterative (no recursion on nesting) with the nesting capped at
 * MAX_JSON_DEPTH; malformed input gives ProtocolError("INVALID_JSON") naming the offset.
 */
export function pyJsonLoads(text: string): PyValue {
  return new Parser(text).parse();
}

// Control characters are exactly what strict json.loads refuses inside strings.
// eslint-disable-next-line no-control-regex
const PLAIN_STRING_RUN = /[^"\\\x00-\x1f]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

class Parser {
  private pos = 0;
  private readonly stack: Container[] = [];
  constructor(private readonly text: string) {}

  parse(): PyValue {
    let result: PyValue | undefined;
    for (;;) {
      this.skipWs();
      const top = this.stack.at(-1);
      // A dict expects a key before each value.
      if (top?.kind === "dict" && top.key === undefined) {
        if (this.text.charCodeAt(this.pos) !== 0x22) this.fail("Expecting property name enclosed in double quotes");
        top.key = this.string();
        this.skipWs();
        if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("Expecting ':' delimiter");
        this.pos++;
        this.skipWs();
      }
      let value = this.scalarOrOpen();
      // Close every container that ends right after this value, handing the value upward.
      while (value !== undefined) {
        const parent = this.stack.at(-1);
        if (!parent) {
          result = value;
          break;
        }
        this.store(parent, value);
        this.skipWs();
        const c = this.text.charCodeAt(this.pos);
        if (c === 0x2c) {
          this.pos++;
          value = undefined;
        } else if (c === (parent.kind === "list" ? 0x5d : 0x7d)) {
          this.pos++;
          this.stack.pop();
          value = parent.kind === "list" ? parent.items : parent.dict;
        } else {
          this.fail(parent.kind === "list" ? "Expecting ',' delimiter" : "Expecting ',' delimiter or '}'");
        }
      }
      if (result !== undefined) break;
    }
    this.skipWs();
    if (this.pos !== this.text.length) this.fail("Extra data");
    return result;
  }

  /** A complete scalar, an empty container, or undefined after opening a non-empty container. */
  private scalarOrOpen(): PyValue | undefined {
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x5b || c === 0x7b) {
      this.pos++;
      this.skipWs();
      const close = c === 0x5b ? 0x5d : 0x7d;
      if (this.text.charCodeAt(this.pos) === close) {
        this.pos++;
        return c === 0x5b ? [] : new PyDict();
      }
      if (this.stack.length >= MAX_JSON_DEPTH) this.fail("nesting too deep");
      this.stack.push(
        c === 0x5b ? { kind: "list", items: [] } : { kind: "dict", dict: new PyDict(), index: undefined, key: undefined },
      );
      if (c === 0x7b && this.text.charCodeAt(this.pos) !== 0x22) {
        this.fail("Expecting property name enclosed in double quotes");
      }
      return undefined;
    }
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      if (this.text.startsWith("-Infinity", this.pos)) return this.word("-Infinity", -Infinity);
      return this.number();
    }
    if (c === 0x6e) return this.word("null", null);
    if (c === 0x74) return this.word("true", true);
    if (c === 0x66) return this.word("false", false);
    if (c === 0x4e) return this.word("NaN", NaN);
    if (c === 0x49) return this.word("Infinity", Infinity);
    return this.fail("Expecting value");
  }

  private store(parent: Container, value: PyValue): void {
    if (parent.kind === "list") {
      parent.items.push(value);
      return;
    }
    const key = parent.key as string;
    parent.key = undefined;
    // Python dict semantics for duplicate keys: first position, last value. Large objects get an index
    // so that the duplicate check does not make them quadratic.
    const entries = parent.dict.entries;
    let at: number | undefined;
    if (entries.length <= LINEAR_KEYS_MAX) {
      at = entries.findIndex((e) => e[0] === key);
      if (at < 0) at = undefined;
    } else {
      parent.index ??= new Map(entries.map((e, i) => [e[0] as string, i]));
      at = parent.index.get(key);
      if (at === undefined) parent.index.set(key, entries.length);
    }
    if (at === undefined) entries.push([key, value]);
    else entries[at][1] = value;
  }

  private word<T extends PyValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail("Expecting value");
    this.pos += word.length;
    return value;
  }

  private number(): PyValue {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail("Expecting value");
    this.pos += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      // `-0` is the int 0 in Python; a JS -0 would read as a float.
      if (m[0].length <= 15) return Number(m[0]) || 0;
      if (m[0].replace("-", "").length > MAX_INT_DIGITS) {
        this.fail(`Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
      }
      return pyInt(BigInt(m[0]));
    }
    const x = Number(m[0]);
    return Number.isInteger(x) && !Object.is(x, -0) ? new PyFloat(x) : x;
  }

  private string(): string {
    let out = "";
    this.pos++; // opening quote
    for (;;) {
      PLAIN_STRING_RUN.lastIndex = this.pos;
      const run = PLAIN_STRING_RUN.exec(this.text)![0];
      out += run;
      this.pos += run.length;
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return out;
      }
      if (Number.isNaN(c)) this.fail("Unterminated string starting at");
      if (c !== 0x5c) this.fail("Invalid control character at");
      out += this.escape();
    }
  }

  private escape(): string {
    const e = this.text[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case '"':
        return '"';
      case "\\":
        return "\\";
      case "/":
        return "/";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "u": {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("Invalid \\uXXXX escape");
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        this.pos -= 2;
        return this.fail("Invalid \\escape");
    }
  }

  private skipWs(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private fail(msg: string): never {
    throw new ProtocolError("INVALID_JSON", `${msg}: char ${this.pos}`);
  }
}

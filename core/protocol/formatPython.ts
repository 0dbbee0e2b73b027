/**
 * Python's `repr()` of a PyValue, for showing results and arguments as a Python user would write them.
 * With `maxLength`, rendering stops early and the text ends in `…` (cheap previews of huge values).
 */
import { pythonFloatRepr, pythonIntRepr } from "./numberText";
import { PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyObject, PySet, PyTuple, isPyInt, type PyValue } from "./pyValue";

export interface FormatPythonOptions {
  /** Longest result in UTF-16 units, the ellipsis included. */
  maxLength?: number;
}

/** Deeper values render as their recursion placeholder (`[...]`), where CPython raises RecursionError. */
const MAX_DEPTH = 1000;

export function formatPython(value: PyValue, options: FormatPythonOptions = {}): string {
  const limit = options.maxLength ?? Infinity;
  const w = new Writer(limit);
  writeValue(w, value, new Set(), 0);
  return w.finish();
}

class Writer {
  out = "";
  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.out.length > this.limit;
  }

  write(s: string): void {
    if (!this.full) this.out += s;
  }

  finish(): string {
    if (!this.full) return this.out;
    if (this.limit < 1) return "";
    let cut = this.limit - 1;
    // Never split a surrogate pair.
    const c = this.out.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--;
    return this.out.slice(0, cut) + "…";
  }
}

function writeValue(w: Writer, v: PyValue, open: Set<object>, depth: number): void {
  if (w.full) return;
  if (v === null) return w.write("None");
  switch (typeof v) {
    case "boolean":
      return w.write(v ? "True" : "False");
    case "bigint":
      return w.write(v.toString());
    case "number":
      return w.write(isPyInt(v) ? pythonIntRepr(v) : pythonFloatRepr(v));
    case "string":
      return w.write(strRepr(v));
  }
  if (v instanceof PyFloat) return w.write(pythonFloatRepr(v.value));
  if (v instanceof PyBytes) return w.write(bytesRepr(v.bytes));
  if (v instanceof PyByteArray) return w.write(`bytearray(${bytesRepr(v.bytes, true)})`);
  if (v instanceof PyObject) return w.write(v.toString());

  const [prefix, suffix, placeholder] = brackets(v);
  if (open.has(v) || depth >= MAX_DEPTH) return w.write(placeholder);
  open.add(v);
  w.write(prefix);
  if (v instanceof PyDict) {
    v.entries.forEach(([k, val], i) => {
      if (i) w.write(", ");
      writeValue(w, k, open, depth + 1);
      w.write(": ");
      writeValue(w, val, open, depth + 1);
    });
  } else {
    const items = Array.isArray(v) ? v : v.items;
    items.forEach((item, i) => {
      if (i) w.write(", ");
      writeValue(w, item, open, depth + 1);
    });
    if (v instanceof PyTuple && items.length === 1) w.write(",");
  }
  w.write(suffix);
  open.delete(v);
}

type Collection = PyValue[] | PyTuple | PyDict | PySet | PyFrozenSet;

/** Opening text, closing text, and what CPython prints for a value already being printed. */
function brackets(v: Collection): [string, string, string] {
  if (Array.isArray(v)) return ["[", "]", "[...]"];
  if (v instanceof PyTuple) return ["(", ")", "(...)"];
  if (v instanceof PyDict) return ["{", "}", "{...}"];
  const name = v instanceof PySet ? "set" : "frozenset";
  if (v.items.length === 0) return [`${name}(`, ")", `${name}(...)`];
  return v instanceof PySet ? ["{", "}", "set(...)"] : ["frozenset({", "})", "frozenset(...)"];
}

const PLAIN_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;
/** CPython's `str.isprintable()` is false for these general categories (space excepted). */
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** `repr(str)`: single quotes unless the text has `'` and no `"`; escapes as CPython's unicode_repr. */
export function strRepr(s: string): string {
  if (PLAIN_ASCII.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
    else if (cp < 0x7f || !NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += "\\x" + hex(cp, 2);
    else if (cp <= 0xffff) out += "\\u" + hex(cp, 4);
    else out += "\\U" + hex(cp, 8);
  }
  return out + quote;
}

/**
 * `repr(bytes)`: `b'…'` with printable ASCII kept and everything else as `\xhh`. CPython's bytearray
 * repr escapes `'` even inside double quotes, unlike bytes.
 */
export function bytesRepr(bytes: Uint8Array, escapeSingleQuote = false): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? 0x22 : 0x27;
  let out = "b" + String.fromCharCode(quote);
  for (const b of bytes) {
    if (b === quote || b === 0x5c || (escapeSingleQuote && b === 0x27)) out += "\\" + String.fromCharCode(b);
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b < 0x20 || b >= 0x7f) out += "\\x" + hex(b, 2);
    else out += String.fromCharCode(b);
  }
  return out + String.fromCharCode(quote);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * Python's `repr()` of a PyValue, for showing results and arguments as a Python user would write them.
 *
 * The one formatter for values (previews, hovers, the output channel, Open Result), so it has a budget:
 * values come from remote results and user input, and a few bytes of pickle can describe a value whose
 * text is astronomically large (shared references), deeply nested, or one 10 MB leaf. Rendering stops
 * at `maxLength` characters or after `maxMillis` (the text then ends in `…`), containers deeper than
 * `maxDepth` show as their placeholder (`[...]`), and an int of more than `maxIntDigits` digits shows as
 * `<10,000,000-digit int>` without ever converting it to decimal. Work is bounded by the text produced,
 * never by the size of the value.
 */
import { PYTHON_MAX_INT_DIGITS, pythonFloatRepr, pythonIntRepr } from "./numberText";
import { PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyObject, PySet, PyTuple, escapeControls, isPyInt, type PyValue } from "./pyValue";
import { TextBudget, type TextCut } from "./textBudget";

export interface FormatPythonOptions {
  /** Longest result in UTF-16 units, the ellipsis included (default 100,000). */
  maxLength?: number;
  /** Containers nested deeper show as their recursion placeholder, `[...]` (default 1000). */
  maxDepth?: number;
  /**
   * Ints with more decimal digits show as `<N-digit int>` (default 4300: CPython's own limit for
   * int → str, `sys.int_info.default_max_str_digits`).
   */
  maxIntDigits?: number;
  /**
   * Rendering budget in milliseconds of CPU time (not wall time, so that a busy machine does not cut
   * what an idle one shows); the text ends in `…` when it runs out (default 250).
   */
  maxMillis?: number;
  /**
   * Characters of the whole text to leave out at the start (default 0), for showing a large value in
   * pages: the skipped text is still rendered (the cost grows with the offset), never kept.
   */
  offset?: number;
}

export const FORMAT_DEFAULTS: Readonly<Required<FormatPythonOptions>> = {
  maxLength: 100_000,
  maxDepth: 1000,
  maxIntDigits: PYTHON_MAX_INT_DIGITS,
  maxMillis: 250,
  offset: 0,
};

export function formatPython(value: PyValue, options: FormatPythonOptions = {}): string {
  return formatPythonCut(value, options).text;
}

/** formatPython's text, and why it is incomplete (undefined when it is the whole repr). */
export function formatPythonCut(value: PyValue, options: FormatPythonOptions = {}): { text: string; cut: TextCut | undefined } {
  const o = { ...FORMAT_DEFAULTS, ...definedOnly(options) };
  const w = new TextBudget(o.maxLength, o.maxMillis, o.offset);
  writeValue(w, value, new Set(), 0, o);
  return { text: w.finish(), cut: w.cut };
}

function definedOnly(options: FormatPythonOptions): FormatPythonOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

function writeValue(w: TextBudget, v: PyValue, open: Set<object>, depth: number, o: Required<FormatPythonOptions>): void {
  if (w.full) return;
  if (v === null) return w.write("None");
  switch (typeof v) {
    case "boolean":
      return w.write(v ? "True" : "False");
    case "bigint":
      return w.write(intText(v, o.maxIntDigits));
    case "number":
      return w.write(isPyInt(v) ? pythonIntRepr(v) : pythonFloatRepr(v));
    case "string":
      return w.write(strRepr(v, w.room));
  }
  if (v instanceof PyFloat) return w.write(pythonFloatRepr(v.value));
  if (v instanceof PyBytes) return w.write(bytesRepr(v.bytes, false, w.room));
  if (v instanceof PyByteArray) return w.write(`bytearray(${bytesRepr(v.bytes, true, w.room)})`);
  if (v instanceof PyObject) {
    if (v.args === undefined || depth >= o.maxDepth) return w.write(v.toString());
    // `Name(arg, …)`: an exception's repr.
    w.write(escapeControls(v.name) + "(");
    for (let i = 0; i < v.args.length && !w.full; i++) {
      if (i) w.write(", ");
      writeValue(w, v.args[i], open, depth + 1, o);
    }
    return w.write(")");
  }

  const [prefix, suffix, placeholder] = brackets(v);
  if (open.has(v) || depth >= o.maxDepth) return w.write(placeholder);
  open.add(v);
  w.write(prefix);
  if (v instanceof PyDict) {
    const entries = v.entries;
    for (let i = 0; i < entries.length && !w.full; i++) {
      if (i) w.write(", ");
      writeValue(w, entries[i][0], open, depth + 1, o);
      w.write(": ");
      writeValue(w, entries[i][1], open, depth + 1, o);
    }
  } else {
    const items = Array.isArray(v) ? v : v.items;
    for (let i = 0; i < items.length && !w.full; i++) {
      if (i) w.write(", ");
      writeValue(w, items[i], open, depth + 1, o);
    }
    if (v instanceof PyTuple && items.length === 1) w.write(",");
  }
  w.write(suffix);
  open.delete(v);
}

/** Bits per decimal digit. */
const LOG2_10 = Math.log2(10);
/** Ints within ±2^64 (at most 20 digits) are printed without any estimate. */
const SMALL_INT = 2n ** 64n;

/** An int's decimal text, or `<N-digit int>` beyond `maxDigits` (decided from its bit length alone). */
function intText(n: bigint, maxDigits: number): string {
  if (n >= -SMALL_INT && n <= SMALL_INT) return n.toString();
  // The hex text costs linear time, unlike the decimal one.
  const hex = (n < 0n ? -n : n).toString(16);
  if (hex.length * 4 <= maxDigits * LOG2_10) return n.toString();
  const digits = decimalDigits(hex);
  if (digits <= maxDigits) return n.toString();
  return `<${n < 0n ? "negative " : ""}${digits.toLocaleString("en-US")}-digit int>`;
}

/** Number of decimal digits of the positive int written `hex`, from its leading 52 bits and length. */
function decimalDigits(hex: string): number {
  const lead = hex.slice(0, 13);
  const log10 = Math.log10(parseInt(lead, 16)) + (hex.length - lead.length) * 4 * Math.LOG10E * Math.LN2;
  return Math.floor(log10) + 1;
}

type Collection = PyValue[] | PyTuple | PyDict | PySet | PyFrozenSet;

/** Opening text, closing text, and what CPython prints for a value already being printed. */
function brackets(v: Collection): Brackets {
  if (Array.isArray(v)) return LIST;
  if (v instanceof PyTuple) return TUPLE;
  if (v instanceof PyDict) return DICT;
  if (v.items.length === 0) return v instanceof PySet ? EMPTY_SET : EMPTY_FROZENSET;
  return v instanceof PySet ? SET : FROZENSET;
}

type Brackets = readonly [string, string, string];
const LIST: Brackets = ["[", "]", "[...]"];
const TUPLE: Brackets = ["(", ")", "(...)"];
const DICT: Brackets = ["{", "}", "{...}"];
const SET: Brackets = ["{", "}", "set(...)"];
const EMPTY_SET: Brackets = ["set(", ")", "set(...)"];
const FROZENSET: Brackets = ["frozenset({", "})", "frozenset(...)"];
const EMPTY_FROZENSET: Brackets = ["frozenset(", ")", "frozenset(...)"];

const PLAIN_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;
/**
 * What unicode_repr may escape: quotes and backslash, and what `str.isprintable()` rejects, i.e. every
 * general category but letters, marks, numbers, punctuation and symbols (the space excepted).
 */
const MAY_NEED_ESCAPE = /['"\\]|[^\x20\p{L}\p{M}\p{N}\p{P}\p{S}]/gu;

/**
 * `repr(str)`: single quotes unless the text has `'` and no `"`; escapes as CPython's unicode_repr.
 * With `maxLength`, only that many characters of `s` are looked at (the caller cuts the text), so the
 * work is bounded by it, not by the string.
 */
export function strRepr(s: string, maxLength = Infinity): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  if (s.length > maxLength) s = s.slice(0, maxLength);
  if (PLAIN_ASCII.test(s)) return `${quote}${s}${quote}`;
  return quote + s.replace(MAY_NEED_ESCAPE, (ch) => escapeChar(ch, quote)) + quote;
}

function escapeChar(ch: string, quote: string): string {
  if (ch === quote || ch === "\\") return "\\" + ch;
  if (ch === "'" || ch === '"') return ch;
  if (ch === "\t") return "\\t";
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  const cp = ch.codePointAt(0)!;
  if (cp <= 0xff) return "\\x" + hex(cp, 2);
  if (cp <= 0xffff) return "\\u" + hex(cp, 4);
  return "\\U" + hex(cp, 8);
}

/**
 * `repr(bytes)`: `b'…'` with printable ASCII kept and everything else as `\xhh`. CPython's bytearray
 * repr escapes `'` even inside double quotes, unlike bytes. `maxLength` bounds the work as for strRepr.
 */
export function bytesRepr(bytes: Uint8Array, escapeSingleQuote = false, maxLength = Infinity): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? 0x22 : 0x27;
  let out = "b" + String.fromCharCode(quote);
  if (bytes.length > maxLength) bytes = bytes.subarray(0, maxLength);
  for (const b of bytes) {
    if (out.length > maxLength) return out;
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

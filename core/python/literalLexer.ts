import { PYTHON_MAX_INT_DIGITS } from "../protocol/numberText";
import { ArgumentSyntaxError } from "./argumentError";

/** One token of Python literal text; `start`/`end` are UTF-16 offsets into the text. */
export type LiteralToken =
  | { kind: "int"; value: bigint; start: number; end: number }
  | { kind: "float"; value: number; start: number; end: number }
  | { kind: "str"; value: string; start: number; end: number }
  | { kind: "bytes"; value: number[]; start: number; end: number }
  | { kind: "name"; value: string; start: number; end: number }
  | { kind: "op"; value: string; start: number; end: number }
  | { kind: "end"; value: ""; start: number; end: number };

// Python's number grammar (tokenizer), tried at the token start; a valid match must not run on into
// letters, digits, `_` or `.` (that would be `1__0`, `0x1g`, `1.2.3`).
const DIGITS = "[0-9](?:_?[0-9])*";
const EXPONENT = `[eE][-+]?${DIGITS}`;
const FLOAT = `(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.)(?:${EXPONENT})?|${DIGITS}${EXPONENT}`;
const INT = "0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?[0-9])*|0+(?:_?0)*";
const NUMBER = new RegExp(`(${FLOAT})|(${INT})`, "y");
const NUMBER_RUN = /[0-9a-zA-Z_.]*/y;
const NAME = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
const STRING_PREFIX = /^(?:[rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])$/;
const TWO_CHAR_OPS = new Set(["==", "!=", "<=", ">=", "**", "//", ":=", "->", "<<", ">>"]);
/** CPython refuses longer decimal int literals. */
export const MAX_DECIMAL_DIGITS = PYTHON_MAX_INT_DIGITS;
/** Longest number token read at all (a hex int of 400,000 bits). */
const MAX_NUMBER_CHARS = 100_000;
const SIMPLE_ESCAPES: Record<string, number> = { "\\": 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** Splits argument text into literal tokens, decoding numbers and strings as Python does. */
export class LiteralLexer {
  private pos = 0;

  constructor(private readonly text: string) {}

  next(): LiteralToken {
    this.skipSpace();
    const start = this.pos;
    if (start >= this.text.length) return { kind: "end", value: "", start, end: start };
    const c = this.text[start];
    if (isDigit(c) || (c === "." && isDigit(this.text[start + 1] ?? ""))) return this.number();
    if (c === "'" || c === '"') return this.string("", start);
    NAME.lastIndex = start;
    const name = NAME.exec(this.text);
    if (name) {
      const quote = this.text[start + name[0].length];
      if ((quote === "'" || quote === '"') && STRING_PREFIX.test(name[0])) return this.string(name[0], start);
      this.pos = NAME.lastIndex;
      return { kind: "name", value: name[0], start, end: this.pos };
    }
    const two = this.text.slice(start, start + 2);
    const op = TWO_CHAR_OPS.has(two) ? two : String.fromCodePoint(this.text.codePointAt(start)!);
    this.pos = start + op.length;
    return { kind: "op", value: op, start, end: this.pos };
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") this.pos++;
      else if (c === "\\" && (t[this.pos + 1] === "\n" || t[this.pos + 1] === "\r")) this.pos += 2;
      else if (c === "#") while (this.pos < t.length && t[this.pos] !== "\n" && t[this.pos] !== "\r") this.pos++;
      else break;
    }
  }

  private number(): LiteralToken {
    const start = this.pos;
    NUMBER_RUN.lastIndex = start;
    NUMBER_RUN.exec(this.text);
    // The grammar's regex backtracks per digit: bound its input (and refuse a megabyte of digits).
    if (NUMBER_RUN.lastIndex - start > MAX_NUMBER_CHARS) {
      throw new ArgumentSyntaxError(
        "INVALID_NUMBER",
        `this number is ${NUMBER_RUN.lastIndex - start} characters long; Python refuses int literals over ${MAX_DECIMAL_DIGITS} digits (hex ones up to ${MAX_NUMBER_CHARS} characters are read)`,
        start,
        NUMBER_RUN.lastIndex - start,
      );
    }
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.text);
    NUMBER_RUN.lastIndex = m ? NUMBER.lastIndex : start;
    NUMBER_RUN.exec(this.text);
    const runEnd = NUMBER_RUN.lastIndex;
    if (m && runEnd === NUMBER.lastIndex) {
      this.pos = runEnd;
      const digits = m[0].replaceAll("_", "");
      if (m[1] !== undefined) return { kind: "float", value: Number(digits), start, end: runEnd };
      // Decimal → BigInt is superlinear: a pasted 10 MB literal must not stall every keystroke.
      if (digits.length > MAX_DECIMAL_DIGITS && /^[0-9]/.test(digits) && !/^0[xXoObB]/.test(digits)) {
        throw new ArgumentSyntaxError(
          "INVALID_NUMBER",
          `this int has ${digits.length} digits; Python refuses int literals over ${MAX_DECIMAL_DIGITS} digits (write it in hex, 0x…)`,
          start,
          runEnd - start,
        );
      }
      return { kind: "int", value: BigInt(/^0+$/.test(digits) ? "0" : digits), start, end: runEnd };
    }
    if (m && /^[jJ]$/.test(this.text.slice(NUMBER.lastIndex, runEnd))) {
      throw new ArgumentSyntaxError(
        "NOT_A_LITERAL",
        `complex numbers such as ${this.text.slice(start, runEnd)} are not supported as arguments`,
        start,
        runEnd - start,
      );
    }
    const text = this.text.slice(start, runEnd);
    throw new ArgumentSyntaxError("INVALID_NUMBER", `${text} is not a valid Python number${numberHint(text)}`, start, runEnd - start);
  }

  private string(prefix: string, start: number): LiteralToken {
    const p = prefix.toLowerCase();
    if (p.includes("f")) {
      throw new ArgumentSyntaxError(
        "NOT_A_LITERAL",
        "f-strings are evaluated by Python; write the finished text as a plain string instead",
        start,
        prefix.length + 1,
      );
    }
    const raw = p.includes("r");
    const isBytes = p.includes("b");
    const t = this.text;
    let i = start + prefix.length;
    const q = t[i];
    const triple = t[i + 1] === q && t[i + 2] === q;
    const quoteLen = triple ? 3 : 1;
    i += quoteLen;
    const units: number[] = []; // code points for str, byte values for bytes
    for (;;) {
      // A backslash as the last character escapes nothing: the string is just as unterminated.
      if (i >= t.length - (t[i] === "\\" ? 1 : 0) || (!triple && (t[i] === "\n" || t[i] === "\r"))) {
        throw new ArgumentSyntaxError("INVALID_STRING", "this string is never closed: add the matching quote", start, i - start);
      }
      if (t[i] === q && (!triple || (t[i + 1] === q && t[i + 2] === q))) break;
      if (t[i] === "\r") {
        // Python reads a line break in its source as \n, whichever it is (only a triple-quoted string gets here).
        units.push(10);
        i += t[i + 1] === "\n" ? 2 : 1;
        continue;
      }
      const cp = t.codePointAt(i)!;
      if (isBytes && cp > 127) throw nonAsciiBytes(i, cp);
      if (cp !== 92 /* backslash */) {
        units.push(cp);
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
      if (raw) {
        // A raw string keeps the backslash, but the backslash still stops the next quote (or line break) from ending it.
        const next = t.codePointAt(i + 1)!;
        if (next === 13) {
          units.push(92, 10);
          i += t[i + 2] === "\n" ? 3 : 2;
          continue;
        }
        if (isBytes && next > 127) throw nonAsciiBytes(i + 1, next);
        units.push(92, next);
        i += next > 0xffff ? 3 : 2;
        continue;
      }
      i = this.escape(i, isBytes, units);
    }
    this.pos = i + quoteLen;
    if (isBytes) return { kind: "bytes", value: units, start, end: this.pos };
    return { kind: "str", value: codePointsToString(units), start, end: this.pos };
  }

  /** Decodes the escape at `i` (a backslash) into `out`; returns the index after it. */
  private escape(i: number, isBytes: boolean, out: number[]): number {
    const t = this.text;
    const c = t[i + 1];
    if (c === "\n") return i + 2;
    if (c === "\r") return t[i + 2] === "\n" ? i + 3 : i + 2;
    if (c in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[c]);
      return i + 2;
    }
    if (c >= "0" && c <= "7") {
      let j = i + 1;
      while (j < i + 4 && t[j] >= "0" && t[j] <= "7") j++;
      const v = parseInt(t.slice(i + 1, j), 8);
      out.push(isBytes ? v & 0xff : v);
      return j;
    }
    const hexLen = c === "x" ? 2 : !isBytes && c === "u" ? 4 : !isBytes && c === "U" ? 8 : 0;
    if (hexLen > 0) {
      const hex = t.slice(i + 2, i + 2 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) {
        throw new ArgumentSyntaxError(
          "INVALID_STRING",
          `the \\${c} escape needs exactly ${hexLen} hex digits, e.g. \\${c}${"0".repeat(hexLen - 1)}A`,
          i,
          2 + hex.replace(/[^0-9a-fA-F].*$/s, "").length,
        );
      }
      const v = parseInt(hex, 16);
      if (v > 0x10ffff) {
        throw new ArgumentSyntaxError("INVALID_STRING", `\\U${hex} is beyond the last Unicode character (\\U0010FFFF)`, i, 10);
      }
      out.push(v);
      return i + 2 + hexLen;
    }
    if (!isBytes && c === "N") {
      const close = t.indexOf("}", i);
      throw new ArgumentSyntaxError(
        "INVALID_STRING",
        "\\N{…} named escapes are not supported here; paste the character itself or use \\uXXXX",
        i,
        close > i ? close - i + 1 : 2,
      );
    }
    // Python keeps unknown escapes such as `\d` as a backslash plus the character.
    out.push(92);
    return i + 1;
  }
}

function nonAsciiBytes(at: number, cp: number): ArgumentSyntaxError {
  return new ArgumentSyntaxError("INVALID_STRING", "bytes literals can only contain ASCII characters; write other bytes as \\xNN escapes", at, cp > 0xffff ? 2 : 1);
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function numberHint(text: string): string {
  if (/^0[0-9_]*[1-9]/.test(text)) return " (Python does not allow leading zeros; for octal write 0o…)";
  if (text.includes("__") || /_$|_\.|\._/.test(text)) return " (an underscore may only sit between two digits)";
  return "";
}

function codePointsToString(cps: number[]): string {
  let s = "";
  // Chunked to stay under the engine's argument-count limit; lone surrogates (\uD800) stay, as in Python.
  for (let i = 0; i < cps.length; i += 4096) s += String.fromCodePoint(...cps.slice(i, i + 4096));
  return s;
}

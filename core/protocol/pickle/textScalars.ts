/** The text-mode scalars of protocols 0 and 1 (INT, LONG, FLOAT, UNICODE), parsed as CPython does. */
import { PYTHON_MAX_INT_DIGITS } from "../numberText";
import { pyFloat, pyInt, type PyValue } from "../pyValue";
import { opName } from "./opcodes";
import { invalid } from "./pickleErrors";

/** CPython 3.11 refuses to parse longer decimal ints. */
const MAX_INT_DIGITS = PYTHON_MAX_INT_DIGITS;

export function parseIntText(op: number, text: string): number | bigint {
  const t = text.trim();
  // Decimal → BigInt is superlinear: a hostile 10 MB literal must not stall the decoder.
  if (t.replace(/^[+-]/, "").length > MAX_INT_DIGITS) throw invalid(`${opName(op)} literal is over Python's ${MAX_INT_DIGITS}-digit limit`);
  if (!/^[+-]?\d+$/.test(t)) throw invalid(`${opName(op)} argument ${JSON.stringify(text.slice(0, 40))} is not an int`);
  return pyInt(BigInt(t));
}

export function parseFloatText(op: number, text: string): PyValue {
  const t = text.trim().toLowerCase();
  const m = /^([+-]?)(inf|infinity|nan)$/.exec(t);
  if (m) return m[2] === "nan" ? NaN : m[1] === "-" ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw invalid(`${opName(op)} argument ${JSON.stringify(text.slice(0, 40))} is not a float`);
  return pyFloat(Number(t));
}

/** Python's `raw-unicode-escape`: latin-1, except `\uXXXX` / `\UXXXXXXXX` after an odd run of backslashes. */
export function decodeRawUnicodeEscape(op: number, text: string): string {
  return text.replace(/(\\+)(u[0-9a-fA-F]{0,4}|U[0-9a-fA-F]{0,8})/g, (whole, slashes: string, esc: string) => {
    if (slashes.length % 2 === 0) return whole;
    const digits = esc.slice(1);
    const want = esc[0] === "u" ? 4 : 8;
    const cp = parseInt(digits, 16);
    if (digits.length !== want || cp > 0x10ffff) throw invalid(`${opName(op)}: bad \\${esc[0]} escape`);
    return slashes.slice(1) + String.fromCodePoint(cp);
  });
}


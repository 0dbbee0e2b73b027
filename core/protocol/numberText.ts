/**
 * Python's text for numbers. Floats come in the two dialects the wire uses: Python's `float.__repr__`
 * (JSONData, `repr`) and pydantic-core's JSON (envelope `details`). Both print the same shortest digits as
 * JavaScript; they differ only in where exponent notation starts and how the exponent is written.
 */

/**
 * CPython's `sys.int_info.default_max_str_digits`: it refuses to convert longer ints between decimal
 * text and int (decimal ↔ binary is superlinear), and so do the readers and the formatter here.
 */
export const PYTHON_MAX_INT_DIGITS = 4300;

interface Decimal {
  /** Significant digits without leading/trailing zeros, e.g. "15" for 1.5e-7. */
  digits: string;
  /** Exponent of the first digit: value = 0.d1d2… × 10^(exponent+1). */
  exponent: number;
}

function shortestDecimal(abs: number): Decimal {
  // toExponential() with no argument yields the shortest digits that round-trip (ECMA-262 §21.1.3.2).
  const text = abs.toExponential();
  const e = text.indexOf("e");
  return { digits: text.slice(0, e).replace(".", ""), exponent: Number(text.slice(e + 1)) };
}

function positional({ digits, exponent }: Decimal): string {
  const point = exponent + 1;
  if (point <= 0) return "0." + "0".repeat(-point) + digits;
  if (point >= digits.length) return digits + "0".repeat(point - digits.length) + ".0";
  return digits.slice(0, point) + "." + digits.slice(point);
}

function scientific({ digits, exponent }: Decimal, padExponent: boolean): string {
  const mantissa = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
  const sign = exponent < 0 ? "-" : "+";
  const magnitude = String(Math.abs(exponent));
  return `${mantissa}e${sign}${padExponent ? magnitude.padStart(2, "0") : magnitude}`;
}

function format(x: number, minPositionalExponent: number, padExponent: boolean): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  // Fast path: in this range JavaScript also writes the shortest digits positionally (it switches to
  // exponents only below 1e-6 and from 1e21), so only the ".0" of integral values differs.
  if (abs >= 10 ** minPositionalExponent && abs < 1e16) {
    const s = String(x);
    return Number.isInteger(x) ? s + ".0" : s;
  }
  const sign = x < 0 ? "-" : "";
  const d = shortestDecimal(abs);
  const body = d.exponent < minPositionalExponent || d.exponent >= 16 ? scientific(d, padExponent) : positional(d);
  return sign + body;
}

/** Python `repr(float)` for a finite float: `0.1`, `100.0`, `1e+16`, `1.5e-07`, `-0.0`. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return format(x, -4, true);
}

/**
 * pydantic-core's JSON text for a finite float: `1e-7`, `0.00001`, `1e+16`, `100.0`. Non-finite
 * values have no JSON form (pydantic writes `null`); callers decide.
 */
export function pydanticFloatJson(x: number): string {
  return format(x, -5, false);
}

/** Python `repr(int)` for an int PyValue; integral numbers beyond 2^53 print exactly, not as `1e+21`. */
export function pythonIntRepr(n: number | bigint): string {
  return typeof n === "bigint" || !Number.isSafeInteger(n) ? BigInt(n).toString() : String(n);
}

/**
 * `JSON.stringify(value)`, the same text, faster for the long strings our frames and journal carry: task
 * payloads (`N\n11\n[…]`) and pickled results (MIME base64, a newline every 76 characters). One newline
 * sends V8's stringifier down its slow escaping path for the whole string; a long string of printable
 * ASCII and newlines is quoted here by one regular-expression test and one replace instead.
 */

/** Strings shorter than this are left to JSON.stringify (the test would cost more than it saves). */
const LONG = 64;
const PRINTABLE_OR_NEWLINE = /^[\x20\x21\x23-\x5b\x5d-\x7e\n]*$/;
const NEWLINE = /\n/g;

export function jsonText(value: object): string {
  return text(value) as string;
}

/** The JSON text of `value`, or undefined where JSON.stringify leaves a property out (undefined, functions, symbols). */
function text(value: unknown): string | undefined {
  if (typeof value === "string") return quote(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + (text(value[i]) ?? "null");
    return out + "]";
  }
  // Anything but a plain object (a Date, a class with toJSON, a boxed primitive) goes to JSON.stringify whole.
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === "function") return JSON.stringify(value);
  let out = "{";
  let first = true;
  for (const key of Object.keys(value)) {
    const v = text((value as Record<string, unknown>)[key]);
    if (v === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(key) + ":" + v;
    first = false;
  }
  return out + "}";
}

function quote(s: string): string {
  return s.length >= LONG && PRINTABLE_OR_NEWLINE.test(s) ? `"${s.replace(NEWLINE, "\\n")}"` : JSON.stringify(s);
}

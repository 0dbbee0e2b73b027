/**
 * UTF-8 as Python's pickle uses it: `str.encode("utf-8", "surrogatepass")` and the matching decode, so a
 * lone surrogate (legal in both Python and JS strings) survives a round trip instead of becoming U+FFFD.
 */

export const utf8Encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** In a `u`-flag regex a surrogate pair is one code point, so this matches lone surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Below this many bytes a JS loop beats the native decoder's call overhead. */
const SHORT_DECODE = 64;

export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/**
 * Writes `s` at `out[at]` (room for 3 bytes per UTF-16 unit is the caller's job) and returns the byte
 * count. A plain loop: for short strings faster than TextEncoder, and it handles lone surrogates.
 */
export function writeUtf8(s: string, out: Uint8Array, at: number): number {
  let n = at;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n - at;
}

/** Encodes a string that has lone surrogates (TextEncoder would turn them into U+FFFD). */
export function encodeSurrogatepass(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  return out.subarray(0, writeUtf8(s, out, 0));
}

/** Decodes UTF-8, also accepting encoded surrogates; returns undefined for anything else invalid. */
export function decodeSurrogatepass(bytes: Uint8Array): string | undefined {
  if (bytes.length <= SHORT_DECODE && bytes.every((b) => b < 0x80)) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return decodeSlow(bytes);
  }
}

function decodeSlow(b: Uint8Array): string | undefined {
  const units: number[] = [];
  let s = "";
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    let cp: number;
    let len: number;
    if (c < 0x80) [cp, len] = [c, 1];
    else if (c >= 0xc2 && c < 0xe0) [cp, len] = [c & 0x1f, 2];
    else if (c >= 0xe0 && c < 0xf0) [cp, len] = [c & 0x0f, 3];
    else if (c >= 0xf0 && c < 0xf5) [cp, len] = [c & 0x07, 4];
    else return undefined;
    if (i + len > b.length) return undefined;
    for (let k = 1; k < len; k++) {
      if ((b[i + k] & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (b[i + k] & 0x3f);
    }
    const overlong = (len === 3 && cp < 0x800) || (len === 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff) return undefined;
    if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
    i += len;
    if (units.length >= 8192) {
      s += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return s + String.fromCharCode(...units);
}

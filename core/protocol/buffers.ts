/**
 * `pack_buffers` / `unpack_buffers` of the Globus Compute SDK (protocol.md §5.1): each buffer is written
 * as its decimal length, `\n`, then the buffer. Lengths count Unicode code points (Python `len(str)`),
 * not UTF-16 units, so astral characters count once.
 */
import { ProtocolError } from "./errors";

const MAX_QUOTED = 40;

/** Python `len(s)`: UTF-16 units minus one per surrogate pair; linear, no array of the string. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export function packBuffers(buffers: readonly string[]): string {
  let out = "";
  for (const b of buffers) out += `${codePointLength(b)}\n${b}`;
  return out;
}

export function unpackBuffers(packed: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < packed.length) {
    const nl = packed.indexOf("\n", pos);
    if (nl < 0) throw new ProtocolError("INVALID_BUFFER", `Invalid length delimiter: ${quote(packed.slice(pos))}`);
    const lengthText = packed.slice(pos, nl);
    if (!/^\d+$/.test(lengthText)) {
      throw new ProtocolError("INVALID_BUFFER", `Invalid length delimiter: ${quote(lengthText)}`);
    }
    const want = Number(lengthText);
    const start = nl + 1;
    const end = advanceCodePoints(packed, start, want);
    if (end < 0) {
      const remain = codePointLength(packed.slice(start));
      throw new ProtocolError(
        "INVALID_BUFFER",
        `Truncated buffer: expected ${lengthText} characters, but only ${remain} characters remain`,
      );
    }
    out.push(packed.slice(start, end));
    pos = end;
  }
  return out;
}

/** The UTF-16 index `count` code points after `start`, or -1 when the string ends first. */
function advanceCodePoints(s: string, start: number, count: number): number {
  // Fewer UTF-16 units than code points wanted: certainly truncated (also bounds absurd lengths).
  if (count > s.length - start) return -1;
  let pos = start;
  for (let k = 0; k < count; k++) {
    if (pos >= s.length) return -1;
    const c = s.charCodeAt(pos);
    if (c >= 0xd800 && c <= 0xdbff && pos + 1 < s.length) {
      const next = s.charCodeAt(pos + 1);
      pos += next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    } else {
      pos++;
    }
  }
  return pos;
}

function quote(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

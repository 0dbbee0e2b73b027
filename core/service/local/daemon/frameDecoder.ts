/**
 * Splits the daemon socket's byte stream into frames: one JSON object per line. Byte-level, so a
 * multi-byte character split across reads arrives intact and invalid UTF-8 is refused rather than
 * replaced; each byte is scanned for the line end once (only the new chunk is searched, and the pieces
 * of a frame are joined once it is whole); a frame longer than the limit is an error as soon as its
 * bytes pass the limit, so a peer cannot grow the buffer without end. After an error the decoder stops:
 * the stream is out of step and its owner closes the connection.
 */
import { isUtf8 } from "node:buffer";
import { LocalEndpointError } from "../../../local/errors";

/** Longest frame: a 10 MB submission or result, escaped and base64'd, fits with room to spare. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;

export class FrameDecoder {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private failed = false;

  constructor(
    private readonly onFrame: (frame: Record<string, unknown>) => void,
    private readonly onError: (error: LocalEndpointError) => void,
    private readonly maxFrameBytes = MAX_FRAME_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (!this.failed) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) {
        this.keep(chunk.subarray(start));
        return;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.partBytes + piece.length > this.maxFrameBytes) return this.fail(tooLong(this.maxFrameBytes));
      const line = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece], this.partBytes + piece.length);
      this.parts = [];
      this.partBytes = 0;
      this.decode(line);
    }
  }

  private keep(rest: Buffer): void {
    if (rest.length === 0) return;
    this.partBytes += rest.length;
    if (this.partBytes > this.maxFrameBytes) return this.fail(tooLong(this.maxFrameBytes));
    this.parts.push(rest);
  }

  private decode(line: Buffer): void {
    if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) return; // blank line
    if (!isUtf8(line)) return this.fail(new LocalEndpointError("DAEMON_PROTOCOL", "a frame is not valid UTF-8"));
    let value: unknown;
    try {
      value = JSON.parse(line.toString("utf8"));
    } catch (err) {
      return this.fail(new LocalEndpointError("DAEMON_PROTOCOL", `a frame is not JSON: ${(err as Error).message}`));
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      const what = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
      return this.fail(new LocalEndpointError("DAEMON_PROTOCOL", `a frame must be a JSON object, got ${what}`));
    }
    this.onFrame(value as Record<string, unknown>);
  }

  private fail(error: LocalEndpointError): void {
    this.failed = true;
    this.parts = [];
    this.partBytes = 0;
    this.onError(error);
  }
}

function tooLong(max: number): LocalEndpointError {
  return new LocalEndpointError("DAEMON_PROTOCOL", `a frame exceeds the ${max}-byte limit`);
}

/** One frame's bytes: the JSON text and its line end. */
export function encodeFrame(value: unknown): string {
  return JSON.stringify(value) + "\n";
}

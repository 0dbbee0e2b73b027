/**
 * Length-prefixed JSON frames over a pair of pipes (a 4-byte big-endian length, then UTF-8 JSON): the
 * private channel to a worker process, kept apart from the stdout/stderr that user code writes to.
 */
import type { Readable, Writable } from "node:stream";
import { Emitter, type Event } from "../util/event";
import type { Disposable } from "../util/disposable";

const HEADER_BYTES = 4;

export class FrameChannel implements Disposable {
  private readonly frameEmitter = new Emitter<unknown>();
  private readonly errorEmitter = new Emitter<Error>();
  /** Each decoded frame, in order. */
  readonly onFrame: Event<unknown> = this.frameEmitter.event;
  /** A frame that is not JSON: the peer is broken; the owner should stop it. */
  readonly onError: Event<Error> = this.errorEmitter.event;

  // Chunks are joined only once a whole frame is there, so a 10 MB frame is copied once, not per chunk.
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the frame being received, once its header is in; -1 before. */
  private expected = -1;
  /** JSON texts of the frames sent this tick, written together at its end. */
  private outgoing: string[] = [];

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {
    input.on("data", this.onData);
    // A worker that dies closes its end; write errors then are expected and reported by its exit.
    output.on("error", () => {});
    input.on("error", () => {});
  }

  send(message: unknown): void {
    // Frames sent in the same tick leave in one write of one buffer: one system call and one wake-up
    // of the peer, and no per-frame bookkeeping in the stream.
    if (this.outgoing.length === 0) process.nextTick(this.writeOut);
    this.outgoing.push(JSON.stringify(message));
  }

  private readonly writeOut = (): void => {
    let bytes = 0;
    for (const json of this.outgoing) bytes += HEADER_BYTES + Buffer.byteLength(json, "utf8");
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const json of this.outgoing) {
      const length = out.write(json, at + HEADER_BYTES, "utf8");
      out.writeUInt32BE(length, at);
      at += HEADER_BYTES + length;
    }
    this.outgoing = [];
    this.output.write(out);
  };

  private readonly onData = (chunk: Buffer): void => {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < HEADER_BYTES) return;
        this.expected = this.join().readUInt32BE(0);
      }
      if (this.buffered < HEADER_BYTES + this.expected) return;
      const all = this.join();
      const body = all.subarray(HEADER_BYTES, HEADER_BYTES + this.expected);
      const rest = all.subarray(HEADER_BYTES + this.expected);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.expected = -1;
      let frame: unknown;
      try {
        frame = JSON.parse(body.toString("utf8"));
      } catch (err) {
        this.errorEmitter.fire(new Error("malformed frame from worker", { cause: err }));
        return;
      }
      this.frameEmitter.fire(frame);
    }
  };

  private join(): Buffer {
    // One chunk (often several frames read at once) is used in place: copying it per frame is quadratic.
    if (this.chunks.length === 1) return this.chunks[0];
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  dispose(): void {
    this.input.off("data", this.onData);
    this.frameEmitter.dispose();
    this.errorEmitter.dispose();
  }
}

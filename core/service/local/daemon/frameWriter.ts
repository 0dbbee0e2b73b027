/**
 * Frames from the daemon to one client, written once per event-loop turn: replies and watch events of
 * a turn leave in one socket write (one system call, one wake-up of the client), a watch's consecutive
 * events travel as one frame, and a task's "running" is dropped when its result goes in the same write
 * (the client would replace it at once). Each worker's `details` dict goes once per connection, at the
 * head of the write that first needs it.
 */
import type { Socket } from "node:net";
import type { ResultEvent } from "../../computeService";
import type { PyDict } from "../../../protocol/pyValue";
import { toTagged } from "../../../protocol/tagged";
import { encodeFrame } from "./frameDecoder";
import { encodeResultEvent, type WireDetails, type WireWatchBatch, type WireWatchEvent } from "./wire";

export class FrameWriter {
  private queue: (unknown | WireWatchBatch)[] = [];
  private newDetails: WireDetails[] = [];
  private readonly batches = new WeakSet<WireWatchBatch>();
  private readonly detailsRefs = new WeakMap<PyDict, number>();
  private nextDetailsRef = 1;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly socket: Socket) {}

  send(frame: unknown): void {
    this.queue.push(frame);
    this.schedule();
  }

  result(watch: number, e: ResultEvent): void {
    const details = e.result.details;
    let ref: number | null = null;
    if (details) {
      ref = this.detailsRefs.get(details) ?? null;
      if (ref === null) {
        this.detailsRefs.set(details, (ref = this.nextDetailsRef++));
        this.newDetails.push({ details: ref, value: toTagged(details) });
      }
    }
    this.event(watch, { event: "result", data: encodeResultEvent(e, ref) });
  }

  event(watch: number, event: WireWatchEvent): void {
    const last = this.queue[this.queue.length - 1] as WireWatchBatch | undefined;
    if (last !== undefined && this.batches.has(last) && last.watch === watch) last.events.push(event);
    else {
      const batch: WireWatchBatch = { watch, events: [event] };
      this.batches.add(batch);
      this.queue.push(batch);
    }
    this.schedule();
  }

  /** The queued frames' text, taken out of the queue (to write now, e.g. before closing). */
  flush(): string {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    let finished: Set<string> | undefined;
    for (const frame of this.queue) {
      if (!this.batches.has(frame as WireWatchBatch)) continue;
      for (const e of (frame as WireWatchBatch).events) if (e.event === "result") (finished ??= new Set()).add(e.data.t);
    }
    let text = "";
    for (const frame of this.newDetails) text += encodeFrame(frame);
    for (const frame of this.queue) {
      const batch = this.batches.has(frame as WireWatchBatch) ? (frame as WireWatchBatch) : undefined;
      if (!batch) text += encodeFrame(frame);
      else if (!finished) text += encodeFrame(batch);
      else {
        const events = batch.events.filter((e) => e.event !== "taskState" || !finished.has(e.data.taskId));
        if (events.length > 0) text += encodeFrame(events.length === batch.events.length ? batch : { watch: batch.watch, events });
      }
    }
    this.queue = [];
    this.newDetails = [];
    return text;
  }

  dispose(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.queue = [];
    this.newDetails = [];
  }

  private schedule(): void {
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      const text = this.flush();
      if (text !== "" && !this.socket.destroyed) this.socket.write(text);
    });
  }
}

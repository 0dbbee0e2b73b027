/**
 * Decides what a settled task prints, once: a live outcome is written to the output channel at once; an
 * outcome that arrived while no window was open (settled before its group was reloaded, and not marked
 * printed in the history by any window) is written under one "While you were away" summary when the
 * reload is done. Every outcome written is marked printed in the history, so no later window repeats it.
 */
import type { ComputeFuture } from "../../core/executor/computeFuture";
import type { SettledTask } from "./resultOutput";
import type { TaskOrigin } from "./failureText";

export interface PrintedMarks {
  wasPrinted(future: ComputeFuture): boolean;
  markPrinted(future: ComputeFuture): void;
}

export interface OutcomeSink {
  /** Writes one task's outcome. */
  write(task: SettledTask, origin?: TaskOrigin): void;
  /** Writes a line of its own (the summary). */
  info(message: string): void;
}

interface Away {
  task: SettledTask;
  origin?: TaskOrigin;
  endpoint: string;
}

export class OutcomeReporter {
  private away: Away[] | undefined = [];

  constructor(
    private readonly sink: OutcomeSink,
    private readonly marks: PrintedMarks | undefined,
  ) {}

  /**
   * A task settled. Returns true when it was printed now (a live outcome), so callers notify only then.
   * Outcomes found while reloading wait for `reloadFinished`; one found later (a group reloaded by id) prints at once.
   */
  settled(task: SettledTask, group: { origin?: TaskOrigin; endpoint: { name: string } }, live: boolean, future: ComputeFuture): boolean {
    if (live) {
      this.sink.write(task, group.origin);
      this.marks?.markPrinted(future);
      return true;
    }
    if (this.marks === undefined || this.marks.wasPrinted(future)) return false;
    this.marks.markPrinted(future);
    const entry = { task, origin: group.origin, endpoint: group.endpoint.name };
    if (this.away !== undefined) this.away.push(entry);
    else this.printAway([entry], 0);
    return false;
  }

  /** The stored groups are reloaded: prints what arrived meanwhile under its summary. Returns how many outcomes. */
  reloadFinished(stillRunning: number): number {
    const away = this.away ?? [];
    this.away = undefined;
    if (away.length > 0) this.printAway(away, stillRunning);
    return away.length;
  }

  private printAway(away: readonly Away[], stillRunning: number): void {
    const failed = away.filter((a) => "error" in a.task.outcome).length;
    const parts = [`${away.length - failed} succeeded`, `${failed} failed`];
    if (stillRunning > 0) parts.push(`${stillRunning} still running`);
    this.sink.info(`While you were away: ${parts.join(", ")}. Task ids below (Copy Task ID in the Tasks view finds them).`);
    for (const a of away) this.sink.write(a.task, a.origin);
    this.sink.info(`End of what arrived while you were away.`);
  }
}

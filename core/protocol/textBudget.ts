/**
 * Text written under a budget of characters and CPU time: what every walk that renders a result value
 * writes into (its repr, its JSON). A few bytes of pickle can describe a value whose text is
 * astronomically large (shared references), so the work must stop with the text, never with the value.
 */

/** Why a text is incomplete: it reached its length limit, or its time ran out. */
export type TextCut = "length" | "time";

/** How often (in writes) the clock is read: often enough for milliseconds, rarely enough to be free. */
const CLOCK_EVERY = 256;

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

export class TextBudget {
  private out = "";
  private writes = 0;
  /**
   * CPU microseconds at which writing stops, set at the first reading of the clock (after CLOCK_EVERY
   * writes): most values are shorter, and reading the clock (a system call) cost more than formatting
   * them (a 100k-row export called it 200k times). The writes before it are not counted: microseconds.
   */
  private deadline: number | undefined;
  /** Over the length limit, or out of time: nothing more is written. */
  full = false;
  private outOfTime = false;

  constructor(
    private readonly limit: number,
    /** CPU time, not wall time, so that a busy machine does not cut what an idle one shows. */
    private readonly maxMillis: number,
    /** Characters still to be skipped before any is kept. */
    private skip = 0,
  ) {}

  /** Characters still wanted (one more than fits, so that overflowing is detected), skipped ones included. */
  get room(): number {
    return this.skip + this.limit + 1 - this.out.length;
  }

  /** Why the text is incomplete; undefined while it is whole. */
  get cut(): TextCut | undefined {
    return this.outOfTime ? "time" : this.full ? "length" : undefined;
  }

  /** The text kept so far, as written (complete only while `cut` is undefined). */
  get text(): string {
    return this.out;
  }

  write(s: string): void {
    if (this.full) return;
    if (this.skip > 0) {
      if (s.length <= this.skip) {
        this.skip -= s.length;
        this.tick();
        return;
      }
      s = s.slice(this.skip);
      this.skip = 0;
    }
    if (s.length >= this.room) {
      this.out += s.slice(0, this.room);
      this.full = true;
      return;
    }
    this.out += s;
    this.tick();
  }

  /** CPU milliseconds left of the budget (the whole budget while the clock has not been read yet). */
  millisLeft(): number {
    if (this.deadline === undefined) return this.maxMillis;
    return Math.max(0, (this.deadline - cpuMicros()) / 1000);
  }

  private tick(): void {
    if (++this.writes % CLOCK_EVERY !== 0) return;
    const now = cpuMicros();
    this.deadline ??= now + this.maxMillis * 1000;
    if (now > this.deadline) this.full = this.outOfTime = true;
  }

  /** The text, ending in `…` when it was cut (within the length limit, never splitting a surrogate pair). */
  finish(): string {
    const out = this.out;
    if (this.outOfTime) return out + "…";
    if (!this.full) return out;
    if (this.limit < 1) return "";
    let cut = this.limit - 1;
    const c = out.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--;
    return out.slice(0, cut) + "…";
  }
}

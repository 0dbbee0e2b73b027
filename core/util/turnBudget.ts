/**
 * A loop's share of one event-loop turn: the loop asks `spent` after each piece of work and, once it
 * is, awaits `nextTurn()`, so a long loop (a 100k-item map queued, 100k futures cancelled) never holds
 * the host for more than about the budget at a time.
 */
export class TurnBudget {
  private turnStarted = performance.now();

  constructor(private readonly budgetMs: number) {}

  get spent(): boolean {
    return performance.now() - this.turnStarted >= this.budgetMs;
  }

  /** Resolves on a later turn, with a new budget. */
  async nextTurn(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.turnStarted = performance.now();
  }
}

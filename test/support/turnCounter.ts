/**
 * Counts the event loop's turns (its check phases, where setImmediate work runs): work noted under one
 * count ran in one turn. For tests that some work is spread over turns.
 */
export function turnCounter(): { readonly turn: number; stop(): void; mostInOneTurn(turns: readonly number[]): number } {
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turn() {
      return turn;
    },
    stop() {
      ticking = false;
    },
    /** The most entries of `turns` (turn counts noted as work ran) that share one turn. */
    mostInOneTurn(turns) {
      const perTurn = new Map<number, number>();
      for (const t of turns) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
      return Math.max(0, ...perTurn.values());
    },
  };
}

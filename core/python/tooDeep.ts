/**
 * Pathologically deep code (an expression nested thousands of levels, generated code) must not
 * overflow the stack of the language server: recursive walks count their depth and give up past
 * MAX_ANALYSIS_DEPTH with this error, which the analysis turns into "too deep to analyse" for that
 * statement and goes on with the rest.
 */
export const MAX_ANALYSIS_DEPTH = 400;

export class TooDeepError extends Error {
  override readonly name = "TooDeepError";
  constructor() {
    super(`nested more than ${MAX_ANALYSIS_DEPTH} levels deep: too deep to analyse`);
  }
}

/** Runs `walk`; undefined when it went too deep. */
export function unlessTooDeep<T>(walk: () => T): T | undefined {
  try {
    return walk();
  } catch (err) {
    if (err instanceof TooDeepError) return undefined;
    throw err;
  }
}

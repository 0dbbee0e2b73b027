/** Python sources several tests use. */

/** A decorator that only wraps: its wrapper writes module state (TIMINGS) when called, never when decorating. */
export const TIMED_DECORATOR = [
  "TIMINGS = []",
  "",
  "def timed(fn):",
  "    @functools.wraps(fn)",
  "    def wrapper(*a):",
  "        TIMINGS.append(fn.__name__)",
  "        return fn(*a)",
  "    return wrapper",
];

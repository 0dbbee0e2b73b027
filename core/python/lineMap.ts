/**
 * Which line of the original document each line of a bundle came from. Stored with every submitted
 * task group, so it is kept as runs: `[bundleLine, fileLine, count]` says bundle lines
 * bundleLine … bundleLine + count - 1 are document lines fileLine … fileLine + count - 1 (1-based).
 * Bundle lines in no run (the blank lines between shipped definitions) map to nothing.
 */
export type LineRun = readonly [bundleLine: number, fileLine: number, count: number];
export type LineMap = readonly LineRun[];

/** Line breaks as VS Code, the LSP and Python count them. */
const LINE_BREAK = /\r\n?|\n/g;

/** The number of lines in `text` (a text without a line break is one line). */
export function lineCount(text: string): number {
  return (text.match(LINE_BREAK)?.length ?? 0) + 1;
}

/** A function from a UTF-16 offset in `text` to its 1-based line. */
export function lineLocator(text: string): (offset: number) => number {
  const starts = [0];
  for (const m of text.matchAll(LINE_BREAK)) starts.push(m.index + m[0].length);
  return (offset) => {
    // The last line start at or before offset.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Runs from one entry per bundle line (index 0 = bundle line 1): a document line, or undefined. */
export function lineMapOf(fileLines: readonly (number | undefined)[]): LineRun[] {
  const runs: [number, number, number][] = [];
  fileLines.forEach((fileLine, i) => {
    if (fileLine === undefined) return;
    const last = runs.at(-1);
    if (last && last[0] + last[2] === i + 1 && last[1] + last[2] === fileLine) last[2]++;
    else runs.push([i + 1, fileLine, 1]);
  });
  return runs;
}

/** The document line of a bundle line, or undefined when the map does not cover it. */
export function fileLineOf(map: LineMap, bundleLine: number): number | undefined {
  for (const [start, fileLine, count] of map) {
    if (bundleLine >= start && bundleLine < start + count) return fileLine + (bundleLine - start);
  }
  return undefined;
}

/** Whether `value` (e.g. read back from storage) is a LineMap. */
export function isLineMap(value: unknown): value is LineMap {
  return (
    Array.isArray(value) &&
    value.every((r: unknown) => Array.isArray(r) && r.length === 3 && r.every((n: unknown) => Number.isSafeInteger(n) && (n as number) > 0))
  );
}

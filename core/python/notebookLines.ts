/**
 * Where the lines of a notebook's analysed text come from. A function submitted from a notebook cell is
 * analysed with the code cells above it joined into one text (core/server/notebookCells), so its
 * bundle's line map names lines of that text. Each code cell's place in the notebook and the line it
 * starts at in that text turn such a line back into a cell and a line of the cell.
 */

/** `[cell, firstLine]`: the cell's index in the notebook (0-based, markdown cells counted) and the text line it starts at (1-based). */
export type CellStart = readonly [cell: number, firstLine: number];
/** The code cells of the text, in order. */
export type NotebookLines = readonly CellStart[];

/** The cell (0-based index) and its line (1-based) that line `line` of the joined text is; undefined before the first cell. */
export function cellLineOf(cells: NotebookLines, line: number): { cell: number; line: number } | undefined {
  let found: CellStart | undefined;
  for (const start of cells) {
    if (start[1] > line) break;
    found = start;
  }
  return found && { cell: found[0], line: line - found[1] + 1 };
}

/** Whether `value` (e.g. read back from storage) is a NotebookLines. */
export function isNotebookLines(value: unknown): value is NotebookLines {
  return (
    Array.isArray(value) &&
    value.every((c: unknown, i) => {
      if (!Array.isArray(c) || c.length !== 2 || !Number.isSafeInteger(c[0]) || !Number.isSafeInteger(c[1]) || c[0] < 0 || c[1] < 1) return false;
      const before = value[i - 1] as CellStart | undefined;
      return before === undefined || (c[0] > before[0] && c[1] > before[1]);
    })
  );
}

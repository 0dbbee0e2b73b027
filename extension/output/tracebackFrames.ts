/**
 * A remote traceback as a person wants to read it: the frames of the machinery that ran the function (our
 * local worker, the endpoint's and SDK's own modules) are removed, also when the call failed before the
 * function's body ran (a missing argument), and each frame in the user's file shows its source line as
 * Python prints it (the endpoint compiled the source from a string, so it could not).
 */

/**
 * A frame line, in Python's form (`File "p", line 3, in f`) or the linked form (`File p:3, in f`), or a
 * notebook cell's in either (`File "p", cell 2, line 3, in f`, `File p, cell 2, line 3, in f`); keeps a `  | ` margin.
 */
const FRAME = /^([ \t|]*)File (?:"([^"]*)"(?:, cell (\d+))?, line (\d+)|(.+?)(?:, cell (\d+), line |:)(\d+)), in (.+)$/;

/** Files of the machinery between the service and the user's function. */
const MACHINERY = [/[\\/]globus_compute_(?:endpoint|sdk)[\\/]/, /[\\/]parsl[\\/]/, /[\\/]dill[\\/]/, /[\\/]worker\.py$/];

export interface TracebackSource {
  /** The user's file the frames were pointed at (after the line map), if any. */
  path?: string;
  /** The file's lines (a notebook's: those of its cell `cell`, counted from 1); undefined when they cannot be read (then no source lines are added). */
  readLines(path: string, cell?: number): readonly string[] | undefined;
}

export function cleanTraceback(traceback: string, source: TracebackSource): string {
  const lines = traceback.split("\n");
  const out: string[] = [];
  const read = new Map<number | undefined, readonly string[] | undefined>();
  for (let i = 0; i < lines.length; i++) {
    const m = FRAME.exec(lines[i]);
    if (m === null) {
      out.push(lines[i]);
      continue;
    }
    const [, margin, quoted, quotedCell, quotedLine, linked, linkedCell, linkedLine] = m;
    const file = quoted ?? linked;
    const cellText = quotedCell ?? linkedCell;
    const cell = cellText === undefined ? undefined : Number(cellText);
    const lineNo = Number(quotedLine ?? linkedLine);
    // The frame's own source and caret lines are indented deeper than the frame line.
    let end = i + 1;
    while (end < lines.length && lines[end].startsWith(`${margin}  `) && !FRAME.test(lines[end])) end++;
    if (file !== source.path && MACHINERY.some((re) => re.test(file))) {
      i = end - 1;
      continue;
    }
    out.push(lines[i]);
    if (end === i + 1 && source.path !== undefined && file === source.path) {
      if (!read.has(cell)) read.set(cell, source.readLines(source.path, cell));
      const text = read.get(cell)?.[lineNo - 1]?.trim();
      if (text) out.push(`${margin}  ${text}`);
    }
    out.push(...lines.slice(i + 1, end));
    i = end - 1;
  }
  // A call that failed before the function ran has no frame left: Python's header alone would say nothing.
  return out.filter((line, k) => !(HEADER.test(line) && (k + 1 >= out.length || !FRAME.test(out[k + 1])))).join("\n");
}

const HEADER = /^[ \t|]*Traceback \(most recent call last\):$/;

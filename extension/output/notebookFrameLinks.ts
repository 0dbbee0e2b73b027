/**
 * Links from the traceback frames of a function submitted from a notebook cell to that cell: such a
 * frame names the notebook file, the cell and the line (`File /w/n.ipynb, cell 3, line 2, in f`, see
 * core/python/tracebackLocations), which VS Code's own link detection cannot open.
 */

/** Where a notebook frame's location is in a document (0-based line and columns), and what it names. */
export interface NotebookFrameLink {
  line: number;
  start: number;
  end: number;
  /** The notebook file. */
  path: string;
  /** The cell (1-based, as the frame counts) and the line in it (1-based). */
  cell: number;
  cellLine: number;
}

/** `File /w/n.ipynb, cell 3, line 2` or Python's quoted form; the link covers the path to the line number. */
const CELL_FRAME = /File ("?)([^"\n]+?\.ipynb)\1, cell (\d+), line (\d+)/g;

export function notebookFrameLinks(text: string): NotebookFrameLink[] {
  const links: NotebookFrameLink[] = [];
  const lines = text.split("\n");
  lines.forEach((lineText, line) => {
    for (const m of lineText.matchAll(CELL_FRAME)) {
      const start = m.index + "File ".length;
      links.push({ line, start, end: m.index + m[0].length, path: m[2], cell: Number(m[3]), cellLine: Number(m[4]) });
    }
  });
  return links;
}

/**
 * A notebook cell as the analysis sees it: the Python code cells from the first down to this one, in
 * order, as one text (what a kernel that ran them top to bottom has defined when this cell runs).
 * Offsets and positions convert between the cell and that text.
 */
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CellStartDescription, LspPosition, LspRange } from "./protocol";

export interface CellView {
  /** The code cells up to and including this one, joined by line breaks. */
  text: string;
  /** Where the cell starts in `text`, as an offset and a line. */
  start: number;
  startLine: number;
  /** `text` as a document, to turn its offsets into positions. */
  document: TextDocument;
  /** Each code cell and the line of `text` it starts at (1-based), to point tracebacks at cells. */
  cells: CellStartDescription[];
}

/** A code cell: its document's URI and its text. */
export interface CodeCell {
  uri: string;
  text: string;
}

/** IPython syntax on a line of its own (`%magic`, `%%cell magic`, `!shell`): blanked, at the same length, so Python parses the rest. */
const IPYTHON_LINE = /^[ \t]*[%!][^\r\n]*/gm;

export function cellView(cellsAbove: readonly CodeCell[], cell: CodeCell): CellView {
  const code = [...cellsAbove, cell];
  const parts = code.map((c) => c.text.replace(IPYTHON_LINE, (m) => " ".repeat(m.length)));
  const text = parts.join("\n");
  const start = text.length - parts[parts.length - 1].length;
  const document = TextDocument.create("globus-compute:notebook-cells", "python", 0, text);
  let offset = 0;
  const cells = code.map((c, i) => {
    const line = document.positionAt(offset).line + 1;
    offset += parts[i].length + 1;
    return { uri: c.uri, line };
  });
  return { text, start, startLine: document.positionAt(start).line, document, cells };
}

/** A position in `view.text` as a position in the cell; before the cell (in a cell above): its start. */
export function cellPosition(view: CellView, offset: number): LspPosition {
  const p = view.document.positionAt(offset);
  return p.line < view.startLine ? { line: 0, character: 0 } : { line: p.line - view.startLine, character: p.character };
}

export function cellRange(view: CellView, r: { start: number; end: number }): LspRange {
  return { start: cellPosition(view, r.start), end: cellPosition(view, r.end) };
}

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

export function cellView(cellsAbove: readonly CodeCell[], cell: CodeCell): CellView {
  const code = [...cellsAbove, cell];
  const parts = code.map((c) => withoutIPython(c.text));
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

/** Cell magics whose body is Python the kernel runs; any other (`%%bash`, `%%writefile`…) is not Python. */
const PYTHON_CELL_MAGICS = new Set(["time", "timeit", "capture", "prun"]);

/**
 * The cell with its IPython syntax blanked, at the same length, so Python parses the rest: a logical
 * line that starts with `%` or `!` (a magic, a shell command), and the whole cell under a cell magic
 * whose body is not Python. As IPython does, only a line that starts a statement counts: not one inside
 * a string, in brackets, or after a backslash (`(17\n % 5)`, a `%(name)s` line of a template).
 */
export function withoutIPython(text: string): string {
  const cellMagic = /^\s*%%([\w.-]*)/.exec(text);
  if (cellMagic && !PYTHON_CELL_MAGICS.has(cellMagic[1])) return text.replace(/[^\r\n]/g, " ");
  let out = "";
  let at = 0;
  for (const start of logicalLineStarts(text)) {
    const end = text.indexOf("\n", start);
    const lineEnd = end < 0 ? text.length : end;
    const line = text.slice(start, lineEnd);
    if (!/^[ \t]*[%!]/.test(line)) continue;
    out += text.slice(at, start) + line.replace(/[^\r]/g, " ");
    at = lineEnd;
  }
  return out + text.slice(at);
}

/** Offsets of the lines of `text` that start a logical line (by Python's tokenizer rules, roughly). */
function logicalLineStarts(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let quote = ""; // the open string's quote, single or tripled
  let continued = false;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    if (atLineStart) {
      if (quote.length !== 3 && depth === 0 && !continued) starts.push(i);
      atLineStart = false;
      continued = false;
    }
    const c = text[i];
    if (c === "\n") {
      if (quote.length === 1) quote = ""; // an unterminated string ends with its line
      atLineStart = true;
    } else if (quote) {
      if (c === "\\") i++;
      else if (text.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = "";
      }
    } else if (c === "#") {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (c === "'" || c === '"') {
      quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += quote.length - 1;
    } else if (c === "\\" && (text[i + 1] === "\n" || (text[i + 1] === "\r" && text[i + 2] === "\n"))) {
      continued = true;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if ((c === ")" || c === "]" || c === "}") && depth > 0) depth--;
  }
  return starts;
}

/**
 * Points a remote traceback at the user's file: the endpoint compiles the bundle as `<string>`, so its
 * frames say `File "<string>", line 11` — a line of the bundle. With the bundle's line map they name
 * the document's path and line instead; for a notebook, the cell and the line in it.
 */
import { fileLineOf, type LineMap } from "./lineMap";
import { cellLineOf, type NotebookLines } from "./notebookLines";

/**
 * `python`: Python's own frame, `File "/abs/x.py", line 12, in f`.
 * `link`: `File /abs/x.py:12, in f`, the form VS Code's Output panel turns into a link to the line
 * (it links `path:line`, but in Python's form only the path, which opens the file at its top).
 * A notebook's frame is `File "/abs/n.ipynb", cell 3, line 2, in f` (cells counted from 1, as the
 * notebook shows them), or `File /abs/n.ipynb, cell 3, line 2, in f` in the link style, which the
 * extension's own link provider links to the cell.
 */
export type FrameStyle = "python" | "link";

/** A frame of the bundle; the prefix keeps an exception group's `  | ` margin. */
const BUNDLE_FRAME = /^([ \t|]*)File "<string>", line (\d+)(.*)$/;
/** A frame of a file: the user's modules shipped in a bundle are compiled under their local paths. */
const FILE_FRAME = /^([ \t|]*)File "([^"<][^"]*)", line (\d+)(.*)$/;

/**
 * `traceback` with each bundle frame the map covers naming `path` and the document line (with `cells`,
 * the map's lines are those of a notebook's code cells joined, and frames name the cell); other lines
 * unchanged, except that in the link style a frame of a file `isLocalFile` knows (a helper module of
 * the project, shipped under its own path) becomes a link to its line as well.
 */
export function locateTraceback(
  traceback: string,
  lineMap: LineMap,
  path: string,
  style: FrameStyle = "python",
  isLocalFile: (path: string) => boolean = () => false,
  cells?: NotebookLines,
): string {
  const named = style === "link" ? path : `"${path}"`;
  return traceback
    .split("\n")
    .map((line) => {
      const file = style === "link" ? FILE_FRAME.exec(line) : null;
      if (file && isLocalFile(file[2])) return `${file[1]}File ${file[2]}:${file[3]}${file[4]}`;
      const m = BUNDLE_FRAME.exec(line);
      const fileLine = m ? fileLineOf(lineMap, Number(m[2])) : undefined;
      if (m === null || fileLine === undefined) return line;
      if (cells) {
        const at = cellLineOf(cells, fileLine);
        return at ? `${m[1]}File ${named}, cell ${at.cell + 1}, line ${at.line}${m[3]}` : line;
      }
      const location = style === "link" ? `${path}:${fileLine}` : `"${path}", line ${fileLine}`;
      return `${m[1]}File ${location}${m[3]}`;
    })
    .join("\n");
}

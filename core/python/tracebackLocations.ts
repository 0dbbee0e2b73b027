/**
 * Points a remote traceback at the user's file: the endpoint compiles the bundle as `<string>`, so its
 * frames say `File "<string>", line 11` — a line of the bundle. With the bundle's line map they name
 * the document's path and line instead.
 */
import { fileLineOf, type LineMap } from "./lineMap";

/**
 * `python`: Python's own frame, `File "/abs/x.py", line 12, in f`.
 * `link`: `File /abs/x.py:12, in f`, the form VS Code's Output panel turns into a link to the line
 * (it links `path:line`, but in Python's form only the path, which opens the file at its top).
 */
export type FrameStyle = "python" | "link";

/** A frame of the bundle; the prefix keeps an exception group's `  | ` margin. */
const BUNDLE_FRAME = /^([ \t|]*)File "<string>", line (\d+)(.*)$/;

/** `traceback` with each bundle frame the map covers naming `path` and the document line; other lines unchanged. */
export function locateTraceback(traceback: string, lineMap: LineMap, path: string, style: FrameStyle = "python"): string {
  return traceback
    .split("\n")
    .map((line) => {
      const m = BUNDLE_FRAME.exec(line);
      const fileLine = m ? fileLineOf(lineMap, Number(m[2])) : undefined;
      if (m === null || fileLine === undefined) return line;
      const location = style === "link" ? `${path}:${fileLine}` : `"${path}", line ${fileLine}`;
      return `${m[1]}File ${location}${m[3]}`;
    })
    .join("\n");
}

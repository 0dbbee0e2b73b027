/**
 * "Open Result": a task's whole result (or traceback) as a read-only document. The URI names the task
 * (`globus-compute-result:/<group key>/<index>/<call>.py`); the text is built from its future on demand.
 * A result whose text is longer than a page is shown a page at a time (`<call>.from-1000000.py` …), each
 * rendered within formatPython's budget, never as one huge text; the header links to the next page.
 */
import type { ComputeFuture } from "../../core/executor";
import { formatPython } from "../../core/protocol/formatPython";
import { failureText, type TaskOrigin } from "./failureText";

export const RESULT_SCHEME = "globus-compute-result";

/** Longest call text kept in the document's name. */
const MAX_NAME = 60;
/** Characters of the result's text per page. */
export const PAGE_CHARS = 1_000_000;
/** Rendering budget of one page (a far page renders, and skips, the text before it). */
const PAGE_MILLIS = 5000;

/** The document of a task's result; `from` > 0: the page starting at that character of its text. */
export function resultPath(groupKey: string, index: number, call: string, from = 0): string {
  const name = call.replace(/[/\\?#%*:|"<>\s]+/g, "_").slice(0, MAX_NAME);
  return `/${encodeURIComponent(groupKey)}/${index}/${name}${from > 0 ? `.from-${from}` : ""}.py`;
}

/** The same result's document, at the page starting at character `from`. */
export function resultPagePath(path: string, from: number): string {
  return path.replace(/(\.from-\d+)?\.py$/, from > 0 ? `.from-${from}.py` : ".py");
}

export function parseResultPath(path: string): { groupKey: string; index: number; from: number } | undefined {
  const m = /^\/([^/]+)\/(\d+)\//.exec(path);
  if (!m) return undefined;
  const from = /\.from-(\d+)\.py$/.exec(path);
  return { groupKey: decodeURIComponent(m[1]), index: Number(m[2]), from: from ? Number(from[1]) : 0 };
}

/** Where a page's header offers the next page: a link for the document (0-based line and columns). */
export interface NextPageLink {
  line: number;
  start: number;
  end: number;
  /** The character the next page starts at. */
  from: number;
}

const NEXT_PAGE = /next page from character ([\d,]+)/;

/** The next-page mention in a result document's header, if any. */
export function nextPageLink(text: string): NextPageLink | undefined {
  const lines = text.split("\n", 3);
  for (let line = 0; line < lines.length; line++) {
    const m = lines[line].startsWith("#") ? NEXT_PAGE.exec(lines[line]) : null;
    if (m) return { line, start: m.index, end: m.index + m[0].length, from: Number(m[1].replaceAll(",", "")) - 1 };
  }
  return undefined;
}

/**
 * The document text: a header comment, then the Python repr of the value (or the page of it starting at
 * character `from`) or the traceback (its frames naming the file `origin` says the function came from).
 */
export async function resultText(call: string, future: ComputeFuture | undefined, origin?: TaskOrigin, from = 0): Promise<string> {
  if (future === undefined) return `# ${call}\n# The result is no longer available (the task group was forgotten).\n`;
  const header = `# ${call}${future.taskId ? `  ·  task ${future.taskId}` : ""}`;
  if (!future.done()) return `${header}\n# Still ${future.state}: no result yet.\n`;
  try {
    const value = await future;
    // One character more than a page: a text that fills it ends in "…" when more follows (as it does
    // when the time budget ran out first: the next page starts where this one stopped).
    const text = formatPython(value, { offset: from, maxLength: PAGE_CHARS + 1, maxMillis: PAGE_MILLIS });
    const more = text.endsWith("…");
    if (from === 0 && !more) return `${header}\n${text}\n`;
    const shown = more ? text.slice(0, -1) : text;
    const n = (x: number) => x.toLocaleString("en-US");
    const where =
      shown.length === 0
        ? `# The result's text ends before character ${n(from + 1)}.`
        : `# Characters ${n(from + 1)}–${n(from + shown.length)} of the result's text.`;
    return `${header}\n${where}${more ? ` Open the next page from character ${n(from + shown.length + 1)} (the link).` : ""}\n${shown}${more ? "…" : ""}\n`;
  } catch (err) {
    const body = failureText(err, origin, "python");
    return `${header}\n# failed:\n${body
      .split("\n")
      .map((l) => `# ${l}`)
      .join("\n")}\n`;
  }
}

import type { Tree } from "web-tree-sitter";

/** Lines at column 0 that continue the statement above rather than start a new one. */
const CONTINUATION = /^(?:else|elif|except|finally|case)\b/;
const STATEMENT_START = /^[\p{ID_Start}_@]/u;

/**
 * tree-sitter's error recovery can swallow the rest of a file after an unclosed bracket, hiding the
 * valid functions below it. This blanks out (with spaces, keeping every offset and line) each
 * top-level statement that does not parse on its own, so the rest parses cleanly. Returns the text
 * unchanged when every statement parses.
 */
export function blankBrokenStatements(text: string, parse: (text: string) => Tree): string {
  const starts = statementStarts(text);
  let out = "";
  let changed = false;
  for (let i = 0; i < starts.length; i++) {
    const segment = text.slice(starts[i], starts[i + 1] ?? text.length);
    const tree = parse(segment);
    const broken = tree.rootNode.hasError;
    tree.delete();
    out += broken ? segment.replace(/[^\r\n]/g, " ") : segment;
    changed ||= broken;
  }
  return changed ? out : text;
}

/** Offsets where top-level statements begin, judged by line starts (the tree is not trusted here). */
function statementStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0 && i + 1 < text.length; i = text.indexOf("\n", i + 1)) {
    const line = text.slice(i + 1, i + 41);
    if (STATEMENT_START.test(line) && !CONTINUATION.test(line)) starts.push(i + 1);
  }
  return starts;
}

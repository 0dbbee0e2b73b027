/**
 * The one line that says what went wrong in an endpoint's failure text. A Python traceback ends with
 * the exception, whose message may run over several lines (jsonschema's ValidationError, an
 * ExceptionGroup's parts): the summary is the exception's first line, not the text's last. Text that is
 * not a traceback (the endpoint manager's "Unable to start user endpoint process …") is summed up by
 * its first line.
 */
export function exceptionLine(text: string): string | undefined {
  const lines = text.split(/\r\n?|\n/);
  // A chained exception repeats the header; the last top-level block is the one that was raised. A
  // block starts the text or follows one of Python's chaining sentences: a header anywhere else is part
  // of an exception's message (a wrapped `traceback.format_exc()`), not the exception raised.
  let header: RegExpExecArray | null = null;
  let start = 0;
  let previous: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const found = previous === undefined || CHAINING.has(previous) ? HEADER.exec(lines[i]) : null;
    if (found) [header, start] = [found, i];
    previous = lines[i];
  }
  if (header) {
    // An exception group's block is drawn with a "| " margin; inside it the layout is the same.
    const margin = header[2] ? `${header[1]}| ` : "";
    for (const line of lines.slice(start + 1)) {
      if (!line.startsWith(margin)) break;
      const body = line.slice(margin.length);
      // Frames and their source lines are indented; the exception starts at column 0 after them.
      if (body.trim() !== "" && !/^\s/.test(body)) return body.trim();
    }
  }
  return lines.find((l) => l.trim() !== "")?.trim();
}

const HEADER = /^( *)(\+ Exception Group )?Traceback \(most recent call last\):/;

/** What CPython prints between the blocks of chained exceptions (`raise … from …`, and raising in `except`). */
const CHAINING = new Set([
  "The above exception was the direct cause of the following exception:",
  "During handling of the above exception, another exception occurred:",
]);

/**
 * The one line that says what went wrong in an endpoint's failure text. A Python traceback ends with
 * the exception, whose message may run over several lines (jsonschema's ValidationError, an
 * ExceptionGroup's parts): the summary is the exception's first line, not the text's last. Text that is
 * not a traceback (the endpoint manager's "Unable to start user endpoint process …") is summed up by
 * its first line.
 */
export function exceptionLine(text: string): string | undefined {
  const lines = text.split(/\r\n?|\n/);
  // A chained exception repeats the header; the last top-level block is the one that was raised.
  for (let i = lines.length - 1; i >= 0; i--) {
    const header = /^( *)(\+ Exception Group )?Traceback \(most recent call last\):/.exec(lines[i]);
    if (!header) continue;
    // An exception group's block is drawn with a "| " margin; inside it the layout is the same.
    const margin = header[2] ? `${header[1]}| ` : "";
    for (const line of lines.slice(i + 1)) {
      if (!line.startsWith(margin)) break;
      const body = line.slice(margin.length);
      // Frames and their source lines are indented; the exception starts at column 0 after them.
      if (body.trim() !== "" && !/^\s/.test(body)) return body.trim();
    }
    break;
  }
  return lines.find((l) => l.trim() !== "")?.trim();
}

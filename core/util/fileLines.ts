/**
 * The lines of a file, read a chunk at a time: a journal may outgrow the longest string V8 can make
 * (~512 MB), which reading it whole would turn into a failure to start. Lines are split on the newline
 * byte, which never occurs inside a multi-byte UTF-8 character, so each line decodes whole.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export function* fileLines(path: string, chunkBytes = 1 << 20): Generator<string> {
  const fd = openSync(path, "r");
  try {
    const chunk = Buffer.allocUnsafe(chunkBytes);
    let pending: Buffer[] = [];
    for (;;) {
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) break;
      let start = 0;
      for (let nl = chunk.indexOf(0x0a, start); nl !== -1 && nl < n; nl = chunk.indexOf(0x0a, start)) {
        pending.push(chunk.subarray(start, nl));
        yield Buffer.concat(pending).toString("utf8");
        pending = [];
        start = nl + 1;
      }
      // The chunk is reused: keep a copy of the unfinished line's bytes.
      if (start < n) pending.push(Buffer.from(chunk.subarray(start, n)));
    }
    if (pending.length > 0) yield Buffer.concat(pending).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Whether the file's last line is finished (false for an empty or missing file). */
export function endsWithNewline(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    return size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

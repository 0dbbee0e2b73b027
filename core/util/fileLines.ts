/**
 * Files of lines (journals). Read a chunk at a time: a journal may outgrow the longest string V8 can make
 * (~512 MB), which reading it whole would turn into a failure to start. Lines are split on the newline
 * byte, which never occurs inside a multi-byte UTF-8 character, so each line decodes whole. Appended whole
 * lines at a time (LineAppender).
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeFileSync } from "node:fs";

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

/**
 * Appends whole lines to a file that this process alone writes, all or nothing: a write that stops part-way
 * (a full disk, a quota, the file-size limit) is cut back to where it began and its error thrown, so the
 * next append, once there is room, does not glue its first line onto the torn one (both would be lost).
 */
export class LineAppender {
  /** A torn write could not be cut back: the next append starts a line of its own. */
  private torn = false;
  private size: number;

  /** `fd` is open for appending; when its file does not end with a whole line, the first append starts one of its own. */
  constructor(
    readonly fd: number,
    endsWithWholeLine = true,
  ) {
    this.size = fstatSync(fd).size;
    this.torn = !endsWithWholeLine && this.size > 0;
  }

  /** The file's size: where the next append begins. */
  get bytes(): number {
    return this.size;
  }

  append(lines: string): void {
    const data = Buffer.from(this.torn ? `\n${lines}` : lines, "utf8");
    try {
      writeFileSync(this.fd, data);
    } catch (err) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        this.torn = true;
      }
      throw err;
    }
    // After a torn write that stayed, the size is the file's (the torn bytes are in it).
    this.size = this.torn ? fstatSync(this.fd).size : this.size + data.length;
    this.torn = false;
  }
}

import assert from "node:assert/strict";
import fs, { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mock, test } from "node:test";
import { endsWithNewline, fileLines, LineAppender } from "../../../../core/util/fileLines";
import { fillDisk } from "../../../support/fullDisk";

test("fileLines reads lines across chunk boundaries, multi-byte characters and long lines whole", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gc-lines-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "journal");
  const lines = ["", "é€😀 split anywhere", "x".repeat(50), "", "a\rb", "last, unfinished"];
  writeFileSync(path, lines.join("\n"));
  // Every chunk size from 1 byte up: each boundary falls inside a character, a line, or at a newline.
  for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 20]) assert.deepEqual([...fileLines(path, chunk)], lines, `chunks of ${chunk}`);
  assert.equal(endsWithNewline(path), false);
  writeFileSync(path, "one\ntwo\n");
  assert.deepEqual([...fileLines(path, 3)], ["one", "two"]);
  assert.equal(endsWithNewline(path), true);
  writeFileSync(path, "");
  assert.deepEqual([...fileLines(path)], []);
  assert.equal(endsWithNewline(path), false);
  assert.equal(endsWithNewline(join(dir, "missing")), false);
});

test("LineAppender: a write that fails part-way (full disk) is cut back; when it cannot be, the next line starts on its own", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gc-lines-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "journal");
  writeFileSync(path, "a\n");
  const fd = openSync(path, "a");
  t.after(() => closeSync(fd));
  const lines = new LineAppender(fd);
  const onFullDisk = (text: string) => {
    const disk = fillDisk(3);
    try {
      assert.throws(() => lines.append(text), /ENOSPC/);
    } finally {
      disk.free();
    }
  };
  onFullDisk("bbbbbb\n");
  assert.equal(readFileSync(path, "utf8"), "a\n", "cut back");
  lines.append("c\n");
  assert.equal(readFileSync(path, "utf8"), "a\nc\n");

  const truncate = mock.method(fs, "ftruncateSync", () => {
    throw new Error("EIO");
  });
  onFullDisk("dddddd\n");
  truncate.mock.restore();
  lines.append("e\n");
  assert.equal(readFileSync(path, "utf8"), "a\nc\nddd\ne\n", "the torn line stays apart");
  assert.equal(lines.bytes, fs.statSync(path).size);
  onFullDisk("ffffff\n");
  assert.equal(readFileSync(path, "utf8"), "a\nc\nddd\ne\n");
});

test("LineAppender on a file left torn (by a crash) starts its first line apart", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gc-lines-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "journal");
  writeFileSync(path, "a\nto");
  const fd = openSync(path, "a");
  t.after(() => closeSync(fd));
  new LineAppender(fd, endsWithNewline(path)).append("b\n");
  assert.equal(readFileSync(path, "utf8"), "a\nto\nb\n");
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { endsWithNewline, fileLines } from "../../../../core/util/fileLines";

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

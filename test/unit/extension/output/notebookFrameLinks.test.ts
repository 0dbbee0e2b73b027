/** Links from notebook frames in the output channel and result documents to their cell. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { notebookFrameLinks } from "../../../../extension/output/notebookFrameLinks";

test("a notebook frame, in either form, links its notebook, cell and line; other frames do not", () => {
  const text = [
    "2026-12-07 00:40:21.152 [error] inverses([1, 0]) failed",
    "      File /w/my notebooks/n.ipynb, cell 7, line 2, in <listcomp>",
    "        return [inverse(v) for v in values]",
    '#   File "/w/n.ipynb", cell 12, line 30, in inverse',
    "      File /w/lab/stats.py:7, in mean",
    '      File "/w/data.ipynb.py", line 3, in f',
  ].join("\n");
  assert.deepEqual(notebookFrameLinks(text), [
    { line: 1, start: 11, end: 50, path: "/w/my notebooks/n.ipynb", cell: 7, cellLine: 2 },
    { line: 3, start: 9, end: 39, path: "/w/n.ipynb", cell: 12, cellLine: 30 },
  ]);
  assert.equal(text.split("\n")[1].slice(11, 50), "/w/my notebooks/n.ipynb, cell 7, line 2");
  assert.equal(text.split("\n")[3].slice(9, 39), '"/w/n.ipynb", cell 12, line 30');
});

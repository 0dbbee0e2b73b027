import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAIN_MODULE, moduleLoaderLines } from "../../../../core/python/bundleFormat";
import { fileLineOf, isLineMap, lineLocator, lineMapOf } from "../../../../core/python/lineMap";
import { cellLineOf, isNotebookLines } from "../../../../core/python/notebookLines";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { locateTraceback } from "../../../../core/python/tracebackLocations";

const FIXTURES = join(__dirname, "../../../fixtures/python");

let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer?.dispose());

test("the line map keeps runs of consecutive lines and maps only the lines it covers", () => {
  const map = lineMapOf([2, undefined, 4, 5, 6, undefined, undefined, 12, 12, 13]);
  assert.deepEqual(map, [
    [1, 2, 1],
    [3, 4, 3],
    [8, 12, 1],
    [9, 12, 2],
  ]);
  assert.deepEqual([1, 2, 3, 5, 6, 8, 9, 10, 11].map((l) => fileLineOf(map, l)), [2, undefined, 4, 6, undefined, 12, 12, 13, undefined]);
  assert.ok(isLineMap(map) && isLineMap([]));
  for (const bad of [undefined, [[1, 2]], [[1, 2, 0]], [[1.5, 2, 1]], "[]"]) assert.equal(isLineMap(bad), false, JSON.stringify(bad));
});

test("lines are counted at LF, CRLF and a lone CR, as the editor counts them", () => {
  const text = "a\r\nb\rc\nd";
  const lineOf = lineLocator(text);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map(lineOf), [1, 1, 1, 2, 2, 3, 3, 4, 4]);
});

test("each bundle line maps to the document line it was copied from; only blank separators and the module set-up map to nothing", () => {
  let checked = 0;
  // Without a project, a file's classes are a script's (see bundleFormat).
  const setUp = moduleLoaderLines(MAIN_MODULE, false, []);
  // Every function of the fixtures but the 5k-line one.
  for (const file of ["imports_helpers.py", "runnable.py", "star_imports.py", "crlf.py", "tabs.py", "unicode.py", "signatures.py", "decorators.py", "nested_async.py", "syntax_error.py"]) {
    const text = readFileSync(join(FIXTURES, file), "utf8");
    const fileLines = text.split(/\r\n?|\n/);
    for (const f of analyzer.listFunctions(text)) {
      const { source, lineMap } = analyzer.bundleFunction(text, f.ranges.name.start)!;
      source
        .trimEnd()
        .split("\n")
        .forEach((line, i) => {
          const at = `${file} ${f.qualifiedName}: bundle line ${i + 1} ${JSON.stringify(line)}`;
          const fileLine = fileLineOf(lineMap, i + 1);
          if (fileLine === undefined) return assert.ok(line === "" || setUp.includes(line), at);
          const original = fileLines[fileLine - 1];
          // A nested function is dedented; an import cut down to the names used starts where the statement did.
          const same = original.endsWith(line) || (/^(import|from) /.test(line) && /^(import|from) /.test(original));
          assert.ok(same, `${at} → line ${fileLine} ${JSON.stringify(original)}`);
          checked++;
        });
    }
  }
  assert.ok(checked > 150, `only ${checked} lines`);
});

test("the future import and an import cut down to the names used map to their statements", () => {
  const text = readFileSync(join(FIXTURES, "imports_helpers.py"), "utf8");
  const b = analyzer.bundleFunction(text, text.indexOf("def analyse"))!;
  // from __future__ (file line 2) is the bundle's first line, the module's name (it defines a class) the
  // second; `import json as js, sys` ships as `import json as js`.
  assert.equal(fileLineOf(b.lineMap, 1), 2);
  assert.equal(fileLineOf(b.lineMap, 2), undefined);
  assert.equal(b.source.split("\n")[4], "import json as js");
  assert.equal(fileLineOf(b.lineMap, 5), 6);
});

test("frames the map does not cover, and every other line, stay as they were", () => {
  const tb = [
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3/json/__init__.py", line 346, in loads',
    '  File "<string>", line 99, in gone',
    '  File "<string>", line 3, in f',
    "  | ExceptionGroup: boom",
    '    |   File "<string>", line 4, in g',
    'ValueError: File "<string>", line 3 is not a frame',
  ].join("\n");
  const map = [[3, 20, 2] as const];
  assert.equal(
    locateTraceback(tb, map, "/w/a.py"),
    [
      "Traceback (most recent call last):",
      '  File "/usr/lib/python3/json/__init__.py", line 346, in loads',
      '  File "<string>", line 99, in gone',
      '  File "/w/a.py", line 20, in f',
      "  | ExceptionGroup: boom",
      '    |   File "/w/a.py", line 21, in g',
      'ValueError: File "<string>", line 3 is not a frame',
    ].join("\n"),
  );
  assert.equal(locateTraceback('  File "<string>", line 4, in g', map, "/w/a.py", "link"), "  File /w/a.py:21, in g");
});

test("in the link style, frames of local files (helper modules shipped under their paths) link to their line", () => {
  const traceback = [
    "Traceback (most recent call last):",
    '  File "<string>", line 3, in f',
    '  File "/ws/lab/stats.py", line 7, in mean',
    '  File "/remote/lib/python3.11/statistics.py", line 458, in fmean',
    "ValueError: x",
  ].join("\n");
  const local = (p: string) => p.startsWith("/ws/");
  assert.equal(
    locateTraceback(traceback, [[3, 10, 1]], "/ws/analysis.py", "link", local),
    [
      "Traceback (most recent call last):",
      "  File /ws/analysis.py:10, in f",
      "  File /ws/lab/stats.py:7, in mean",
      '  File "/remote/lib/python3.11/statistics.py", line 458, in fmean',
      "ValueError: x",
    ].join("\n"),
  );
  // Python's own form is left as Python wrote it.
  assert.match(locateTraceback(traceback, [[3, 10, 1]], "/ws/analysis.py", "python", local), /File "\/ws\/lab\/stats.py", line 7, in mean/);
});

test("a notebook's frames name the cell and its line: the map's lines are the code cells' joined", () => {
  // Code cells at notebook indexes 1, 2 and 4 (0 and 3 are markdown), starting at lines 1, 4 and 9 of the joined text.
  const cells = [
    [1, 1],
    [2, 4],
    [4, 9],
  ] as const;
  assert.deepEqual([1, 3, 4, 8, 9, 12].map((l) => cellLineOf(cells, l)), [
    { cell: 1, line: 1 },
    { cell: 1, line: 3 },
    { cell: 2, line: 1 },
    { cell: 2, line: 5 },
    { cell: 4, line: 1 },
    { cell: 4, line: 4 },
  ]);
  const traceback = ['  File "<string>", line 20, in f', '  File "<string>", line 9, in helper', '  File "<string>", line 1, in gone'].join("\n");
  // Bundle lines 20 and 9 are joined lines 10 and 5; bundle line 1 is in no run.
  const map = [
    [9, 5, 1],
    [20, 10, 1],
  ] as const;
  assert.equal(
    locateTraceback(traceback, map, "/w/n.ipynb", "link", undefined, cells),
    ["  File /w/n.ipynb, cell 5, line 2, in f", "  File /w/n.ipynb, cell 3, line 2, in helper", '  File "<string>", line 1, in gone'].join("\n"),
  );
  assert.match(locateTraceback(traceback, map, "/w/n.ipynb", "python", undefined, cells), /^ {2}File "\/w\/n\.ipynb", cell 5, line 2, in f$/m);
});

test("a stored cell table is checked before use", () => {
  assert.ok(isNotebookLines([]) && isNotebookLines([[0, 1], [3, 2]]));
  for (const bad of [undefined, "[]", [[0]], [[-1, 1]], [[0, 0]], [[1, 1], [0, 2]], [[0, 2], [1, 2]], [[0.5, 1]]]) assert.equal(isNotebookLines(bad), false, JSON.stringify(bad));
});

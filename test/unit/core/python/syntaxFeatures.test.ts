import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { placeInDocument, tooNewFor, type PythonVersion } from "../../../../core/python/syntaxFeatures";
import { PYTHON } from "./pythonOracle";

let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer?.dispose());

/** [code, the feature found (undefined: none), the version that introduced it]. */
const CASES: [string, string | undefined, PythonVersion | undefined][] = [
  ["if (n := len(xs)) > 3:\n    pass\n", "an assignment expression (:=)", [3, 8]],
  ["def f(a, /, b):\n    pass\n", "a positional-only parameter marker (/)", [3, 8]],
  ["@buttons[0].clicked\ndef f():\n    pass\n", "a decorator that is an arbitrary expression", [3, 9]],
  ["@a.b.c(1)\ndef f():\n    pass\n", undefined, undefined],
  ["match x:\n    case 1:\n        pass\n", "a match statement", [3, 10]],
  ["with (open('a') as f, open('b') as g):\n    pass\n", "a parenthesized context manager", [3, 10]],
  ["with (open('a')):\n    pass\n", undefined, undefined],
  ["try:\n    pass\nexcept* ValueError:\n    pass\n", "an except* clause (exception groups)", [3, 11]],
  ["try:\n    pass\nexcept ValueError:\n    pass\n", undefined, undefined],
  ["type Pair = tuple[int, int]\n", "a type statement", [3, 12]],
  ["def first[T](xs: list[T]) -> T:\n    return xs[0]\n", "a generic function (def f[T])", [3, 12]],
  ["class Box[T]:\n    pass\n", "a generic class (class C[T])", [3, 12]],
  ['x = f"{d["k"]}"\n', "a string inside an f-string's braces with the f-string's own quotes", [3, 12]],
  ["x = f\"{d['k']}\"\n", undefined, undefined],
  ['x = f"""{d["k"]}"""\n', undefined, undefined],
  ["match = 1\ntype = 2\n", undefined, undefined],
];

for (const [code, feature, since] of CASES) {
  test(`syntax features: ${JSON.stringify(code.split("\n")[0])} → ${feature ?? "none"}`, () => {
    const found = analyzer.syntaxFeatures(code);
    assert.deepEqual(
      found.map((f) => [f.feature, f.since]),
      feature === undefined ? [] : [[feature, since]],
    );
  });
}

test("the versions are right where the local interpreter can tell: it compiles what its version accepts and refuses the rest", () => {
  const version = spawnSync(PYTHON, ["-c", "import sys; print(sys.version_info[0], sys.version_info[1])"], { encoding: "utf8" })
    .stdout.trim()
    .split(" ")
    .map(Number) as [number, number];
  const verdicts = CASES.map(([code]) => {
    const r = spawnSync(PYTHON, ["-c", "import sys; compile(sys.stdin.read(), 'case', 'exec')"], { input: code, encoding: "utf8" });
    return r.status === 0;
  });
  const expected = CASES.map(([code]) => tooNewFor(analyzer.syntaxFeatures(code), version).length === 0);
  assert.deepEqual(verdicts, expected, `Python ${version.join(".")} compiles exactly the cases not too new for it`);
});

test("tooNewFor keeps what the version lacks, comparing major then minor", () => {
  const uses = analyzer.syntaxFeatures("def f[T](x: T):\n    match x:\n        case _:\n            return (y := x)\n");
  assert.deepEqual(tooNewFor(uses, [3, 11]).map((u) => u.since), [[3, 12]]);
  assert.deepEqual(tooNewFor(uses, [3, 9]).map((u) => u.since), [[3, 12], [3, 10]]);
  assert.deepEqual(tooNewFor(uses, [4, 0]), []);
  assert.deepEqual(tooNewFor(uses, [2, 7]).length, 3);
});

test("a bundle's uses are placed on their document line (first non-blank to end); code from another file has no place", () => {
  const document = "import os\n\n\nclass K:\n    def m(self):\n        return 1\n\n\ndef f(x):\n    match x:\n        case 1:\n            return K()\n";
  const bundle = analyzer.bundleFunction(document, document.indexOf("def f") + 4)!;
  const placed = placeInDocument(analyzer.syntaxFeatures(bundle.source), bundle.source, bundle.lineMap, document);
  assert.deepEqual(placed, [{ feature: "a match statement", since: [3, 10], range: { start: document.indexOf("match x:"), end: document.indexOf("match x:") + "match x:".length } }]);
  assert.deepEqual(placeInDocument([{ feature: "x", since: [3, 12], range: { start: 0, end: 1 } }], "type X = int\n", [], document), [{ feature: "x", since: [3, 12] }]);
});

test("deeply nested code is walked without overflowing the stack", () => {
  const code = `x = ${"(".repeat(5000)}(y := 1)${")".repeat(5000)}\n`;
  assert.deepEqual(analyzer.syntaxFeatures(code).map((f) => f.feature), ["an assignment expression (:=)"]);
});

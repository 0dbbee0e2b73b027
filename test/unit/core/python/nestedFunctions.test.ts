import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";

// Functions nested in functions: the closures of all of them come from one scope walk of their
// top-level statement (see closuresIn), which diagnostics and bundles share.
let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer?.dispose());

const FINE = "\n\ndef fine(x):\n    return x + 1\n";

/** `depth` defs each nested in the one above (`indent` spaces per level); each uses its parent's parameter and the outermost one's. */
function nestedDefs(depth: number, indent: number): string {
  const lines: string[] = [];
  for (let i = 0; i < depth; i++) {
    const pad = " ".repeat(indent * i);
    lines.push(`${pad}def f${i}(x${i}):`, `${pad}${" ".repeat(indent)}y${i} = x${i} + ${i ? `x${i - 1} + x0` : "1"}`);
  }
  return `${lines.join("\n")}\n${" ".repeat(indent * depth)}return 1\n${FINE}`;
}

test("each nested function's closures name the innermost function binding the name, in diagnostics and bundles alike", () => {
  const text = nestedDefs(40, 4);
  const hints = analyzer.diagnostics(text).filter((d) => d.code === "CLOSURE");
  const functions = analyzer.listFunctions(text);
  assert.equal(functions.length, 41);
  assert.equal(functions[3].qualifiedName, "f0.<locals>.f1.<locals>.f2.<locals>.f3");
  assert.equal(functions[3].enclosingFunction, "f0.<locals>.f1.<locals>.f2");
  assert.ok(functions[39].source.startsWith("def f39(x39):\n    y39 = x39 + x38 + x0\n"), functions[39].source.slice(0, 40));
  for (const f of functions.slice(2, 40)) {
    const i = Number(f.name.slice(1));
    const bundle = analyzer.bundleFunction(text, f.ranges.name.start)!;
    const closures = bundle.problems.filter((p) => p.code === "CLOSURE");
    // Its parent's parameter first (the innermost binding function), then the outermost's.
    assert.deepEqual(
      closures.map((p) => [p.name, text.slice(p.range.start, p.range.end), p.message]),
      [
        [`x${i - 1}`, `x${i - 1}`, `x${i - 1} belongs to the enclosing function f${i - 1}; its value is not sent with f${i}, so pass it as an argument`],
        ["x0", "x0", `x0 belongs to the enclosing function f0; its value is not sent with f${i}, so pass it as an argument`],
      ],
    );
    // The hints on its first body line, where its uses are.
    const lineEnd = text.indexOf("\n", f.ranges.body.start);
    const inFunction = hints.filter((h) => h.range.start >= f.ranges.body.start && h.range.end <= lineEnd);
    assert.deepEqual(
      inFunction.map((h) => [h.range, h.message]),
      closures.map((p) => [p.range, p.message]),
      f.name,
    );
  }
  assert.deepEqual(analyzer.bundleFunction(text, text.indexOf("def fine") + 4)!.problems, []);
});

test("defs nested deeper than the analysis goes: too deep to analyse at the outer def, every def still listed, the rest answers", () => {
  const text = nestedDefs(300, 1);
  const functions = analyzer.listFunctions(text);
  assert.equal(functions.length, 301);
  assert.equal(functions[299].qualifiedName.split(".<locals>.").length, 300);
  const diagnostics = analyzer.diagnostics(text);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, text.slice(d.range.start, d.range.end)]),
    [["TOO_DEEP", "f0"]],
  );
  assert.deepEqual(analyzer.bundleFunction(text, text.indexOf("def f299") + 4)!.problems.map((p) => p.code), ["TOO_DEEP"]);
  const fine = analyzer.bundleFunction(text, text.indexOf("def fine") + 4)!;
  assert.deepEqual(fine.problems, []);
  assert.equal(fine.source, "def fine(x):\n    return x + 1\n");
});

test("1000 levels of nested defs (past what the parser takes) still leave the rest of the file analysed", () => {
  const text = nestedDefs(1000, 1);
  assert.deepEqual(analyzer.diagnostics(text), []);
  assert.deepEqual(analyzer.listFunctions(text).map((f) => f.name), ["fine"]);
  assert.equal(analyzer.bundleFunction(text, text.indexOf("def fine") + 4)!.source, "def fine(x):\n    return x + 1\n");
});

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";

// Pathological depth never overflows the stack: that spot is "too deep to analyse", the rest is analysed.
let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer?.dispose());

const FINE = "\n\ndef fine(x):\n    return x + 1\n";

for (const [what, text] of [
  ["20 000 nested parentheses", `def deep():\n    return ${"(".repeat(20_000)}1${")".repeat(20_000)}\n${FINE}`],
  ["a sum of 50 000 terms", `def deep(x):\n    return ${Array(50_000).fill("x").join(" + ")}\n${FINE}`],
  ["a constant of 5 000 nested lists used by a function", `X = ${"[".repeat(5_000)}${"]".repeat(5_000)}\n\n\ndef deep():\n    return X\n${FINE}`],
] as const) {
  test(`${what}: too deep to analyse there, and the rest still answers`, () => {
    const diagnostics = analyzer.diagnostics(text);
    assert.ok(diagnostics.some((d) => d.code === "TOO_DEEP"), JSON.stringify(diagnostics.map((d) => d.code)));
    const deep = analyzer.bundleFunction(text, text.indexOf("def deep") + 4)!;
    assert.deepEqual(deep.problems.map((p) => p.code), ["TOO_DEEP"]);
    const fine = analyzer.bundleFunction(text, text.indexOf("def fine") + 4)!;
    assert.deepEqual(fine.problems, []);
    assert.equal(fine.source, "def fine(x):\n    return x + 1\n");
  });
}

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import type { OffsetRange } from "../../../../core/python/syntax";

// Golden outputs for the corpus in test/fixtures/python. Regenerate with
//   UPDATE_GOLDEN=1 node test/support/runTests.mjs unit --grep=golden
// and review the diff before committing it.
const FIXTURES = join(__dirname, "../../../fixtures/python");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer.dispose());

/** "line:col-line:col", 1-based lines and 0-based UTF-16 columns, so the goldens can be read. */
function at(text: string, r: OffsetRange): string {
  const pos = (o: number) => {
    const lineStart = text.lastIndexOf("\n", o - 1) + 1;
    return `${text.slice(0, o).split("\n").length}:${o - lineStart}`;
  };
  return `${pos(r.start)}-${pos(r.end)}`;
}

function golden(text: string, large: boolean): unknown {
  const functions = analyzer.listFunctions(text);
  const bundles = functions.map((f) => {
    const b = analyzer.bundleFunction(text, f.ranges.name.start)!;
    assert.equal(b.function.qualifiedName, f.qualifiedName);
    return {
      function: f.qualifiedName,
      name: b.name,
      problems: b.problems.map((p) => ({ code: p.code, severity: p.severity, name: p.name, at: at(text, p.range), message: p.message })),
      shipped: large ? b.shipped.length : b.shipped.map((s) => ({ kind: s.kind, names: s.names, at: at(text, s.range) })),
      source: large ? `${b.source.split("\n").length} lines` : b.source.split("\n"),
    };
  });
  if (large) return { functions: functions.length, lastBundle: bundles[bundles.length - 1] };
  return {
    functions: functions.map((f) => ({
      ...f,
      ranges: Object.fromEntries(Object.entries(f.ranges).map(([k, r]) => [k, at(text, r)])),
      source: f.source.split("\n"),
    })),
    bundles,
    diagnostics: analyzer.diagnostics(text).map((d) => ({
      code: d.code,
      severity: d.severity,
      at: at(text, d.range),
      message: d.message,
      ...(d.fixes ? { fixes: d.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ at: at(text, e.range), newText: e.newText })) })) } : {}),
    })),
  };
}

for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith(".py")).sort()) {
  test(`golden: ${file}`, () => {
    const text = readFileSync(join(FIXTURES, file), "utf8");
    const actual = JSON.parse(JSON.stringify(golden(text, text.length > 50_000)));
    const expectedPath = join(FIXTURES, file.replace(/\.py$/, ".expected.json"));
    if (UPDATE) writeFileSync(expectedPath, JSON.stringify(actual, null, 2) + "\n");
    assert.deepEqual(actual, JSON.parse(readFileSync(expectedPath, "utf8")));
  });
}

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { PYTHON, runPythonJson } from "./pythonOracle";

// Real-world code: every module of the interpreter's standard library goes through the analysis;
// nothing may throw, every function must bundle, and every problem-free bundle must compile.
let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer.dispose());

test("the standard library: every function bundles and problem-free bundles compile", () => {
  const stdlib = execFileSync(PYTHON, ["-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"], { encoding: "utf8" }).trim();
  const files = readdirSync(stdlib).filter((f) => f.endsWith(".py"));
  assert.ok(files.length > 100, `${files.length} modules in ${stdlib}`);
  const toCompile: [string, string][] = [];
  let functions = 0;
  for (const file of files) {
    const text = readFileSync(join(stdlib, file), "utf8");
    analyzer.diagnostics(text);
    for (const f of analyzer.listFunctions(text)) {
      functions++;
      const bundle = analyzer.bundleFunction(text, f.ranges.name.start);
      assert.ok(bundle, `${file}: no bundle for ${f.qualifiedName}`);
      assert.equal(bundle.function.qualifiedName, f.qualifiedName);
      if (bundle.problems.length === 0 && toCompile.length < 3000) toCompile.push([`${file}:${f.qualifiedName}`, bundle.source]);
    }
  }
  assert.ok(functions > 5000, `${functions} functions`);
  const failures = runPythonJson<string[]>(
    String.raw`
import json, sys
out = []
for where, source in json.load(sys.stdin):
    try:
        compile(source, where, "exec")
    except SyntaxError as e:
        out.append(where + ": " + str(e))
print(json.dumps(out))
`,
    toCompile,
  );
  assert.deepEqual(failures, []);
});

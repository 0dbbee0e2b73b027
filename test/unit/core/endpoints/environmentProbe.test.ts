import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { describeProbe, missingImports, parseProbe, PROBE_FUNCTION_NAME, PROBE_SOURCE } from "../../../../core/endpoints/environmentProbe";

const PYTHON = process.env.GC_TEST_PYTHON ?? "/usr/bin/python3";

test("the probe runs on a real interpreter and its report parses: version, implementation, distributions, modules", () => {
  const out = execFileSync(PYTHON, ["-c", `${PROBE_SOURCE}\nimport json\nprint(json.dumps(${PROBE_FUNCTION_NAME}()))`], { encoding: "utf8" });
  const probe = parseProbe(JSON.parse(out));
  const [major, minor] = execFileSync(PYTHON, ["-c", "import sys; print(sys.version_info[0], sys.version_info[1])"], { encoding: "utf8" })
    .trim()
    .split(" ")
    .map(Number);
  assert.deepEqual(probe.pythonMajorMinor, [major, minor]);
  assert.equal(probe.implementation, "CPython");
  assert.ok(probe.modules.has("json") && probe.modules.has("sys") && probe.modules.has("os"), "stdlib and builtins are importable");
  assert.deepEqual(missingImports(["json", "os.path", "surely_not_installed_pkg.sub", ".relative"], probe), ["surely_not_installed_pkg"]);
  assert.match(describeProbe(probe), /^Python \d+\.\d+\.\d+ \(CPython\) on Linux /);
});

test("a malformed report is refused with a stable code; odd fields are dropped", () => {
  assert.throws(() => parseProbe("nope"), { code: "PROBE_MALFORMED" });
  assert.throws(() => parseProbe({ python: { version: "x" } }), { code: "PROBE_MALFORMED" });
  const p = parseProbe({ python: { version: "3.9.18", implementation: "PyPy" }, distributions: { numpy: "1.26.4", bad: 3 }, modules: ["numpy", 5] });
  assert.deepEqual(p.pythonMajorMinor, [3, 9]);
  assert.deepEqual(p.distributions, { numpy: "1.26.4" });
  assert.deepEqual([...p.modules], ["numpy"]);
});

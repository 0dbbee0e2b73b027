import * as assert from "node:assert/strict";
import { test } from "node:test";
import { importWarnings } from "../../../../extension/endpoints/importWarnings";

const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 30 } });
const lines = ["import numpy as np", "from scipy.linalg import solve", "import json", "", "def f(x):"];

test("a module the endpoint lacks is flagged on the import that names it, naming the endpoint; installed ones are not", () => {
  const bundle = {
    thirdPartyImports: ["numpy", "scipy", "pandas"],
    shipped: [
      { kind: "import" as const, names: ["np"], range: range(0) },
      { kind: "import" as const, names: ["solve"], range: range(1) },
      { kind: "import" as const, names: ["json"], range: range(2) },
    ],
    function: { nameRange: range(4) } as never,
  };
  const warnings = importWarnings(bundle, { modules: new Set(["json", "numpy"]) }, "Polaris", (r) => lines[r.start.line]);
  assert.deepEqual(
    warnings.map((w) => [w.range.start.line, w.message]),
    [
      [4, '"pandas" is not installed on endpoint "Polaris" (its last environment probe): install it there, or pick another endpoint.'],
      [1, '"scipy" is not installed on endpoint "Polaris" (its last environment probe): install it there, or pick another endpoint.'],
    ],
  );
});

import * as assert from "node:assert/strict";
import { test } from "node:test";
import { versionWarnings } from "../../../../extension/endpoints/versionWarnings";

const range = (line: number) => ({ start: { line, character: 4 }, end: { line, character: 20 } });

test("syntax newer than the endpoint's Python is flagged on its line (else on the function's name), naming the endpoint and its version", () => {
  const bundle = {
    syntaxFeatures: [
      { feature: "an assignment expression (:=)", since: [3, 8] as [number, number], range: range(3) },
      { feature: "a match statement", since: [3, 10] as [number, number], range: range(5) },
      { feature: "a type statement", since: [3, 12] as [number, number], range: null },
    ],
    function: { nameRange: range(1) } as never,
  };
  assert.deepEqual(
    versionWarnings(bundle, { pythonMajorMinor: [3, 9], pythonVersion: "3.9.18" }, "Polaris").map((w) => [w.range.start.line, w.message]),
    [
      [5, 'A match statement needs Python 3.10, but endpoint "Polaris" runs Python 3.9.18 (its last environment probe).'],
      [1, 'A type statement needs Python 3.12, but endpoint "Polaris" runs Python 3.9.18 (its last environment probe).'],
    ],
  );
  assert.deepEqual(versionWarnings(bundle, { pythonMajorMinor: [3, 12], pythonVersion: "3.12.1" }, "Polaris"), []);
});

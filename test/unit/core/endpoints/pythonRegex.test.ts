import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { pythonPatternToRegExp } from "../../../../core/endpoints/pythonRegex";

/** Python's re.search verdicts (test/fixtures/pythonRe/generate.py); null: Python refuses the pattern. */
const CASES: { pattern: string; matches: Record<string, boolean | null> }[] = JSON.parse(
  readFileSync(resolve(__dirname, "../../../fixtures/pythonRe/patterns.json"), "utf8"),
);
/** Python syntax with no JavaScript equivalent: unknown, so not checked here. */
const UNTRANSLATABLE = ["(?x) a b", "a++", "(?>a)", "(?i:a)b", "(?(1)a|b)", "\\N{DIGIT ONE}", "[^\\W]"];

for (const c of CASES) {
  test(`a Python pattern matches what Python's re matches: ${c.pattern}`, () => {
    const rx = pythonPatternToRegExp(c.pattern);
    if (Object.values(c.matches).every((m) => m === null) || UNTRANSLATABLE.includes(c.pattern)) {
      assert.equal(rx, undefined);
      return;
    }
    assert.ok(rx, "translated");
    for (const [s, expected] of Object.entries(c.matches)) assert.equal(rx.test(s), expected, JSON.stringify(s));
  });
}

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { templateVariables } from "../../../../core/endpoints/templateVariables";

/** What Jinja says of each template (test/fixtures/jinja/generate.py): the names it looks up, those it cannot render without. */
const CASES: Record<string, { template: string; names: string[]; required: string[] }> = JSON.parse(
  readFileSync(resolve(__dirname, "../../../fixtures/jinja/templateVariables.json"), "utf8"),
);

for (const [name, c] of Object.entries(CASES)) {
  test(`template variables as Jinja finds them: ${name}`, () => {
    const vars = templateVariables(c.template);
    assert.deepEqual(vars.map((v) => v.name).sort(), c.names, "the names");
    assert.deepEqual(vars.filter((v) => !v.optional).map((v) => v.name).sort(), c.required, "the names it cannot render without");
  });
}

test("a default's first argument is kept as written; an unreadable tag loses only its own names", () => {
  assert.deepEqual(templateVariables("{{ w|default(\"00:30:00\") }} {{ n|d(1) }} {{ e|default() }} {{ m | default(4, true) }}"), [
    { name: "w", defaultText: '"00:30:00"', optional: true },
    { name: "n", defaultText: "1", optional: true },
    { name: "e", defaultText: "", optional: true },
    { name: "m", defaultText: "4", optional: true },
  ]);
  assert.deepEqual(templateVariables("{{ a ? b }}{% frobnicate c %}{{ d }}{% endfor %}{{ e"), [{ name: "d", optional: false }]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import type { BundleResult, FunctionBundleDescription } from "../../../../core/server/protocol";
import { BundlePreviewCommands, bundlePreviewText } from "../../../../extension/submit/bundlePreview";

const bundle = {
  name: "kelvin_of",
  source: "from lab.units import to_kelvin\n\n\ndef kelvin_of(c):\n    return to_kelvin(c)\n",
  modules: [
    { name: "lab", path: "/ws/lab/__init__.py" },
    { name: "lab.units", path: "/ws/lab/units.py" },
  ],
  thirdPartyImports: ["numpy"],
  problems: [{ code: "CIRCULAR_IMPORT", severity: "warning", message: "analysis.py → circular import a → b → a", range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }],
  function: { name: "kelvin_of" },
} as unknown as FunctionBundleDescription;

test("the preview is the source as sent, under a header saying what it carries and needs", () => {
  const text = bundlePreviewText(bundle);
  assert.ok(text.endsWith(`\n\n${bundle.source}`));
  assert.match(text, /^# Your modules inside it: lab, lab\.units\.$/m);
  assert.match(text, /^# Third-party modules the endpoint must have installed: numpy\.$/m);
  assert.match(text, /^# Warning: analysis\.py → circular import a → b → a$/m);
});

test("Show What Will Be Sent opens the bundle of the function at the cursor, or says why there is none", async () => {
  const shown: string[] = [];
  const warnings: string[] = [];
  let result: BundleResult = { bundle };
  const commands = new BundlePreviewCommands({
    analysis: async () => ({ bundle: async () => result }),
    editor: { activeLocation: () => ({ uri: "file:///ws/analysis.py", offset: 3 }), ensureOpen: async () => undefined, notebookCellIndex: () => undefined },
    ui: { showWarning: (m) => void warnings.push(m) },
    show: async (name, text) => void shown.push(`${name}\n${text}`),
  });
  await commands.showBundle();
  assert.equal(shown.length, 1);
  assert.match(shown[0], /^kelvin_of\.py\n# What Globus Compute sends for kelvin_of/);
  result = { bundle: null, reason: "the cursor is not inside a function definition" };
  await commands.showBundle();
  assert.deepEqual(warnings, ["Nothing to send here: the cursor is not inside a function definition"]);
});

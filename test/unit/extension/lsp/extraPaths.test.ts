import * as assert from "node:assert/strict";
import { test } from "node:test";
import { chooseExtraPaths } from "../../../../extension/lsp/extraPaths";

test("extra paths: ours, else the Python extension's; from an untrusted workspace only the user's own value of the latter", () => {
  const python = { value: ["../../home/me/private"], userValue: ["/home/me/lib"] };
  assert.deepEqual(chooseExtraPaths(["src"], python, true), ["src"]);
  assert.deepEqual(chooseExtraPaths(undefined, python, true), ["../../home/me/private"]);
  // VS Code already hides an untrusted workspace's value of our (restricted) setting.
  assert.deepEqual(chooseExtraPaths(undefined, python, false), ["/home/me/lib"]);
  assert.deepEqual(chooseExtraPaths(undefined, { value: ["../x"], userValue: undefined }, false), []);
  assert.deepEqual(chooseExtraPaths(["a", 7, null], { value: undefined, userValue: undefined }, true), ["a"], "only strings");
});

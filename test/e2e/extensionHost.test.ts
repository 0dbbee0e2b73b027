/**
 * Extension-host tests (test/e2e/host/*.spec.ts; not *.test.ts, which node would run outside VS Code) run
 * inside code-server; each result is reported here as a subtest.
 */
import { test } from "node:test";
import { reportHostResults, runExtensionHostTests } from "./harness";

test("extension-host tests in code-server", { timeout: 240_000 }, async (t) => {
  await reportHostResults(t, await runExtensionHostTests());
});

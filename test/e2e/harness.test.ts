/** The harness must fail when the extension-host tests report nothing: code-server itself exits 0 then. */
import * as assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { E2eError, runExtensionHostTests } from "./harness";

test("a tests module that writes no results fails the run", { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "gc-e2e-silent-"));
  try {
    const entry = join(dir, "index.js");
    await writeFile(entry, 'exports.run = async () => { throw new Error("tests crashed before writing results"); };\n');
    await assert.rejects(runExtensionHostTests({ testsEntry: entry, timeoutMs: 60_000, name: "silent-host-tests" }), (err: unknown) => {
      assert.ok(err instanceof E2eError);
      assert.equal(err.code, "NO_RESULTS");
      assert.match(err.message, /the test extension host exited/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { daemonPathsFor, identityKey } from "../../../../../../core/service/local/daemon/daemonPaths";

test("the same folder opened through a symbolic link (or with a trailing slash) gets the same local endpoint", (t) => {
  const root = mkdtempSync(join(tmpdir(), "gc-daemon-paths-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const real = join(root, "gpfs", "proj");
  mkdirSync(real, { recursive: true });
  symlinkSync(join(root, "gpfs"), join(root, "home"));
  const stateRoot = join(root, "state");
  const key = identityKey({ stateRoot, workspaceFolder: real });
  assert.equal(identityKey({ stateRoot, workspaceFolder: join(root, "home", "proj") }), key);
  assert.equal(identityKey({ stateRoot, workspaceFolder: `${real}/` }), key);
  assert.equal(daemonPathsFor({ stateRoot, workspaceFolder: join(root, "home", "proj") }).stateDir, daemonPathsFor({ stateRoot, workspaceFolder: real }).stateDir);
  assert.notEqual(identityKey({ stateRoot, workspaceFolder: join(root, "gpfs") }), key);
  assert.notEqual(identityKey({ stateRoot }), key);
});

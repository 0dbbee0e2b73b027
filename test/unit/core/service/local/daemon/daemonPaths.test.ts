import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
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

test("a folder opened through a link keeps the endpoint state made before keys were canonical (an update hides nothing)", (t) => {
  const root = mkdtempSync(join(tmpdir(), "gc-daemon-paths-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "gpfs", "proj"), { recursive: true });
  symlinkSync(join(root, "gpfs"), join(root, "home"));
  const stateRoot = join(root, "state");
  const viaLink = join(root, "home", "proj");
  const canonical = daemonPathsFor({ stateRoot, workspaceFolder: viaLink }).stateDir;
  // An earlier version keyed the state by the path as written; its results are there.
  const old = join(stateRoot, createHash("sha256").update(`${process.getuid?.() ?? ""}\0${viaLink}`).digest("hex").slice(0, 24));
  assert.notEqual(old, canonical);
  mkdirSync(old, { recursive: true });
  assert.equal(daemonPathsFor({ stateRoot, workspaceFolder: viaLink }).stateDir, old, "kept while only it exists");
  mkdirSync(canonical, { recursive: true });
  assert.equal(daemonPathsFor({ stateRoot, workspaceFolder: viaLink }).stateDir, canonical, "the canonical one once it exists");
});

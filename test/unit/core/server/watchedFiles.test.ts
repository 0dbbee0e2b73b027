import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FileChangeType, WatchKind, type Diagnostic } from "vscode-languageserver-protocol/node";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { PROJECT_SETTINGS_NOTIFICATION } from "../../../../core/server/protocol";
import { withAncestors } from "../../../../core/server/watchedFiles";
import { inProcessServer, type LspTestClient } from "./lspTestClient";

// Modules changed outside the editor (a `git checkout`, a script, a colleague's edit of a shared library)
// re-lint what imports them, through the client's file watchers, without waiting for an edit of the importer.
const PLAIN_HELPERS = "def scale(x):\n    return x * 2\n";
const STATEFUL = "CONFIG = open('config.txt').read()\n\n\ndef scale(x):\n    return x * len(CONFIG)\n";
const FILES: Record<string, string> = {
  "helpers.py": PLAIN_HELPERS,
  "main.py": "from helpers import scale\n\n\ndef run(x):\n    return scale(x)\n",
  "other.py": "def alone(x):\n    return x + 1\n",
  "uses_fresh.py": "from fresh import scale\n\n\ndef run(x):\n    return scale(x)\n",
  "uses_newpkg.py": "from newpkg.mod import scale\n\n\ndef run(x):\n    return scale(x)\n",
};

let dir: string;
let outside: string;
let client: LspTestClient;
let close: () => Promise<void>;
const uriOf = (file: string) => pathToFileURL(join(dir, file)).href;
const codes = (ds: Diagnostic[]) => ds.map((d) => String(d.code));
const hasLocalState = (ds: Diagnostic[]) => codes(ds).includes("LOCAL_STATE_AT_IMPORT");
const settle = () => new Promise((r) => setTimeout(r, 400)); // well past the debounce (20 ms here)

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gc-watched-"));
  outside = mkdtempSync(join(tmpdir(), "gc-watched-lib-"));
  for (const [file, text] of Object.entries(FILES)) writeFileSync(join(dir, file), text);
  ({ client, close } = inProcessServer(PythonAnalyzer.load()));
  await client.initialize({ folders: [pathToFileURL(dir).href], watchesFiles: true });
  for (const file of ["main.py", "other.py", "uses_fresh.py", "uses_newpkg.py"]) {
    await client.open(uriOf(file), FILES[file]);
    assert.ok(!hasLocalState(await client.diagnosticsFor(uriOf(file), 1)), file);
  }
});

after(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

test("asks the client to watch the workspace's Python files, and what is created or deleted there (directories too), once", async () => {
  const watchers = async () => {
    const found = [...client.registrations.values()].filter((r) => r.method === "workspace/didChangeWatchedFiles");
    return found.flatMap((r) => (r.registerOptions as { watchers: unknown[] }).watchers);
  };
  for (let i = 0; i < 100 && (await watchers()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  // Extra paths outside the workspace are not watched (a recursive watch of a large tree costs the editor).
  await client.notify(PROJECT_SETTINGS_NOTIFICATION, { extraPaths: [outside] });
  await settle(); // (a settings change re-lints every document)
  assert.deepEqual(await watchers(), [
    { globPattern: "**/*.py", kind: WatchKind.Change },
    { globPattern: "**/*", kind: WatchKind.Create | WatchKind.Delete },
  ]);
});

test("a module changed on disk re-lints its importers, and only them", async () => {
  const main = uriOf("main.py");
  const [mainCount, otherCount] = [client.publishCount(main), client.publishCount(uriOf("other.py"))];
  writeFileSync(join(dir, "helpers.py"), STATEFUL);
  await client.filesChanged([{ uri: uriOf("helpers.py"), type: FileChangeType.Changed }]);
  assert.ok(hasLocalState(await client.diagnosticsAfter(main, mainCount, 5000)));
  await settle();
  assert.equal(client.publishCount(uriOf("other.py")), otherCount);
});

test("a module deleted on disk re-lints its importers", async () => {
  const main = uriOf("main.py");
  const count = client.publishCount(main);
  unlinkSync(join(dir, "helpers.py"));
  await client.filesChanged([{ uri: uriOf("helpers.py"), type: FileChangeType.Deleted }]);
  assert.ok(!hasLocalState(await client.diagnosticsAfter(main, count, 5000)));
});

test("a module created where an import looked for it, or in a package created with it, re-lints the importer", async () => {
  const usesFresh = uriOf("uses_fresh.py");
  const count = client.publishCount(usesFresh);
  writeFileSync(join(dir, "fresh.py"), STATEFUL);
  await client.filesChanged([{ uri: uriOf("fresh.py"), type: FileChangeType.Created }]);
  assert.ok(hasLocalState(await client.diagnosticsAfter(usesFresh, count, 5000)));

  // Only the module's own event: the directory it is in was looked for, not the module.
  const usesNewpkg = uriOf("uses_newpkg.py");
  const before = client.publishCount(usesNewpkg);
  mkdirSync(join(dir, "newpkg"));
  writeFileSync(join(dir, "newpkg", "__init__.py"), "");
  writeFileSync(join(dir, "newpkg", "mod.py"), STATEFUL);
  await client.filesChanged([{ uri: uriOf("newpkg/mod.py"), type: FileChangeType.Created }]);
  assert.ok(hasLocalState(await client.diagnosticsAfter(usesNewpkg, before, 5000)));
});

test("a package directory reported deleted as one event (as some clients do) re-lints its importers", async () => {
  const usesNewpkg = uriOf("uses_newpkg.py");
  const count = client.publishCount(usesNewpkg);
  rmSync(join(dir, "newpkg"), { recursive: true });
  await client.filesChanged([{ uri: uriOf("newpkg"), type: FileChangeType.Deleted }]);
  assert.ok(!hasLocalState(await client.diagnosticsAfter(usesNewpkg, count, 5000)));
});

test("a package directory moved into the workspace, reported as one event for the directory, re-lints its importers", async () => {
  const usesNewpkg = uriOf("uses_newpkg.py");
  const count = client.publishCount(usesNewpkg);
  const staged = mkdtempSync(join(tmpdir(), "gc-watched-staged-"));
  writeFileSync(join(staged, "__init__.py"), "");
  writeFileSync(join(staged, "mod.py"), STATEFUL);
  renameSync(staged, join(dir, "newpkg"));
  await client.filesChanged([{ uri: uriOf("newpkg"), type: FileChangeType.Created }]);
  assert.ok(hasLocalState(await client.diagnosticsAfter(usesNewpkg, count, 5000)));
});

test("a change on disk to a module open in an editor is left to the editor's text", async () => {
  writeFileSync(join(dir, "helpers.py"), PLAIN_HELPERS);
  await client.open(uriOf("helpers.py"), PLAIN_HELPERS);
  await client.diagnosticsFor(uriOf("helpers.py"), 1);
  await settle();
  const main = uriOf("main.py");
  const count = client.publishCount(main);
  writeFileSync(join(dir, "helpers.py"), STATEFUL);
  await client.filesChanged([{ uri: uriOf("helpers.py"), type: FileChangeType.Changed }]);
  await settle();
  assert.equal(client.publishCount(main), count);
});

test("withAncestors: every changed path and the directories above it, once", () => {
  assert.deepEqual([...withAncestors(["/a/b/c.py", "/a/b/d.py", "/a/e.py"])].sort(), ["/", "/a", "/a/b", "/a/b/c.py", "/a/b/d.py", "/a/e.py"]);
});

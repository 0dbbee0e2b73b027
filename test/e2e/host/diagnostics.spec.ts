/**
 * Inside VS Code's extension host: the Python analysis's diagnostics follow a module changed on disk
 * outside the editor (VS Code's own file watcher → the language client → the server), without an edit of
 * the file that imports it.
 */
import * as assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as vscode from "vscode";
import { before, describe, it } from "mocha";
import { EXTENSION_ID } from "./hostSetup";

const STATEFUL = "CONFIG = open('config.txt').read()\n\n\ndef scale(x):\n    return x * len(CONFIG)\n";
const PLAIN = "def scale(x):\n    return x * 2\n";
const USER = "from host_lab import scale\n\n\ndef run(x):\n    return scale(x)\n";
const PACKAGE_USER = "from host_pkg.state import scale\n\n\ndef run(x):\n    return scale(x)\n";
const localState = (codes: string[]) => codes.includes("LOCAL_STATE_AT_IMPORT");

/** Resolves once the Globus Compute diagnostics of `uri` satisfy `probe`. */
function diagnosticsWhere(uri: vscode.Uri, probe: (codes: string[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const codes = () =>
    vscode.languages
      .getDiagnostics(uri)
      .filter((d) => d.source === "Globus Compute")
      .map((d) => String(typeof d.code === "object" ? d.code.value : d.code));
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!probe(codes())) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; diagnostics now: ${JSON.stringify(codes())}`));
    }, timeoutMs);
    const sub = vscode.languages.onDidChangeDiagnostics(check);
    check();
  });
}

describe("diagnostics of modules changed on disk", () => {
  let folder: string;
  let lab: string;
  let user: vscode.Uri;

  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    await extension.activate();
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspaceFolder);
    folder = workspaceFolder.uri.fsPath;
    lab = join(folder, "host_lab.py");
    user = vscode.Uri.file(join(folder, "host_uses_lab.py"));
    await writeFile(lab, STATEFUL);
    await writeFile(user.fsPath, USER);
  });

  it("a helper rewritten, then deleted, outside the editor re-lints the open file that imports it", async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(user));
    await diagnosticsWhere(user, localState, "the helper's state at import, on opening");
    await writeFile(lab, PLAIN);
    await diagnosticsWhere(user, (c) => !localState(c), "the warning to go once the helper is rewritten without state");
    await writeFile(lab, STATEFUL);
    await diagnosticsWhere(user, localState, "the warning again once the helper reads a file at import");
    await unlink(lab);
    await diagnosticsWhere(user, (c) => !localState(c), "the warning to go once the helper is deleted");
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  });

  // A move is one event for the directory (none for its files), and VS Code reports a directory deleted at
  // once the same way: a watcher of `*.py` files alone never hears of either.
  it("a package directory moved out of the workspace, moved back in, then deleted outside the editor re-lints the open file that imports from it", async () => {
    const pkg = join(folder, "host_pkg");
    await mkdir(pkg);
    await writeFile(join(pkg, "__init__.py"), "");
    await writeFile(join(pkg, "state.py"), STATEFUL);
    const packageUser = vscode.Uri.file(join(folder, "host_uses_pkg.py"));
    await writeFile(packageUser.fsPath, PACKAGE_USER);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(packageUser));
    await diagnosticsWhere(packageUser, localState, "the package module's state at import, on opening");
    const away = join(await mkdtemp(join(tmpdir(), "gc-host-away-")), "host_pkg");
    await rename(pkg, away);
    await diagnosticsWhere(packageUser, (c) => !localState(c), "the warning to go once the package is moved away");
    await rename(away, pkg);
    await diagnosticsWhere(packageUser, localState, "the warning again once the package is moved back");
    await rm(pkg, { recursive: true });
    await diagnosticsWhere(packageUser, (c) => !localState(c), "the warning to go once the package is deleted");
    await rm(dirname(away), { recursive: true, force: true });
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  });
});

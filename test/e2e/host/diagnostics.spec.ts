/**
 * Inside VS Code's extension host: the Python analysis's diagnostics follow a module changed on disk
 * outside the editor (VS Code's own file watcher → the language client → the server), without an edit of
 * the file that imports it.
 */
import * as assert from "node:assert/strict";
import { unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as vscode from "vscode";
import { before, describe, it } from "mocha";
import { EXTENSION_ID } from "./hostSetup";

const STATEFUL = "CONFIG = open('config.txt').read()\n\n\ndef scale(x):\n    return x * len(CONFIG)\n";
const PLAIN = "def scale(x):\n    return x * 2\n";
const USER = "from host_lab import scale\n\n\ndef run(x):\n    return scale(x)\n";

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
  let lab: string;
  let user: vscode.Uri;

  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    await extension.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    lab = join(folder.uri.fsPath, "host_lab.py");
    user = vscode.Uri.file(join(folder.uri.fsPath, "host_uses_lab.py"));
    await writeFile(lab, STATEFUL);
    await writeFile(user.fsPath, USER);
  });

  it("a helper rewritten, then deleted, outside the editor re-lints the open file that imports it", async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(user));
    const localState = (codes: string[]) => codes.includes("LOCAL_STATE_AT_IMPORT");
    await diagnosticsWhere(user, localState, "the helper's state at import, on opening");
    await writeFile(lab, PLAIN);
    await diagnosticsWhere(user, (c) => !localState(c), "the warning to go once the helper is rewritten without state");
    await writeFile(lab, STATEFUL);
    await diagnosticsWhere(user, localState, "the warning again once the helper reads a file at import");
    await unlink(lab);
    await diagnosticsWhere(user, (c) => !localState(c), "the warning to go once the helper is deleted");
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  });
});

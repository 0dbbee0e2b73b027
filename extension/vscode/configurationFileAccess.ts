/** The configurations file of the first workspace folder, read and written through workspace.fs and watched. */
import * as vscode from "vscode";
import { CONFIGURATION_FILE } from "../../core/endpoints/configurationFile";
import { Emitter } from "../../core/util/event";
import type { ConfigurationFileAccess } from "../endpoints/endpointConfigurations";

export function configurationFileUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder && vscode.Uri.joinPath(folder.uri, CONFIGURATION_FILE);
}

export function vscodeConfigurationFile(): ConfigurationFileAccess & vscode.Disposable {
  const changed = new Emitter<void>();
  const folder = vscode.workspace.workspaceFolders?.[0];
  const watcher = folder ? vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, CONFIGURATION_FILE)) : undefined;
  const fire = () => changed.fire();
  const subscriptions = [
    changed,
    ...(watcher ? [watcher, watcher.onDidChange(fire), watcher.onDidCreate(fire), watcher.onDidDelete(fire)] : []),
    // Edits show before they are saved, so the submit picker and the schema follow the editor.
    vscode.workspace.onDidChangeTextDocument((e) => e.document.uri.toString() === configurationFileUri()?.toString() && fire()),
  ];
  return {
    onDidChange: changed.event,
    async read() {
      const uri = configurationFileUri();
      if (!uri) return undefined;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (open) return open.getText();
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        return undefined;
      }
    },
    async write(text) {
      const uri = configurationFileUri();
      if (!uri) throw new Error("Open a folder first: configurations are kept in the workspace.");
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (open) {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(uri, new vscode.Range(0, 0, open.lineCount, 0), text);
        await vscode.workspace.applyEdit(edit);
        await open.save();
      } else await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    },
    dispose: () => subscriptions.forEach((s) => s.dispose()),
  };
}

/** Shows the file in an editor, creating it (an empty "endpoints" object) if it does not exist yet. */
export async function openConfigurationFile(): Promise<void> {
  const uri = configurationFileUri();
  if (!uri) throw new Error("Open a folder first: configurations are kept in the workspace.");
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('{\n  "endpoints": {}\n}\n'));
  }
  await vscode.window.showTextDocument(uri, { preview: false });
}

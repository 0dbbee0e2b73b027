/** Reading a file the person names by its workspace path (a map's input file). */
import { isAbsolute } from "node:path";
import * as vscode from "vscode";

/** `path` as typed: absolute, or relative to the workspace folder holding `near` (a document URI), else the first folder. */
export async function readWorkspaceFile(path: string, near: string): Promise<{ name: string; text: string }> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(near, true)) ?? vscode.workspace.workspaceFolders?.[0];
  let uri: vscode.Uri;
  if (isAbsolute(path)) uri = vscode.Uri.file(path);
  else if (folder !== undefined) uri = vscode.Uri.joinPath(folder.uri, path);
  else throw new Error(`${path} is a relative path, but no workspace folder is open.`);
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (err) {
    throw new Error(`${path} cannot be read (${err instanceof Error ? err.message : String(err)}).`, { cause: err });
  }
  return { name: path, text: new TextDecoder("utf-8").decode(bytes) };
}

/** The first workspace folder's path, where save dialogs start. */
export function firstWorkspaceFolderPath(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Set-up shared by the extension-host specs that submit to the local endpoint. */
import * as assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as vscode from "vscode";
import type { GlobusComputeApi } from "../../../extension/extension";

export const EXTENSION_ID = "globus-compute-community.globus-compute-vscode";

const config = () => vscode.workspace.getConfiguration("globusCompute");

/**
 * Activates the extension, makes the local endpoint the default (the fixture workspace defaults to the
 * cloud tutorial endpoint), and writes `source` to `fileName` in the workspace.
 */
export async function activateWithLocalFile(fileName: string, source: string): Promise<{ api: GlobusComputeApi; uri: vscode.Uri }> {
  const extension = vscode.extensions.getExtension<GlobusComputeApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  const api = await extension.activate();
  await config().update("defaultEndpoint", "local", vscode.ConfigurationTarget.Workspace);
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder);
  const uri = vscode.Uri.file(join(folder.uri.fsPath, fileName));
  await writeFile(uri.fsPath, source);
  return { api, uri };
}

/** Puts back the fixture workspace's default endpoint. */
export async function restoreDefaultEndpoint(): Promise<void> {
  await config().update("defaultEndpoint", "tutorial", vscode.ConfigurationTarget.Workspace);
}

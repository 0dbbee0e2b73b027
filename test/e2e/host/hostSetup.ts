/** Set-up shared by the extension-host specs that submit to the local endpoint. */
import * as assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as vscode from "vscode";
import type { GlobusComputeApi } from "../../../extension/extension";
import type { HostTestRecord } from "../hostTestRecord";

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

/** Resolves with the first value `probe` returns that is not undefined, checked on every model change. */
export function when<T>(api: GlobusComputeApi, probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const v = probe();
      if (v === undefined) return false;
      clearTimeout(timer);
      sub.dispose();
      resolve(v);
      return true;
    };
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const sub = api.taskGroups.onDidChange(() => void check());
    check();
  });
}

/** Reports measured figures with the results (the harness prints them beside the test results). */
export function recordFigures(name: string, values: Record<string, number>): void {
  const file = process.env.GLOBUS_COMPUTE_E2E_RESULTS;
  const record: HostTestRecord = { type: "figures", name, values };
  if (file) appendFileSync(file, `${JSON.stringify(record)}\n`);
}

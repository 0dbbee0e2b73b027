/** The vscode side of TrustPrompts: `workspace.isTrusted` and a modal warning. */
import * as vscode from "vscode";
import type { TrustPrompts } from "../state/workspaceTrust";

export const vscodeTrustPrompts: TrustPrompts = {
  isTrusted: () => vscode.workspace.isTrusted,
  workspaceKey: () => (vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri)?.toString() ?? "(no folder)",
  askConsent: async (message, detail, allow) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, allow)) === allow,
};

/** The vscode side of "Open Result": a read-only TextDocumentContentProvider for the result scheme. */
import * as vscode from "vscode";
import { RESULT_SCHEME } from "../output/resultDocuments";

export function registerResultDocuments(text: (path: string) => Promise<string>): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, {
    provideTextDocumentContent: (uri) => text(uri.path),
  });
}

export async function showResultDocument(path: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: RESULT_SCHEME, path }));
  await vscode.window.showTextDocument(document, { preview: true });
}

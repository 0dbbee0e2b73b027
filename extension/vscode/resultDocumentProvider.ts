/**
 * The vscode side of "Open Result": a read-only TextDocumentContentProvider for the result scheme, and
 * the link from a page of a large result to the next page.
 */
import * as vscode from "vscode";
import { RESULT_SCHEME, nextPageLink, resultPagePath } from "../output/resultDocuments";

export function registerResultDocuments(text: (path: string) => Promise<string>): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, {
      provideTextDocumentContent: (uri) => text(uri.path),
    }),
    vscode.languages.registerDocumentLinkProvider({ scheme: RESULT_SCHEME }, {
      provideDocumentLinks(document) {
        const link = nextPageLink(document.getText(new vscode.Range(0, 0, 3, 0)));
        if (!link) return [];
        const target = vscode.Uri.from({ scheme: RESULT_SCHEME, path: resultPagePath(document.uri.path, link.from) });
        return [new vscode.DocumentLink(new vscode.Range(link.line, link.start, link.line, link.end), target)];
      },
    }),
  );
}

export async function showResultDocument(path: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: RESULT_SCHEME, path }));
  await vscode.window.showTextDocument(document, { preview: true });
}

/** The vscode side of "Show What Will Be Sent": read-only Python documents of a scheme of their own. */
import * as vscode from "vscode";

const BUNDLE_SCHEME = "globus-compute-bundle";

export class BundleDocuments implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(BUNDLE_SCHEME, {
    onDidChange: this.changed.event,
    provideTextDocumentContent: (uri) => this.texts.get(uri.path) ?? "",
  });

  async show(name: string, text: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: BUNDLE_SCHEME, path: `/${name}` });
    this.texts.set(uri.path, text);
    this.changed.fire(uri);
    const document = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), "python");
    await vscode.window.showTextDocument(document, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

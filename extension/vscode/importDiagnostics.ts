/**
 * Warnings, in the Python editor, on imports the selected endpoint lacks (importWarnings): computed for
 * the function under the cursor from the language server's bundle, once an environment probe of the
 * endpoint is known. A DiagnosticCollection of its own, so the language server's diagnostics are untouched.
 */
import * as vscode from "vscode";
import type { BundleResult, LspRange } from "../../core/server/protocol";
import { importWarnings } from "../endpoints/importWarnings";
import type { ProbeEntry } from "../endpoints/environmentProbes";

export interface ImportDiagnosticsDeps {
  bundle(params: { uri: string; position: { line: number; character: number } }): Promise<BundleResult>;
  endpoint(): { id: string; name: string };
  probe(endpointId: string): ProbeEntry | undefined;
}

export function registerImportDiagnostics(deps: ImportDiagnosticsDeps): { refresh(): void } & vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection("globusCompute.endpointImports");
  let timer: NodeJS.Timeout | undefined;
  let generation = 0;
  const compute = async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== "python") return;
    const mine = ++generation;
    const document = editor.document;
    const endpoint = deps.endpoint();
    const probe = deps.probe(endpoint.id);
    if (!probe) {
      collection.delete(document.uri);
      return;
    }
    const { line, character } = editor.selection.active;
    const result = await deps.bundle({ uri: document.uri.toString(), position: { line, character } }).catch(() => undefined);
    if (mine !== generation || result?.bundle == null) return;
    const toRange = (r: LspRange) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    collection.set(
      document.uri,
      importWarnings(result.bundle, probe.probe, endpoint.name, (r) => document.getText(toRange(r))).map((w) => {
        const d = new vscode.Diagnostic(toRange(w.range), w.message, vscode.DiagnosticSeverity.Warning);
        d.source = "Globus Compute";
        return d;
      }),
    );
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void compute(), 400);
  };
  const subscriptions = [
    collection,
    vscode.window.onDidChangeTextEditorSelection(soon),
    vscode.window.onDidChangeActiveTextEditor(soon),
    vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && soon()),
  ];
  return {
    refresh: soon,
    dispose: () => {
      clearTimeout(timer);
      subscriptions.forEach((s) => s.dispose());
    },
  };
}

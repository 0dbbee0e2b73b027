/**
 * Serves the configurations file's JSON Schema (with each endpoint's own schema inside) as a virtual
 * document, `globus-compute-schema://schemas/endpoints.json`, which package.json's `jsonValidation` names: VS Code's
 * JSON language features fetch it like any document and re-validate when it changes.
 */
import * as vscode from "vscode";

export const SCHEMA_URI = vscode.Uri.parse("globus-compute-schema://schemas/endpoints.json");

export function registerConfigurationSchema(schema: () => unknown): { refresh(): void } & vscode.Disposable {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const registration = vscode.workspace.registerTextDocumentContentProvider(SCHEMA_URI.scheme, {
    onDidChange: changed.event,
    provideTextDocumentContent: () => JSON.stringify(schema(), null, 2),
  });
  return {
    refresh: () => changed.fire(SCHEMA_URI),
    dispose: () => {
      registration.dispose();
      changed.dispose();
    },
  };
}

/** Shows the configurations file's problems (configurationFileProblems) as diagnostics on the file. */
import * as vscode from "vscode";
import type { TextProblem } from "../../core/endpoints/configurationDiagnostics";
import { configurationFileUri } from "./configurationFileAccess";

export function registerConfigurationProblems(problems: () => Promise<TextProblem[] | undefined>): { update(): void } & vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection("globusCompute.configurations");
  let generation = 0;
  return {
    update() {
      const uri = configurationFileUri();
      if (!uri) return;
      const mine = ++generation;
      void problems().then((found) => {
        if (mine !== generation) return;
        collection.set(
          uri,
          (found ?? []).map((p) => {
            const d = new vscode.Diagnostic(
              new vscode.Range(p.start.line, p.start.character, p.end.line, p.end.character),
              p.message,
              p.warning ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
            );
            d.source = "Globus Compute";
            return d;
          }),
        );
      });
    },
    dispose: () => collection.dispose(),
  };
}

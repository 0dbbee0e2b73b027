/**
 * Warnings, in the Python editors, on what the selected endpoint cannot run (environmentWarnings: imports
 * it lacks, syntax newer than its Python), once an environment probe of the endpoint is known. Kept
 * fresh for the visible Python documents when they open or change, and when the endpoint or its probe
 * changes. A DiagnosticCollection of its own, so the language server's diagnostics are untouched.
 */
import * as vscode from "vscode";
import type { LspRange } from "../../core/server/protocol";
import { environmentWarnings, type DocumentAnalysis } from "../endpoints/environmentWarnings";
import type { ProbeEntry } from "../endpoints/environmentProbes";

export interface EnvironmentDiagnosticsDeps {
  analysis(): Promise<DocumentAnalysis>;
  endpoint(): { id: string; name: string };
  probe(endpointId: string): ProbeEntry | undefined;
  log(message: string): void;
}

/** Quiet time after an edit before the document is checked again. */
const EDIT_DELAY_MS = 500;

export function registerEnvironmentDiagnostics(deps: EnvironmentDiagnosticsDeps): { refresh(): void } & vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection("globusCompute.endpointEnvironment");
  const generations = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  const check = async (document: vscode.TextDocument) => {
    const key = document.uri.toString();
    const mine = (generations.get(key) ?? 0) + 1;
    generations.set(key, mine);
    const endpoint = deps.endpoint();
    const probe = deps.probe(endpoint.id);
    if (!probe) {
      collection.delete(document.uri);
      return;
    }
    const toRange = (r: LspRange) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    const version = document.version;
    const wanted = () => generations.get(key) === mine && document.version === version && !document.isClosed;
    const warnings = await environmentWarnings(key, await deps.analysis(), probe.probe, endpoint.name, (r) => document.getText(toRange(r)), wanted);
    if (warnings === undefined) return;
    collection.set(
      document.uri,
      warnings.map((w) => {
        const d = new vscode.Diagnostic(toRange(w.range), w.message, vscode.DiagnosticSeverity.Warning);
        d.source = "Globus Compute";
        return d;
      }),
    );
  };
  const checkSoon = (document: vscode.TextDocument, delayMs = 0) => {
    if (document.languageId !== "python") return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        check(document).catch((err: unknown) => deps.log(`Endpoint environment warnings for ${document.uri.fsPath}: ${String(err)}`));
      }, delayMs),
    );
  };
  const checkVisible = () => {
    for (const editor of vscode.window.visibleTextEditors) checkSoon(editor.document);
  };
  const subscriptions = [
    collection,
    vscode.window.onDidChangeVisibleTextEditors(checkVisible),
    vscode.workspace.onDidChangeTextDocument((e) => checkSoon(e.document, EDIT_DELAY_MS)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      const key = d.uri.toString();
      clearTimeout(timers.get(key));
      timers.delete(key);
      generations.delete(key);
      collection.delete(d.uri);
    }),
  ];
  checkVisible();
  return {
    // Another endpoint or probe: what hidden documents showed is stale, so it goes until they are seen again.
    refresh: () => {
      const visible = new Set(vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()));
      collection.forEach((uri) => void (visible.has(uri.toString()) || collection.delete(uri)));
      checkVisible();
    },
    dispose: () => {
      for (const t of timers.values()) clearTimeout(t);
      subscriptions.forEach((s) => s.dispose());
    },
  };
}

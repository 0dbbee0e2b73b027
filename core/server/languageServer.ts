import {
  CodeActionKind,
  DiagnosticSeverity,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type CodeLens,
  type Connection,
  type Diagnostic,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { fileURLToPath } from "node:url";
import type { PythonDiagnostic, QuickFix } from "../python/diagnostics";
import type { ProjectLocation, PythonAnalyzer } from "../python/pythonAnalyzer";
import { DisposableStore, type Disposable } from "../util/disposable";
import { Debouncer } from "./debouncer";
import { describeBundleForClient, describeFunctionForClient, lspRange } from "./lspConversions";
import {
  BUNDLE_REQUEST,
  FUNCTION_AT_REQUEST,
  PROJECT_SETTINGS_NOTIFICATION,
  RESULT_STATUS_NOTIFICATION,
  SHOW_OUTPUT_COMMAND,
  SUBMIT_COMMAND,
  SUBMIT_WITH_ARGUMENTS_COMMAND,
  type BundleParams,
  type BundleResult,
  type FunctionAtParams,
  type FunctionAtResult,
  type FunctionLocation,
  type ProjectSettings,
  type ResultStatusParams,
  type SubmitFunctionArguments,
} from "./protocol";

export interface LanguageServerOptions {
  /** Quiet time after an edit before diagnostics are recomputed. */
  diagnosticsDelayMs?: number;
}

const SOURCE = "Globus Compute";
const SEVERITY: Record<PythonDiagnostic["severity"], DiagnosticSeverity> = {
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Quick fixes travel in `Diagnostic.data`, already in LSP coordinates, so code actions need no re-analysis. */
interface DiagnosticData {
  fixes: { title: string; edits: { range: Diagnostic["range"]; newText: string }[] }[];
}

/**
 * Wires the Python analysis into an LSP connection: document sync, debounced diagnostics with quick
 * fixes, CodeLens (Submit / Submit with arguments… / last result status) and the two custom requests.
 * The analyzer is awaited lazily so that the connection can start listening at once.
 */
export function startLanguageServer(connection: Connection, analyzer: Promise<PythonAnalyzer>, options: LanguageServerOptions = {}): Disposable {
  const store = new DisposableStore();
  const documents = new TextDocuments(TextDocument);
  const debouncer = store.add(new Debouncer<string>(options.diagnosticsDelayMs ?? 300));
  /** uri → qualified function name → status lens. */
  const statuses = new Map<string, Map<string, ResultStatusParams>>();
  let refreshCodeLens = false;
  let folders: string[] = [];
  let extraPaths: string[] = [];

  /** Where a document sits in the user's project (its imports of the project's modules are followed); none for an untitled one. */
  const projectOf = (uri: string): ProjectLocation | undefined => {
    const path = pathOf(uri);
    if (path === undefined) return undefined;
    return {
      path,
      folders,
      extraPaths,
      openText: (p) => {
        for (const d of documents.all()) if (pathOf(d.uri) === p) return d.getText();
        return undefined;
      },
    };
  };

  connection.onInitialize((params) => {
    refreshCodeLens = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    folders = (params.workspaceFolders ?? []).map((f) => pathOf(f.uri)).filter((p): p is string => p !== undefined);
    if (folders.length === 0 && params.rootUri) folders = [pathOf(params.rootUri)].filter((p): p is string => p !== undefined);
    extraPaths = settingsPaths(params.initializationOptions as ProjectSettings | undefined) ?? [];
    return {
      capabilities: {
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: "globus-compute-python" },
    };
  });

  const publish = async (uri: string) => {
    const doc = documents.get(uri);
    if (!doc) return;
    const diagnostics = await guarded(connection, `diagnostics for ${uri}`, async () => {
      const found = (await analyzer).diagnostics(doc.getText(), projectOf(uri));
      return found.map((d) => toLspDiagnostic(doc, d));
    });
    // A newer version may have arrived while analysing; its own run will publish.
    if (diagnostics && documents.get(uri)?.version === doc.version) {
      await connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    }
  };

  // TextDocuments reports an open as a content change too: publish at once for the open, debounce edits.
  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    void publish(e.document.uri);
  });
  // An edit of one module can change what the others can ship: their diagnostics follow.
  const republishAll = () => {
    for (const d of documents.all()) debouncer.schedule(d.uri, () => void publish(d.uri));
  };
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return;
    debouncer.schedule(e.document.uri, () => void publish(e.document.uri));
    for (const d of documents.all()) if (d.uri !== e.document.uri && pathOf(d.uri) !== undefined) debouncer.schedule(d.uri, () => void publish(d.uri));
  });
  documents.onDidSave(republishAll);
  connection.onNotification(PROJECT_SETTINGS_NOTIFICATION, (settings: ProjectSettings) => {
    extraPaths = settingsPaths(settings) ?? [];
    republishAll();
  });
  connection.onNotification("workspace/didChangeWorkspaceFolders", (params: { event: { added: { uri: string }[]; removed: { uri: string }[] } }) => {
    const removed = new Set(params.event.removed.map((f) => pathOf(f.uri)));
    folders = [...folders.filter((f) => !removed.has(f)), ...params.event.added.map((f) => pathOf(f.uri)).filter((p): p is string => p !== undefined)];
    republishAll();
  });
  documents.onDidClose((e) => {
    debouncer.cancel(e.document.uri);
    statuses.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onCodeLens(async ({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const fns = await guarded(connection, "code lens", async () => (await analyzer).listFunctions(doc.getText()));
    const lenses: CodeLens[] = [];
    for (const f of fns ?? []) {
      // Only module-level plain functions can be submitted as they are.
      if (f.qualifiedName !== f.name || f.isAsync) continue;
      const range = lspRange(doc, f.ranges.name);
      const args: SubmitFunctionArguments = { uri: doc.uri, name: f.qualifiedName, offset: f.ranges.name.start };
      lenses.push({ range, command: { title: "Submit", command: SUBMIT_COMMAND, arguments: [args] } });
      lenses.push({ range, command: { title: "Submit with arguments…", command: SUBMIT_WITH_ARGUMENTS_COMMAND, arguments: [args] } });
      const status = statuses.get(doc.uri)?.get(f.qualifiedName);
      if (status?.status) {
        const command = status.command ?? { command: SHOW_OUTPUT_COMMAND };
        lenses.push({ range, command: { title: status.status, command: command.command, arguments: command.arguments ?? [] } });
      }
    }
    return lenses;
  });

  connection.onCodeAction((params) => codeActions(params.textDocument.uri, params.context.diagnostics));

  connection.onRequest(FUNCTION_AT_REQUEST, async (params: FunctionAtParams): Promise<FunctionAtResult> => {
    const doc = requireDocument(documents, params);
    const f = (await analyzer).functionAt(doc.getText(), offsetOf(doc, params));
    return f ? describeFunctionForClient(doc, f) : null;
  });

  connection.onRequest(BUNDLE_REQUEST, async (params: BundleParams): Promise<BundleResult> => {
    const doc = requireDocument(documents, params);
    const a = await analyzer;
    const text = doc.getText();
    const offset = offsetOf(doc, params);
    const bundle = a.bundleFunction(text, offset, projectOf(doc.uri));
    return bundle ? { bundle: describeBundleForClient(doc, bundle) } : { bundle: null, reason: a.explainNoFunction(text, offset) };
  });

  connection.onNotification(RESULT_STATUS_NOTIFICATION, (params: ResultStatusParams) => {
    let perDoc = statuses.get(params.uri);
    if (!perDoc) statuses.set(params.uri, (perDoc = new Map()));
    if (params.status === null) perDoc.delete(params.name);
    else perDoc.set(params.name, params);
    if (refreshCodeLens) void connection.sendRequest("workspace/codeLens/refresh").catch(() => undefined);
  });

  store.add(documents.listen(connection));
  return store;
}

/** The file path of a `file:` URI; undefined for an untitled or remote document. */
function pathOf(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function settingsPaths(settings: ProjectSettings | undefined): string[] | undefined {
  const paths = settings?.extraPaths;
  return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === "string") : undefined;
}

function codeActions(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
  return diagnostics.flatMap((diagnostic) =>
    ((diagnostic.data as DiagnosticData | undefined)?.fixes ?? []).map((fix) => ({
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [uri]: fix.edits } },
    })),
  );
}

function toLspDiagnostic(doc: TextDocument, d: PythonDiagnostic): Diagnostic {
  const out: Diagnostic = {
    range: lspRange(doc, d.range),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: SOURCE,
    message: d.message,
  };
  if (d.fixes) out.data = { fixes: d.fixes.map((f: QuickFix) => ({ title: f.title, edits: f.edits.map((e) => ({ range: lspRange(doc, e.range), newText: e.newText })) })) } satisfies DiagnosticData;
  return out;
}

function requireDocument(documents: TextDocuments<TextDocument>, params: FunctionLocation): TextDocument {
  const doc = typeof params?.uri === "string" ? documents.get(params.uri) : undefined;
  // A request about a document the client never opened is a client bug: say so precisely.
  if (!doc) throw new ResponseError(ErrorCodes.InvalidParams, `document not open in the Globus Compute language server: ${String(params?.uri)}`);
  return doc;
}

function offsetOf(doc: TextDocument, params: FunctionLocation): number {
  if ("offset" in params) {
    if (!Number.isInteger(params.offset) || params.offset < 0 || params.offset > doc.getText().length) {
      throw new ResponseError(ErrorCodes.InvalidParams, `offset ${String(params.offset)} is outside ${doc.uri}`);
    }
    return params.offset;
  }
  if (!Number.isInteger(params.position?.line) || !Number.isInteger(params.position?.character)) {
    throw new ResponseError(ErrorCodes.InvalidParams, "expected { offset } or { position: { line, character } }");
  }
  return doc.offsetAt(params.position);
}

/** Runs an analysis step; a bug in it is logged and yields undefined instead of killing the server. */
async function guarded<T>(connection: Connection, what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (e) {
    connection.console.error(`${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return undefined;
  }
}

import {
  CodeActionKind,
  DiagnosticSeverity,
  ErrorCodes,
  NotebookDocuments,
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
import type { FunctionBundle } from "../python/bundle";
import type { PythonDiagnostic, QuickFix } from "../python/diagnostics";
import type { FunctionSignature } from "../python/functions";
import type { OffsetRange } from "../python/syntax";
import { placeInDocument } from "../python/syntaxFeatures";
import type { ProjectLocation, PythonAnalyzer } from "../python/pythonAnalyzer";
import { DisposableStore, type Disposable } from "../util/disposable";
import { Debouncer } from "./debouncer";
import { watchProjectFiles, withAncestors } from "./watchedFiles";
import { cellView, type CellView, type CodeCell } from "./notebookCells";
import { describeBundleForClient, describeFunctionForClient, lspRange } from "./lspConversions";
import {
  BUNDLE_REQUEST,
  FUNCTION_AT_REQUEST,
  FUNCTIONS_REQUEST,
  MAP_COMMAND,
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
  type FunctionsParams,
  type FunctionsResult,
  type ProjectSettings,
  type ResultStatusParams,
  type SubmitFunctionArguments,
} from "./protocol";

export interface LanguageServerOptions {
  /** Quiet time after an edit before diagnostics are recomputed. */
  diagnosticsDelayMs?: number;
  /** Time one document's diagnostics may take before the rest of its functions are left for submission. */
  diagnosticsBudgetMs?: number;
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
  // Jupyter notebooks: their code cells are documents of their own, analysed with the cells above them.
  const notebooks = new NotebookDocuments(TextDocument);
  const cells = notebooks.cellTextDocuments;
  const debouncer = store.add(new Debouncer<string>(options.diagnosticsDelayMs ?? 300));
  /** uri → qualified function name → status lens. */
  const statuses = new Map<string, Map<string, ResultStatusParams>>();
  let refreshCodeLens = false;
  let folders: string[] = [];
  let extraPaths: string[] = [];
  let privateFunctionLenses = false;
  /** Whether the client watches files for the server when asked. */
  let watchesFiles = false;

  /**
   * Where a document sits in the user's project (its imports of the project's modules are followed); none
   * for an untitled one. Every project file the analysis looks for (found or not) is added to `looked`.
   */
  const projectOf = (uri: string, looked?: Set<string>): ProjectLocation | undefined => {
    const path = pathOf(notebooks.findNotebookDocumentForCell(uri)?.uri ?? uri);
    if (path === undefined) return undefined;
    return {
      path,
      folders,
      extraPaths,
      openText: (p) => {
        looked?.add(p);
        for (const d of documents.all()) if (pathOf(d.uri) === p) return d.getText();
        return undefined;
      },
    };
  };
  /**
   * Document or cell URI → the project files its last diagnostics looked for, so that an edit re-lints
   * what depends on the edited module (directly or through others) instead of every open document.
   */
  const lookedAt = new Map<string, Set<string>>();

  connection.onInitialize((params) => {
    refreshCodeLens = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    folders = (params.workspaceFolders ?? []).map((f) => pathOf(f.uri)).filter((p): p is string => p !== undefined);
    if (folders.length === 0 && params.rootUri) folders = [pathOf(params.rootUri)].filter((p): p is string => p !== undefined);
    extraPaths = settingsPaths(params.initializationOptions as ProjectSettings | undefined) ?? [];
    privateFunctionLenses = (params.initializationOptions as ProjectSettings | undefined)?.privateFunctionLenses === true;
    watchesFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        textDocumentSync: TextDocumentSyncKind.Incremental,
        notebookDocumentSync: { notebookSelector: [{ notebook: { notebookType: "jupyter-notebook" }, cells: [{ language: "python" }] }] },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: "globus-compute-python" },
    };
  });

  /** A document or notebook cell by URI. */
  const documentOf = (uri: string): TextDocument | undefined => documents.get(uri) ?? cells.get(uri);

  /** For a notebook cell: it with the code cells above it, as the analysis sees it. */
  const viewOf = (uri: string): CellView | undefined => {
    const notebook = notebooks.findNotebookDocumentForCell(uri);
    if (!notebook) return undefined;
    const above: CodeCell[] = [];
    for (const cell of notebook.cells) {
      const doc = cells.get(cell.document);
      if (cell.document === uri) return cellView(above, { uri, text: doc?.getText() ?? "" });
      if (cell.kind === 2 && doc?.languageId === "python") above.push({ uri: cell.document, text: doc.getText() });
    }
    return undefined;
  };

  const publish = async (uri: string) => {
    const doc = documentOf(uri);
    if (!doc) {
      lookedAt.delete(uri); // a cell removed from its notebook, say
      return;
    }
    const looked = new Set<string>();
    const diagnostics = await guarded(connection, `diagnostics for ${uri}`, async () => {
      const view = viewOf(uri);
      const found = (await analyzer).diagnostics(view?.text ?? doc.getText(), projectOf(uri, looked), options.diagnosticsBudgetMs ?? 5000);
      return (view ? inCell(found, view.start) : found).map((d) => toLspDiagnostic(doc, d));
    });
    if (documentOf(uri) !== undefined) lookedAt.set(uri, looked);
    // A newer version may have arrived while analysing; its own run will publish.
    if (diagnostics && documentOf(uri)?.version === doc.version) {
      await connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    }
  };

  // TextDocuments reports an open as a content change too: publish at once for the open, debounce edits.
  const justOpened = new Set<string>();
  // An edit of one module can change what the others can ship: the documents and cells that looked at it follow.
  const republishLookingAt = (paths: ReadonlySet<string>, except?: string) => {
    for (const [uri, looked] of lookedAt) if (uri !== except && intersects(looked, paths)) debouncer.schedule(uri, () => void publish(uri));
  };
  const republishDependents = (changed: string) => {
    const path = pathOf(changed);
    if (path !== undefined) republishLookingAt(new Set([path]), changed);
  };
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    void publish(e.document.uri);
    // Its text now stands for the file's (a restored unsaved editor's may differ from the disk's).
    republishDependents(e.document.uri);
  });
  const republishAll = () => {
    for (const d of [...documents.all(), ...cells.all()]) debouncer.schedule(d.uri, () => void publish(d.uri));
  };
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return;
    debouncer.schedule(e.document.uri, () => void publish(e.document.uri));
    republishDependents(e.document.uri);
  });
  // (A save changes nothing the analysis sees: an open document's text already stands for its file, and
  // "Save As" opens the new file, which re-lints what looked for it.)
  // A cell's analysis depends on the cells above it: any change republishes the notebook's cells.
  const publishNotebook = (e: { uri: string }) => {
    for (const cell of notebooks.getNotebookDocument(e.uri)?.cells ?? []) debouncer.schedule(cell.document, () => void publish(cell.document));
  };
  notebooks.onDidOpen(publishNotebook);
  notebooks.onDidChange((e) => publishNotebook(e.notebookDocument));
  notebooks.onDidClose((nb) => {
    for (const cell of nb.cells) {
      debouncer.cancel(cell.document);
      lookedAt.delete(cell.document);
      void connection.sendDiagnostics({ uri: cell.document, diagnostics: [] });
    }
  });
  connection.onInitialized(() => {
    if (watchesFiles) watchProjectFiles(connection);
  });
  connection.onNotification(PROJECT_SETTINGS_NOTIFICATION, (settings: ProjectSettings) => {
    extraPaths = settingsPaths(settings) ?? [];
    privateFunctionLenses = settings?.privateFunctionLenses === true;
    republishAll();
    if (refreshCodeLens) void connection.sendRequest("workspace/codeLens/refresh").catch(() => undefined);
  });
  connection.onNotification("workspace/didChangeWorkspaceFolders", (params: { event: { added: { uri: string }[]; removed: { uri: string }[] } }) => {
    const removed = new Set(params.event.removed.map((f) => pathOf(f.uri)));
    folders = [...folders.filter((f) => !removed.has(f)), ...params.event.added.map((f) => pathOf(f.uri)).filter((p): p is string => p !== undefined)];
    republishAll();
  });
  // Files changed on disk (the client's watchers): what looked at them follows, unless an editor's text
  // stands for the file (an open document's own changes arrive as edits).
  connection.onDidChangeWatchedFiles(({ changes }) => {
    const open = new Set(documents.all().map((d) => pathOf(d.uri)));
    const changed = changes.map((c) => pathOf(c.uri)).filter((p): p is string => p !== undefined && !open.has(p));
    if (changed.length > 0) republishLookingAt(withAncestors(changed));
  });
  documents.onDidClose((e) => {
    debouncer.cancel(e.document.uri);
    lookedAt.delete(e.document.uri);
    // Its unsaved text, if any, no longer stands for the file.
    republishDependents(e.document.uri);
    // The last results stay: the file reopened (or a result arriving while it is closed) shows them again.
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onCodeLens(async ({ textDocument }) => {
    const doc = documentOf(textDocument.uri);
    if (!doc) return [];
    const fns = await guarded(connection, "code lens", async () => (await analyzer).listFunctions(doc.getText()));
    const lenses: CodeLens[] = [];
    for (const f of fns ?? []) {
      // Only module-level plain functions can be submitted as they are; `_private` ones are helpers (unless asked).
      if (f.qualifiedName !== f.name || f.isAsync || (f.name.startsWith("_") && !privateFunctionLenses)) continue;
      const range = lspRange(doc, f.ranges.name);
      const args: SubmitFunctionArguments = { uri: doc.uri, name: f.qualifiedName, offset: f.ranges.name.start };
      lenses.push({ range, command: { title: "Submit", command: SUBMIT_COMMAND, arguments: [args] } });
      lenses.push({ range, command: { title: "Submit with arguments…", command: SUBMIT_WITH_ARGUMENTS_COMMAND, arguments: [args] } });
      if (mappable(f.signature)) lenses.push({ range, command: { title: "Map over…", command: MAP_COMMAND, arguments: [args] } });
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
    const doc = requireDocument(documentOf, params);
    const f = (await analyzer).functionAt(doc.getText(), offsetOf(doc, params));
    return f ? describeFunctionForClient(doc, f) : null;
  });

  connection.onRequest(FUNCTIONS_REQUEST, async (params: FunctionsParams): Promise<FunctionsResult> => {
    const doc = requireDocument(documentOf, { uri: params?.uri, offset: 0 });
    return (await analyzer).listFunctions(doc.getText()).map((f) => describeFunctionForClient(doc, f));
  });

  connection.onRequest(BUNDLE_REQUEST, async (params: BundleParams): Promise<BundleResult> => {
    const doc = requireDocument(documentOf, params);
    const a = await analyzer;
    const offset = offsetOf(doc, params);
    const view = viewOf(doc.uri);
    const text = view?.text ?? doc.getText();
    const at = (view?.start ?? 0) + offset;
    const bundle = a.bundleFunction(text, at, projectOf(doc.uri));
    if (!bundle) return { bundle: null, reason: a.explainNoFunction(text, at) };
    const syntax = placeInDocument(a.syntaxFeatures(bundle.source), bundle.source, bundle.lineMap, text)
      // In a notebook, what is in the cells above has no place in this cell.
      .map((f) => (f.range && view ? { ...f, range: f.range.start >= view.start ? shifted(f.range, view.start) : undefined } : f));
    if (!view) return { bundle: describeBundleForClient(doc, bundle, syntax) };
    return { bundle: { ...describeBundleForClient(doc, bundleInCell(bundle, view.start), syntax), cells: view.cells } };
  });

  connection.onNotification(RESULT_STATUS_NOTIFICATION, (params: ResultStatusParams) => {
    let perDoc = statuses.get(params.uri);
    if (!perDoc) statuses.set(params.uri, (perDoc = new Map()));
    if (params.status === null) perDoc.delete(params.name);
    else perDoc.set(params.name, params);
    if (refreshCodeLens) void connection.sendRequest("workspace/codeLens/refresh").catch(() => undefined);
  });

  store.add(documents.listen(connection));
  store.add(notebooks.listen(connection));
  return store;
}

/** Whether the sets share a member (looked up from the smaller one: an edit is one path, a checkout thousands). */
function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
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

/** One required positional parameter and no other required one: each item of an iterable can be its argument. */
function mappable(signature: FunctionSignature): boolean {
  const required = signature.parameters.filter((p) => p.default === undefined && p.kind !== "*args" && p.kind !== "**kwargs");
  return required.length === 1 && required[0].kind !== "keyword-only";
}

/** Offsets in the cells-above text moved into the cell; what lies above the cell goes to its start. */
function shifted(r: OffsetRange, by: number): OffsetRange {
  return { start: Math.max(0, r.start - by), end: Math.max(0, r.end - by) };
}

/** The diagnostics of a cell's view that are in the cell, in the cell's offsets (quick fixes that edit cells above are left out). */
function inCell(found: PythonDiagnostic[], start: number): PythonDiagnostic[] {
  return found
    .filter((d) => d.range.start >= start)
    .map((d) => {
      const fixes = d.fixes?.filter((f) => f.edits.every((e) => e.range.start >= start)).map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, range: shifted(e.range, start) })) }));
      return { ...d, range: shifted(d.range, start), ...(fixes?.length ? { fixes } : { fixes: undefined }) };
    });
}

/** A bundle made from a cell's view, with its ranges in the cell's offsets. */
function bundleInCell(b: FunctionBundle, start: number): FunctionBundle {
  const r = b.function.ranges;
  return {
    ...b,
    problems: b.problems.map((p) => ({ ...p, range: shifted(p.range, start) })),
    shipped: b.shipped.map((s) => ({ ...s, range: shifted(s.range, start) })),
    function: { ...b.function, ranges: { definition: shifted(r.definition, start), def: shifted(r.def, start), name: shifted(r.name, start), body: shifted(r.body, start) } },
  };
}

function requireDocument(documentOf: (uri: string) => TextDocument | undefined, params: FunctionLocation): TextDocument {
  const doc = typeof params?.uri === "string" ? documentOf(params.uri) : undefined;
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

/**
 * The extension's glue assembled as extension.ts assembles it, in plain Node: the real language analysis
 * (tree-sitter), the real local endpoint (Python workers), the real Executor; only the vscode UI is a
 * recording fake (its input box answers from a script and runs validateInput like VS Code does).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { PythonAnalyzer } from "../../../core/python/pythonAnalyzer";
import { describeBundleForClient } from "../../../core/server/lspConversions";
import { placeInDocument } from "../../../core/python/syntaxFeatures";
import type { BundleResult, FunctionLocation } from "../../../core/server/protocol";
import { EndpointSelection } from "../../../extension/endpoints/endpointSelection";
import { ResultOutput, type SettledTask } from "../../../extension/output/resultOutput";
import { OutcomeReporter } from "../../../extension/output/outcomeReporter";
import { HistoryStore } from "../../../core/history/historyStore";
import { SessionGroups } from "../../../extension/tasks/sessionGroups";
import { TaskHistoryRecorder } from "../../../extension/tasks/taskHistoryRecorder";
import { LocalEndpointClient } from "../../../core/service/local/localEndpointClient";
import type { ComputeService } from "../../../core/service/computeService";
import { LocalComputeService } from "../../../core/service/local/localComputeService";
import { ComputeServices } from "../../../extension/services/computeServices";
import { Settings } from "../../../extension/state/settings";
import { TaskGroupStore, type StateStorage } from "../../../extension/state/taskGroupStore";
import { LastArguments } from "../../../extension/submit/argumentInput";
import { mapLensText, MapRuns } from "../../../extension/submit/mapRun";
import { SubmitCommands } from "../../../extension/submit/submitCommands";
import { TaskGroupModel } from "../../../extension/tasks/taskGroupModel";
import { TaskGroupReloader } from "../../../extension/tasks/taskGroupReloader";
import { TaskGroupTracker } from "../../../extension/tasks/taskGroupTracker";
import type { InputOptions, MessageAction, UserInterface } from "../../../extension/vscode/window";
import { configuration, memento } from "../../unit/extension/fakes";

export const PYTHON = "/usr/bin/python3";

let analyzer: Promise<PythonAnalyzer> | undefined;

/** A recording UserInterface; `answers` are typed into input boxes in order (invalid ones are "corrected" by the next). */
export class FakeUi implements UserInterface {
  readonly infos: string[] = [];
  readonly warnings: string[] = [];
  readonly errors: { message: string; actions: readonly MessageAction[] }[] = [];
  readonly inputs: InputOptions[] = [];
  readonly validationMessages: string[] = [];
  readonly progress: string[] = [];
  /** Status-bar busy titles (showBusy), in order. */
  readonly busy: string[] = [];
  answers: (string | undefined)[] = [];
  /** Paths the save dialog answers with, in order (undefined: dismissed). */
  savePaths: (string | undefined)[] = [];

  showInformation(message: string): void {
    this.infos.push(message);
  }
  showWarning(message: string): void {
    this.warnings.push(message);
  }
  showError(message: string, actions: readonly MessageAction[] = []): void {
    this.errors.push({ message, actions });
  }
  async copyToClipboard(): Promise<void> {}
  async pickOne<T>(): Promise<T | undefined> {
    return undefined;
  }
  async inputText(options: InputOptions): Promise<string | undefined> {
    this.inputs.push(options);
    for (;;) {
      if (this.answers.length === 0) return undefined;
      const text = this.answers.shift();
      if (text === undefined) return undefined;
      const problem = options.validate(text);
      if (problem === undefined) return text;
      this.validationMessages.push(problem);
    }
  }
  async pickSaveLocation(): Promise<string | undefined> {
    return this.savePaths.shift();
  }
  async withProgress<T>(title: string, task: Parameters<UserInterface["withProgress"]>[1]): Promise<T> {
    this.progress.push(title);
    return (await task({ report: (m) => void this.progress.push(m) }, () => undefined)) as T;
  }
  showBusy<T>(title: string, work: Promise<T>): Promise<T> {
    this.busy.push(title);
    return work;
  }
}

export interface Glue {
  ui: FakeUi;
  model: TaskGroupModel;
  store: TaskGroupStore;
  tracker: TaskGroupTracker;
  reloader: TaskGroupReloader;
  history: HistoryStore;
  reporter: OutcomeReporter;
  /** Reloads the stored groups and prints what arrived meanwhile, as activation does. */
  reopen(): Promise<void>;
  submit: SubmitCommands;
  services: ComputeServices;
  /** Lines written to the output channel. */
  output: { level: string; text: string }[];
  settled: { task: SettledTask; live: boolean }[];
  maps: MapRuns;
  /** CodeLens statuses of maps this glue did not start (reloaded ones), as extension.ts shows them. */
  mapLenses: string[];
  /** The workspace folder: map input files are read from here. */
  workspaceDir: string;
  /** Opens a Python document the analysis can see; the editor's cursor goes to `cursorAt` (a substring). */
  open(uri: string, text: string, cursorAt?: string): void;
  dispose(): void;
}

export interface GlueOptions {
  /** Shared by a "reopened" workspace. */
  workspaceState?: StateStorage;
  storageDir?: string;
  /** The workspace folder's history folder, shared by a "reopened" workspace; default a new one. */
  historyDir?: string;
  /** Run the local endpoint in a process of its own (as the extension does), so tasks outlive this glue. */
  daemon?: boolean;
  /** The cloud service (a test double, shared by a "reopened" workspace); without it, cloud submissions fail. */
  cloud?: ComputeService;
  settings?: Record<string, unknown>;
  /** The first Executor takes this long to create (an endpoint starting cold). */
  coldStartMs?: number;
}

export function tempStorage(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "gc-extension-glue-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function createGlue(options: GlueOptions = {}): Glue {
  const workspaceState = options.workspaceState ?? memento();
  const settings = new Settings(configuration({ "local.pythonPath": PYTHON, "local.workers": 2, ...options.settings }));
  const endpoints = new EndpointSelection(settings, workspaceState);
  const docs = new Map<string, string>();
  let cursor: { uri: string; offset: number } | undefined;
  const ui = new FakeUi();
  let coldStartMs = options.coldStartMs ?? 0;
  const output: Glue["output"] = [];
  const settled: Glue["settled"] = [];
  const mapLenses: string[] = [];
  const results = new ResultOutput({
    info: (text) => void output.push({ level: "info", text }),
    error: (text) => void output.push({ level: "error", text }),
  });
  const services = new ComputeServices({
    settings: () => settings.current,
    storageDir: options.storageDir ?? tempStorage().dir,
    token: async () => {
      if (options.cloud) return "test-token";
      throw new Error("no cloud in these tests");
    },
    ...(options.cloud ? { createCloud: () => nonDisposing(options.cloud as ComputeService) } : {}),
    // In-process unless asked: these tests stop the endpoint with the host (test/integration/local/daemon.test.ts covers the daemon).
    createLocal: options.daemon
      ? (o) => LocalEndpointClient.connect({ config: { ...o, stateRoot: o.storageDir, workspaceFolder: o.cwd, idleExitMs: 60_000 } })
      : (o) => LocalComputeService.create(o),
  });
  const history = new HistoryStore({ dir: options.historyDir ?? join(tempStorage().dir, "history"), retention: settings.current.retention });
  const recorder = new TaskHistoryRecorder(history, (m) => ui.showWarning(m));
  const reporter = new OutcomeReporter({ write: (task, origin) => results.write(task, origin), info: (text) => void output.push({ level: "info", text }) }, recorder);
  const model = new TaskGroupModel();
  const store = new TaskGroupStore(workspaceState, settings.current.retention.maxTaskGroups);
  const maps = new MapRuns({
    info: (text) => void output.push({ level: "info", text }),
    error: (text) => void output.push({ level: "error", text }),
  });
  const tracker = new TaskGroupTracker(model, store, {
    onSettled(task, group, live, future) {
      settled.push({ task, live });
      reporter.settled(task, group, live, future);
    },
    onMapProgress(group, progress) {
      if (maps.get(group.key) === undefined) mapLenses.push(mapLensText(progress));
    },
    onSubmitFailure: (error) => ui.showError(error.message),
    release: (e) => services.release(e),
    log: (m) => ui.showWarning(m),
    history: recorder,
  });
  const reloader = new TaskGroupReloader({
    model,
    store,
    tracker,
    createExecutor: (t) => services.createExecutor(t),
    release: (e) => services.release(e),
    log: (m) => ui.showWarning(m),
    history,
    markUnavailable: (key, reason) => recorder.markUnavailable(key, reason),
  });
  analyzer ??= PythonAnalyzer.load();
  const analysis = {
    async bundle(params: FunctionLocation): Promise<BundleResult> {
      const a = await analyzer!;
      const text = docs.get(params.uri) ?? "";
      const offset = "offset" in params ? params.offset : 0;
      const bundle = a.bundleFunction(text, offset);
      const doc = TextDocument.create(params.uri, "python", 1, text);
      const syntax = bundle ? placeInDocument(a.syntaxFeatures(bundle.source), bundle.source, bundle.lineMap, text) : [];
      return bundle ? { bundle: describeBundleForClient(doc, bundle, syntax) } : { bundle: null, reason: a.explainNoFunction(text, offset) };
    },
  };
  const workspace = tempStorage();
  const submit = new SubmitCommands({
    analysis: async () => analysis,
    editor: {
      activeLocation: () => cursor,
      ensureOpen: async (uri) => {
        if (!docs.has(uri)) throw new Error(`${uri} is not open`);
      },
      notebookCellIndex: () => undefined,
    },
    ui,
    endpoints,
    ensureSubmitAllowed: async () => true,
    ensureSignedIn: async () => {
      if (!options.cloud) throw new Error("no cloud in these tests");
    },
    createExecutor: async (t) => {
      if (coldStartMs > 0) await new Promise((resolve) => setTimeout(resolve, coldStartMs));
      coldStartMs = 0;
      return services.createExecutor(t);
    },
    release: (e) => services.release(e),
    serviceKeyFor: (e) => services.serviceKeyFor(e),
    endpointStatus: (e) => services.endpointStatus(e),
    tracker,
    sessionGroups: new SessionGroups(tracker),
    lastArguments: new LastArguments(workspaceState),
    log: { warn: (m) => ui.showWarning(m) },
    maps,
    readWorkspaceFile: async (path) => ({ name: path, text: await readFile(join(workspace.dir, path), "utf8") }),
    workersOf: (e) => (e.kind === "local" ? settings.current.local.workers : undefined),
  });
  return {
    ui,
    model,
    store,
    tracker,
    reloader,
    history,
    reporter,
    async reopen() {
      await reloader.reloadStored();
      const counts = model.totalCounts();
      reporter.reloadFinished(counts.queued + counts.running);
    },
    submit,
    services,
    output,
    settled,
    maps,
    mapLenses,
    workspaceDir: workspace.dir,
    open(uri, text, cursorAt) {
      docs.set(uri, text);
      if (cursorAt !== undefined) cursor = { uri, offset: text.indexOf(cursorAt) };
    },
    dispose() {
      tracker.dispose();
      services.dispose();
      history.dispose();
      model.dispose();
      endpoints.dispose();
      settings.dispose();
      workspace.remove();
    },
  };
}

/** The shared cloud double outlives each glue (a window closing does not stop the service). */
function nonDisposing(service: ComputeService): ComputeService {
  return new Proxy(service, { get: (target, key) => (key === "dispose" ? () => undefined : Reflect.get(target, key, target)) });
}

export { until } from "../../support/until";

/** Composition root: builds the extension's objects, wires their events, and hands them to VS Code to dispose. */
import * as vscode from "vscode";
import { configurationFileProblems } from "../core/endpoints/configurationDiagnostics";
import { configurationFileSchema } from "../core/endpoints/configurationFile";
import { PROBE_FUNCTION_NAME, PROBE_SOURCE } from "../core/endpoints/environmentProbe";
import { toDisplayJson } from "../core/protocol/tagged";
import { EndpointDirectory } from "../core/endpoints/endpointDirectory";
import { readAuthConfig } from "./auth/authConfig";
import { offerSignInInAccountsMenu, registerGlobusAuthenticationProvider } from "./auth/globusAuthenticationProvider";
import { GlobusSessions } from "./auth/globusSessions";
import { NativeAppLogin } from "./auth/nativeAppLogin";
import { TokenStore } from "./auth/tokenStore";
import { AuthCommands } from "./commands/authCommands";
import { COMMAND_IDS } from "./commands/commandIds";
import { EndpointCommands } from "./commands/endpointCommands";
import { reloadTaskGroup } from "./commands/reloadTaskGroupCommand";
import { TaskCommands } from "./commands/taskCommands";
import { EndpointSelection, LOCAL_ENDPOINT_ID } from "./endpoints/endpointSelection";
import { AutoProbe } from "./endpoints/autoProbe";
import { ConfigurationChooser } from "./endpoints/configurationChooser";
import { endpointApiOf } from "./endpoints/endpointApi";
import { checkedConfigurations, configuredSchemas, EndpointConfigurations } from "./endpoints/endpointConfigurations";
import { EndpointTreeDataProvider } from "./endpoints/endpointTreeDataProvider";
import { EndpointViewModel } from "./endpoints/endpointViewModel";
import { EnvironmentProbes } from "./endpoints/environmentProbes";
import { startLanguageClient, type PythonLanguageClient } from "./lsp/languageClient";
import { parseResultPath, resultText } from "./output/resultDocuments";
import { lensStatus, ResultOutput } from "./output/resultOutput";
import { saveResultsAs } from "./output/resultsExport";
import { OutcomeReporter } from "./output/outcomeReporter";
import { TaskNotifications } from "./output/taskNotifications";
import { HistoryStore } from "../core/history/historyStore";
import { historyDir } from "../core/history/historyLocation";
import { SessionGroups } from "./tasks/sessionGroups";
import { TaskHistoryRecorder } from "./tasks/taskHistoryRecorder";
import { ComputeServices, LOCAL_SERVICE } from "./services/computeServices";
import { Settings, SETTINGS_SECTION } from "./state/settings";
import { TaskGroupStore, type StoredOrigin } from "./state/taskGroupStore";
import { SubmitConsent } from "./state/workspaceTrust";
import { TaskStatusBar } from "./status/taskStatusBar";
import { LastArguments } from "./submit/argumentInput";
import { describeFailure } from "./submit/failureMessages";
import { mapLensText, MapRuns } from "./submit/mapRun";
import { BundlePreviewCommands } from "./submit/bundlePreview";
import { SubmitCommands } from "./submit/submitCommands";
import { TaskGroupModel } from "./tasks/taskGroupModel";
import { TaskGroupReloader } from "./tasks/taskGroupReloader";
import { TaskGroupTracker } from "./tasks/taskGroupTracker";
import { TaskTreeDataProvider } from "./tasks/taskTreeDataProvider";
import { vscodeLoginPrompts } from "./vscode/authPrompts";
import { BundleDocuments } from "./vscode/bundleDocuments";
import { registerCommands } from "./vscode/commands";
import { openConfigurationFile, vscodeConfigurationFile } from "./vscode/configurationFileAccess";
import { registerConfigurationProblems } from "./vscode/configurationProblems";
import { registerEnvironmentDiagnostics } from "./vscode/environmentDiagnostics";
import { registerConfigurationSchema } from "./vscode/configurationSchemaProvider";
import { vscodeConfigurationSource } from "./vscode/configurationSource";
import { vscodeEditorContext } from "./vscode/editorContext";
import { openNotebookCell, registerNotebookCellLinks } from "./vscode/notebookCellLinks";
import { registerResultDocuments, showResultDocument } from "./vscode/resultDocumentProvider";
import { toTreeItem } from "./vscode/treeItem";
import { rememberedGrouping, taskTreeControls } from "./vscode/taskTreeControls";
import { vscodeTrustPrompts } from "./vscode/trustPrompts";
import { LocalInterpreterSource } from "./vscode/localInterpreterSource";
import { openSampleFile } from "./commands/sampleFileCommand";
import { vscodeSampleFileDeps } from "./vscode/sampleFile";
import { vscodeUserInterface } from "./vscode/window";
import { firstWorkspaceFolderPath, readWorkspaceFile } from "./vscode/workspaceFiles";

const VIEW_IDS = { tasks: "globusCompute.tasks", endpoints: "globusCompute.endpoints" } as const;

/** Stops the language server; deactivate awaits it so no server process outlives the host. */
let stopLanguageClient: (() => Promise<void>) | undefined;

/** What `activate` returns (the extension's `exports`): read-only access to the task groups, for tests and other extensions. */
export interface GlobusComputeApi {
  readonly taskGroups: Pick<TaskGroupModel, "groups" | "get" | "onDidChange">;
}

export function activate(context: vscode.ExtensionContext): GlobusComputeApi {
  const started = performance.now();
  const activatedAt = Date.now();
  const subscriptions = context.subscriptions;
  const log = vscode.window.createOutputChannel("Globus Compute", { log: true });
  subscriptions.push(log);
  const ui = vscodeUserInterface;

  const configuration = vscodeConfigurationSource(SETTINGS_SECTION);
  const settings = new Settings(configuration);
  // The service is made on first use (`services` below): the directory only asks for it when listing.
  const directory = new EndpointDirectory({
    api: async () => endpointApiOf(await services.service(services.serviceKeyFor({ kind: "cloud" }))),
  });
  const endpoints = new EndpointSelection(settings, context.workspaceState, () =>
    directory.endpoints.map((e) => ({ kind: "cloud" as const, name: e.displayName, id: e.id })),
  );
  subscriptions.push(directory, directory.onDidChange(() => endpoints.listChanged()));
  const logProblems = () => {
    for (const p of settings.problems) log.warn(`Setting ${p.key}: ${p.message}`);
    if (endpoints.defaultProblem) log.warn(endpoints.defaultProblem);
  };
  logProblems();
  subscriptions.push(configuration, settings, endpoints, settings.onDidChange(logProblems));

  const globusSessions = new GlobusSessions({
    config: () => readAuthConfig(settings.current, process.env),
    store: new TokenStore(context.secrets),
    login: new NativeAppLogin(vscodeLoginPrompts),
    onBackgroundError: (err) => log.warn(String(err)),
  });
  subscriptions.push(
    globusSessions,
    registerGlobusAuthenticationProvider(globusSessions),
    // A changed auth URL or environment selects another stored session.
    settings.onDidChange(() => void globusSessions.reload()),
    // Another identity, or another service, sees other endpoints.
    globusSessions.onDidChangeSessions(() => directory.clear()),
    settings.onDidChange(() => {
      const key = services.serviceKeyFor({ kind: "cloud" });
      if (key !== listedFrom) directory.clear();
      listedFrom = key;
    }),
  );
  const offerSignIn = () => void offerSignInInAccountsMenu(() => settings.current.endpoints.length > 0 || endpoints.current.kind === "cloud", (m) => log.warn(m));
  offerSignIn();
  subscriptions.push(settings.onDidChange(offerSignIn));

  const languageClient: Promise<PythonLanguageClient> = startLanguageClient(context);
  languageClient.then(
    (client) => {
      stopLanguageClient = () => client.stop();
    },
    (err: unknown) => log.error("The Python language server did not start:", err instanceof Error ? err : String(err)),
  );

  const localInterpreter = new LocalInterpreterSource(settings, vscode.workspace.workspaceFolders?.[0], (m) => log.warn(m));
  subscriptions.push(localInterpreter);
  const services = new ComputeServices({
    settings: () => settings.current,
    localPython: () => localInterpreter.current.python,
    localPythonKnown: localInterpreter.known,
    storageDir: (context.storageUri ?? context.globalStorageUri).fsPath,
    localStateRoot: vscode.Uri.joinPath(context.globalStorageUri, "local-endpoints").fsPath,
    token: globusSessions.getAccessToken,
    cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    log: (message) => log.warn(message),
  });
  let listedFrom = services.serviceKeyFor({ kind: "cloud" });
  const taskGroups = new TaskGroupModel();
  const store = new TaskGroupStore(context.workspaceState, settings.current.retention.maxTaskGroups);
  const output = new ResultOutput(log);
  // The history is per workspace folder and user (not per window), so every window on the folder shares it.
  const history = new HistoryStore({
    dir: historyDir(context.globalStorageUri.fsPath, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath),
    retention: settings.current.retention,
  });
  const recorder = new TaskHistoryRecorder(history, (message) => log.warn(message));
  const reporter = new OutcomeReporter({ write: (task, origin) => output.write(task, origin), info: (message) => log.info(message) }, recorder);
  const notifications = new TaskNotifications({
    ui,
    focused: () => vscode.window.state.focused,
    longTaskSeconds: () => settings.current.notifications.longTaskSeconds,
  });
  const lensTimes = new Map<string, number>();
  /** The status lens above the function `origin` names, unless a later outcome shows there already. */
  const showLens = (origin: StoredOrigin | undefined, status: string, at: number) => {
    const lensKey = `${origin?.uri}#${origin?.name}`;
    if (origin === undefined || at < (lensTimes.get(lensKey) ?? 0)) return;
    lensTimes.set(lensKey, at);
    void languageClient.then((c) => c.notifyResultStatus({ uri: origin.uri, name: origin.name, status, command: { command: "globusCompute.showOutput" } }));
  };
  // Before the tracker, which asks it about maps as results arrive.
  const maps = new MapRuns(log, (groupKey, status) => showLens(tracker.get(groupKey)?.origin, status, Date.now()));
  const tracker = new TaskGroupTracker(taskGroups, store, {
    onSettled(task, group, live, future) {
      if (reporter.settled(task, group, live, future)) notifications.settled(task, { groupKey: group.key, index: group.futures.indexOf(future) });
      // Reloaded outcomes restore the lens too; of several, the one that finished last wins.
      showLens(group.origin, lensStatus(task), Number(future.completionT ?? 0) * 1000 || Date.now());
    },
    onMapProgress(group, progress) {
      // A map started in this window shows its own progress (MapRun); a reloaded one, what its chunks say.
      if (maps.get(group.key) === undefined) showLens(group.origin, mapLensText(progress), progress.at);
    },
    onSubmitFailure(error, group) {
      const { message, actions } = describeFailure(error, group.endpoint.name);
      ui.showError(message, actions);
    },
    release: (executor) => services.release(executor),
    log: (message) => log.warn(message),
    history: recorder,
  });
  const reloader = new TaskGroupReloader({
    model: taskGroups,
    store,
    tracker,
    createExecutor: (target) => services.createExecutor(target),
    release: (executor) => services.release(executor),
    log: (message) => log.warn(message),
    history,
    markUnavailable: (key, reason) => recorder.markUnavailable(key, reason),
  });
  // What kept a group from reloading (no sign-in, another service's settings) may be gone now.
  const retryReloads = () => void reloader.retryNotReloaded();
  subscriptions.push(globusSessions.onDidChangeSessions(retryReloads), settings.onDidChange(retryReloads));
  // Disposed in this order: the tracker stops following, the services stop executors and workers, then the model.
  subscriptions.push(
    tracker,
    services,
    taskGroups,
    history,
    notifications,
    settings.onDidChange((s) => {
      void store.setMaxGroups(s.retention.maxTaskGroups);
      history.setRetention(s.retention);
    }),
    registerNotebookCellLinks(),
    registerResultDocuments((path) => {
      const at = parseResultPath(path);
      const group = at && tracker.get(at.groupKey);
      return resultText(group?.calls[at?.index ?? -1] ?? "result", group?.futures[at?.index ?? -1], group?.origin, at?.from);
    }),
  );
  void reloader.reloadStored().then(() => {
    const counts = taskGroups.totalCounts();
    reporter.reloadFinished(counts.queued + counts.running);
  });

  const taskTree = new TaskTreeDataProvider(taskGroups, { toTreeItem, groupBy: rememberedGrouping(context.workspaceState) });
  const taskTreeView = vscode.window.createTreeView(VIEW_IDS.tasks, { treeDataProvider: taskTree, showCollapseAll: true, canSelectMany: true });
  const endpointModel = new EndpointViewModel(settings, endpoints, directory);
  const endpointTree = new EndpointTreeDataProvider(endpointModel, directory, settings, {
    toTreeItem,
    localStatus: () => services.endpointStatus({ kind: "local", id: "local" }),
    localInterpreter: () => localInterpreter.current,
    probe: (id, configuration) => probes.get(id, configuration),
    inspecting: (id) => probes.inspecting(id),
    configurations: (id) => checkedConfigurations(configurations, directory, id),
  });
  const endpointView = vscode.window.createTreeView(VIEW_IDS.endpoints, { treeDataProvider: endpointTree });
  const showEndpointMessage = () => {
    endpointView.message = endpointTree.message;
    void vscode.commands.executeCommand("setContext", "globusCompute.endpointFilter", endpointModel.filter !== "");
  };
  endpointTree.setVisible(endpointView.visible);
  let backOffTimer: NodeJS.Timeout | undefined;
  subscriptions.push(
    taskTree,
    endpointModel,
    endpointTree,
    // A submission may have started the local endpoint or found a cloud one offline: show the news.
    taskGroups.onDidChange((change) => change.kind === "added" && endpointTree.refresh()),
    taskTreeView,
    endpointView,
    // Another interpreter chosen: a running local endpoint restarts with it (once no task runs on it).
    localInterpreter.onDidChange(() => {
      if (services.localStarted) void services.service(LOCAL_SERVICE).catch((err: unknown) => log.warn(`The local endpoint did not restart: ${String(err)}`));
      endpointTree.refresh();
    }),
    endpointView.onDidChangeVisibility((e) => endpointTree.setVisible(e.visible)),
    endpointTree.onDidChangeTreeData(showEndpointMessage),
    // The message says when statuses resume; it goes once the back-off is over.
    directory.onDidBackOff((b) => {
      showEndpointMessage();
      clearTimeout(backOffTimer);
      backOffTimer = setTimeout(showEndpointMessage, b.delayMs + 100);
    }),
    { dispose: () => clearTimeout(backOffTimer) },
    new TaskStatusBar(
      vscode.window.createStatusBarItem("globusCompute.status", vscode.StatusBarAlignment.Left, 50),
      taskGroups,
      `${VIEW_IDS.tasks}.focus`,
      tracker,
    ),
  );

  subscriptions.push(taskGroups.onDidChange((change) => change.kind === "removed" && maps.forget(change.groupKey)));
  const consent = new SubmitConsent(vscodeTrustPrompts);
  const ensureSignedIn = () => globusSessions.ensureSignedIn();
  const configurationFile = vscodeConfigurationFile();
  const configurations = new EndpointConfigurations(configurationFile);
  // The file's schema carries the schema of every endpoint it names, fetched as they become known.
  const configurationSchema = registerConfigurationSchema(() => configurationFileSchema(configuredSchemas(configurations, directory)));
  const fetchConfiguredMetadata = () => {
    for (const id of configurations.endpointIds) {
      const entry = directory.entry(id);
      if (!entry.metadata && !entry.metadataProblem) void directory.metadata(id).catch(() => undefined);
    }
  };
  // The same check as at submit, placed on the offending field (whatever the JSON language features make of the schema).
  const configurationProblems = registerConfigurationProblems(async () => {
    const text = await configurationFile.read();
    if (text === undefined) return undefined;
    const schemas = new Map([...configuredSchemas(configurations, directory)].map(([id, e]) => [id, e.schema]));
    return configurationFileProblems(text, schemas);
  });
  subscriptions.push(
    configurationFile,
    configurations,
    configurationSchema,
    configurationProblems,
    configurations.onDidChange(() => {
      endpointTree.rerender();
      fetchConfiguredMetadata();
      configurationSchema.refresh();
      configurationProblems.update();
    }),
    directory.onDidChange(() => {
      // A sign-in or another service clears the directory: the configured endpoints' schemas are fetched again.
      fetchConfiguredMetadata();
      configurationSchema.refresh();
      configurationProblems.update();
    }),
  );
  void configurations.ready();
  const probes = new EnvironmentProbes({
    storage: context.workspaceState,
    run: async (endpoint, configuration, background) => {
      // In the background a cloud probe goes only with the token at hand: no sign-in prompt nobody asked for.
      if (endpoint.kind === "cloud" && !background) await ensureSignedIn();
      const executor = await services.createExecutor({ endpoint, configuration });
      try {
        return toDisplayJson(await executor.submit({ name: PROBE_FUNCTION_NAME, source: PROBE_SOURCE }).result(300_000));
      } finally {
        services.release(executor);
      }
    },
    // Another interpreter is another environment.
    variant: (id) => (id === LOCAL_ENDPOINT_ID ? localInterpreter.current.python : undefined),
    onBackgroundError: (endpoint, err) =>
      log.warn(`The environment of ${endpoint.name} was not inspected in the background: ${err instanceof Error ? err.message : String(err)}`),
  });
  const environmentDiagnostics = registerEnvironmentDiagnostics({
    analysis: () => languageClient,
    endpoint: () => endpoints.current,
    probe: (id) => probes.get(id),
    log: (message) => log.warn(message),
  });
  const autoProbe = new AutoProbe({ probes, configurations, metadata: (id) => directory.metadata(id), trusted: () => vscode.workspace.isTrusted });
  const probeInBackground = (use: Promise<void>) => void use.catch((err: unknown) => log.warn(`Background environment probe: ${String(err)}`));
  subscriptions.push(
    probes,
    environmentDiagnostics,
    probes.onDidChange(() => {
      endpointTree.rerender();
      environmentDiagnostics.refresh();
    }),
    endpoints.onDidChange((endpoint) => {
      environmentDiagnostics.refresh();
      probeInBackground(autoProbe.selected(endpoint));
    }),
    // Groups submitted from this window (not those reloaded from earlier sessions).
    taskGroups.onDidChange((change) => {
      const group = change.kind === "added" ? taskGroups.get(change.groupKey) : undefined;
      if (group && group.createdAt >= activatedAt) probeInBackground(autoProbe.submitted(group.endpoint, group.configuration));
    }),
    // Another local interpreter: its environment is not the one probed.
    localInterpreter.onDidChange(() => {
      environmentDiagnostics.refresh();
      if (endpoints.current.kind === "local") probeInBackground(autoProbe.selected(endpoints.current));
    }),
  );
  const chooser = new ConfigurationChooser({ configurations, metadata: (id) => directory.metadata(id), ui, storage: context.workspaceState });
  const submit = new SubmitCommands({
    analysis: () => languageClient,
    editor: vscodeEditorContext,
    ui,
    endpoints,
    ensureSubmitAllowed: (target) => consent.ensureSubmitAllowed(target),
    ensureSignedIn,
    chooseConfiguration: (endpoint, key, preferred) => chooser.choose(endpoint, key, preferred),
    createExecutor: (target) => services.createExecutor(target),
    release: (executor) => services.release(executor),
    serviceKeyFor: (endpoint) => services.serviceKeyFor(endpoint),
    endpointStatus: (endpoint) => services.endpointStatus(endpoint),
    tracker,
    sessionGroups: new SessionGroups(tracker),
    lastArguments: new LastArguments(context.workspaceState),
    log,
    maps,
    readWorkspaceFile,
    workersOf: (endpoint) => (endpoint.kind === "local" ? settings.current.local.workers : undefined),
  });
  const bundleDocuments = new BundleDocuments();
  subscriptions.push(bundleDocuments);
  const bundlePreview = new BundlePreviewCommands({
    analysis: () => languageClient,
    editor: vscodeEditorContext,
    ui,
    show: (name, text) => bundleDocuments.show(name, text),
  });
  const tasks = new TaskCommands(taskGroups, taskTreeControls(taskTree, taskTreeView, context.workspaceState), ui, {
    future: (key, index) => tracker.get(key)?.futures[index],
    openResult: showResultDocument,
  });
  const endpointCommands = new EndpointCommands({
    selection: endpoints,
    model: endpointModel,
    directory,
    ui,
    openExternal: (url) => Promise.resolve(vscode.env.openExternal(vscode.Uri.parse(url))),
    configurations,
    openConfigurationFile,
    probes,
    chooseConfiguration: (endpoint, name) => chooser.choose(endpoint, "environment probe", name),
    functionAtCursor: async () => {
      const location = vscodeEditorContext.activeLocation();
      const fn = location && (await (await languageClient).functionAt(location));
      return fn ? { key: `${location.uri}#${fn.qualifiedName}`, name: fn.qualifiedName } : undefined;
    },
    changeConfigurationChoice: (endpoint, key, name) => chooser.changeRemembered(endpoint, key, name),
  });
  const authCommands = new AuthCommands(globusSessions, ui);
  subscriptions.push(
    registerCommands(
      {
        "globusCompute.submitFunction": (arg) => submit.submitFunction(arg),
        "globusCompute.submitFunctionWithArguments": (arg) => submit.submitFunctionWithArguments(arg),
        "globusCompute.mapFunction": (arg) => submit.mapFunction(arg),
        "globusCompute.showBundle": (arg) => bundlePreview.showBundle(arg),
        "globusCompute.reloadTaskGroup": (id) =>
          reloadTaskGroup({ reloader, endpoints, serviceKeyFor: (e) => services.serviceKeyFor(e), ensureSignedIn, ui }, id),
        "globusCompute.openResult": (node) => tasks.openResult(node),
        "globusCompute.openNotebookCell": (path, cell, line) => openNotebookCell(path, cell, line),
        "globusCompute.rerunTask": async (node, selected) => {
          for (const row of Array.isArray(selected) && selected.length > 1 ? selected : [node]) await submit.rerun(row, false);
        },
        "globusCompute.rerunTaskWithEditedArguments": (node) => submit.rerun(node, true),
        "globusCompute.cancelTask": (node) => tasks.cancelTask(node),
        "globusCompute.copyTaskId": (node, selected) => tasks.copyTaskId(node, selected),
        "globusCompute.copyTaskGroupId": (node) => tasks.copyTaskGroupId(node),
        "globusCompute.forgetTaskGroup": (node, selected) => tasks.forgetTaskGroup(node, selected),
        "globusCompute.clearFinished": () => tasks.clearFinished(),
        "globusCompute.filterTasks": () => tasks.filterTasks(),
        "globusCompute.groupTasks": () => tasks.groupTasks(),
        "globusCompute.findTask": (id) => tasks.findTask(id),
        "globusCompute.saveResultsAs": (node, target) =>
          saveResultsAs(
            { ui, group: (key) => tracker.get(key), map: (key) => maps.get(key), defaultDir: firstWorkspaceFolderPath },
            node,
            target,
          ),
        "globusCompute.showMoreTasks": (node) => tasks.showMoreTasks(node),
        "globusCompute.selectEndpoint": () => endpointCommands.selectEndpoint(),
        "globusCompute.refreshEndpoints": () => endpointTree.refresh(),
        "globusCompute.useEndpoint": (node) => endpointCommands.useForWorkspace(node),
        "globusCompute.copyEndpointId": (node) => endpointCommands.copyId(node),
        "globusCompute.openEndpointInWebApp": (node) => endpointCommands.openInWebApp(node),
        "globusCompute.filterEndpoints": () => endpointCommands.filter(),
        "globusCompute.clearEndpointFilter": () => endpointCommands.clearFilter(),
        "globusCompute.showMoreEndpoints": () => endpointCommands.showMore(),
        "globusCompute.createEndpointConfiguration": (arg) => endpointCommands.createConfiguration(arg),
        "globusCompute.openEndpointConfigurations": () => endpointCommands.openConfigurations(),
        "globusCompute.inspectEndpointEnvironment": (node) => endpointCommands.inspectEnvironment(node),
        "globusCompute.chooseConfiguration": () => endpointCommands.chooseConfiguration(),
        "globusCompute.showOutput": () => log.show(true),
        "globusCompute.openSampleFile": () => openSampleFile(vscodeSampleFileDeps(context)),
        "globusCompute.signIn": () => authCommands.signIn(),
        "globusCompute.signOut": () => authCommands.signOut(),
      },
      log,
    ),
  );

  const ms = (performance.now() - started).toFixed(1);
  log.info(`Globus Compute ${context.extension.packageJSON.version} activated in ${ms} ms; ${COMMAND_IDS.length} commands registered`);
  return { taskGroups };
}

export async function deactivate(): Promise<void> {
  // Everything else is in context.subscriptions, which VS Code disposes (the local endpoint's workers included).
  await stopLanguageClient?.();
}

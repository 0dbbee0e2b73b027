/** Composition root: builds the extension's objects, wires their events, and hands them to VS Code to dispose. */
import * as vscode from "vscode";
import { COMMAND_IDS, type CommandId } from "./commands/commandIds";
import { placeholderCommands } from "./commands/placeholderCommands";
import { EndpointCommands } from "./commands/endpointCommands";
import { TaskCommands } from "./commands/taskCommands";
import { EndpointSelection } from "./endpoints/endpointSelection";
import { EndpointTreeDataProvider } from "./endpoints/endpointTreeDataProvider";
import { Settings, SETTINGS_SECTION } from "./state/settings";
import { TaskStatusBar } from "./status/taskStatusBar";
import { TaskGroupModel } from "./tasks/taskGroupModel";
import { TaskTreeDataProvider } from "./tasks/taskTreeDataProvider";
import { registerCommands } from "./vscode/commands";
import { vscodeConfigurationSource } from "./vscode/configurationSource";
import { toTreeItem } from "./vscode/treeItem";
import { vscodeUserInterface } from "./vscode/window";

const VIEW_IDS = { tasks: "globusCompute.tasks", endpoints: "globusCompute.endpoints" } as const;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const subscriptions = context.subscriptions;
  const log = vscode.window.createOutputChannel("Globus Compute", { log: true });
  subscriptions.push(log);

  const configuration = vscodeConfigurationSource(SETTINGS_SECTION);
  const settings = new Settings(configuration);
  const endpoints = new EndpointSelection(settings, context.workspaceState);
  const logProblems = () => {
    for (const p of settings.problems) log.warn(`Setting ${p.key}: ${p.message}`);
    if (endpoints.defaultProblem) log.warn(endpoints.defaultProblem);
  };
  logProblems();
  subscriptions.push(configuration, settings, endpoints, settings.onDidChange(logProblems));

  const taskGroups = new TaskGroupModel();
  const taskTree = new TaskTreeDataProvider(taskGroups, { toTreeItem });
  const endpointTree = new EndpointTreeDataProvider(settings, endpoints, toTreeItem);
  subscriptions.push(
    taskGroups,
    taskTree,
    endpointTree,
    vscode.window.createTreeView(VIEW_IDS.tasks, { treeDataProvider: taskTree, showCollapseAll: true }),
    vscode.window.createTreeView(VIEW_IDS.endpoints, { treeDataProvider: endpointTree }),
    new TaskStatusBar(
      vscode.window.createStatusBarItem("globusCompute.status", vscode.StatusBarAlignment.Left, 50),
      taskGroups,
      `${VIEW_IDS.tasks}.focus`,
    ),
  );

  const ui = vscodeUserInterface;
  const tasks = new TaskCommands(taskGroups, taskTree, ui);
  const endpointCommands = new EndpointCommands(endpoints, ui);
  subscriptions.push(
    registerCommands(
      {
        ...placeholderCommands(ui, (id) => commandTitle(context, id)),
        "globusCompute.copyTaskId": (node) => tasks.copyTaskId(node),
        "globusCompute.copyTaskGroupId": (node) => tasks.copyTaskGroupId(node),
        "globusCompute.forgetTaskGroup": (node) => tasks.forgetTaskGroup(node),
        "globusCompute.showMoreTasks": (node) => tasks.showMoreTasks(node),
        "globusCompute.selectEndpoint": () => endpointCommands.selectEndpoint(),
        "globusCompute.refreshEndpoints": () => endpointTree.refresh(),
        "globusCompute.showOutput": () => log.show(true),
      },
      log,
    ),
  );

  const ms = (performance.now() - started).toFixed(1);
  log.info(`Globus Compute ${context.extension.packageJSON.version} activated in ${ms} ms; ${COMMAND_IDS.length} commands registered`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions, which VS Code disposes.
}

function commandTitle(context: vscode.ExtensionContext, id: CommandId): string {
  const commands = context.extension.packageJSON.contributes?.commands as { command: string; title: string }[] | undefined;
  return commands?.find((c) => c.command === id)?.title ?? id;
}

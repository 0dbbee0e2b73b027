/** Every command the extension contributes (package.json `contributes.commands` lists the same ids; a test checks). */
export const COMMAND_IDS = [
  "globusCompute.submitFunction",
  "globusCompute.submitFunctionWithArguments",
  "globusCompute.mapFunction",
  "globusCompute.showBundle",
  "globusCompute.selectEndpoint",
  "globusCompute.reloadTaskGroup",
  "globusCompute.openResult",
  "globusCompute.openNotebookCell",
  "globusCompute.rerunTask",
  "globusCompute.rerunTaskWithEditedArguments",
  "globusCompute.copyTaskId",
  "globusCompute.copyTaskGroupId",
  "globusCompute.cancelTask",
  "globusCompute.forgetTaskGroup",
  "globusCompute.saveResultsAs",
  "globusCompute.showMoreTasks",
  "globusCompute.refreshEndpoints",
  "globusCompute.useEndpoint",
  "globusCompute.copyEndpointId",
  "globusCompute.openEndpointInWebApp",
  "globusCompute.filterEndpoints",
  "globusCompute.clearEndpointFilter",
  "globusCompute.showMoreEndpoints",
  "globusCompute.createEndpointConfiguration",
  "globusCompute.openEndpointConfigurations",
  "globusCompute.inspectEndpointEnvironment",
  "globusCompute.chooseConfiguration",
  "globusCompute.signIn",
  "globusCompute.signOut",
  "globusCompute.showOutput",
  "globusCompute.openSampleFile",
  "globusCompute.clearFinished",
  "globusCompute.filterTasks",
  "globusCompute.groupTasks",
  "globusCompute.findTask",
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** A handler per command: the type makes a missing handler a compile error. */
export type CommandHandlers = Record<CommandId, (...args: unknown[]) => unknown>;

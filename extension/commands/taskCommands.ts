/** Handlers for the Tasks view's row actions: they translate a row into model calls, nothing more. */
import type { ComputeFuture } from "../../core/executor";
import { resultPath } from "../output/resultDocuments";
import type { TaskGroupModel } from "../tasks/taskGroupModel";
import type { TaskTreeNode } from "../tasks/taskTreeNodes";
import type { UserInterface } from "../vscode/window";

export class TaskCommands {
  constructor(
    private readonly model: TaskGroupModel,
    private readonly tree: { showMore(node: TaskTreeNode): void },
    private readonly ui: Pick<UserInterface, "showInformation" | "showWarning" | "copyToClipboard">,
    private readonly tasks: {
      future(groupKey: string, index: number): ComputeFuture | undefined;
      /** Shows the read-only result document at this path of the result scheme. */
      openResult(path: string): Promise<void>;
    },
  ) {}

  async openResult(node: unknown): Promise<void> {
    const n = asNode(node, "task");
    const call = this.model.get(n.groupKey)?.tasks[n.index]?.call ?? "result";
    await this.tasks.openResult(resultPath(n.groupKey, n.index, call));
  }

  /** Honest about what cancelling can do: only a task not yet sent is really cancelled. */
  cancelTask(node: unknown): void {
    const n = asNode(node, "task");
    const future = this.tasks.future(n.groupKey, n.index);
    const call = this.model.get(n.groupKey)?.tasks[n.index]?.call ?? "the task";
    switch (future?.cancel() ?? "already-done") {
      case "cancelled":
        return this.ui.showInformation(`Cancelled ${call}: it had not been sent, so it never runs.`);
      case "stopped-waiting":
        return this.ui.showInformation(
          `Stopped waiting for ${call}. It had already been sent, and Globus Compute cannot cancel a sent task: it keeps running on the endpoint.`,
        );
      case "already-done":
        return this.ui.showInformation(`${call} has already finished.`);
    }
  }

  async copyTaskId(node: unknown): Promise<void> {
    const n = asNode(node, "task");
    const taskId = this.model.get(n.groupKey)?.tasks[n.index]?.taskId;
    if (taskId === undefined) return this.ui.showWarning("This task has no id yet: it has not reached the service.");
    await this.ui.copyToClipboard(taskId);
  }

  async copyTaskGroupId(node: unknown): Promise<void> {
    const n = asNode(node, "group");
    const id = this.model.get(n.groupKey)?.taskGroupId;
    if (id === undefined) return this.ui.showWarning("This task group has no id yet: no task has reached the service.");
    await this.ui.copyToClipboard(id);
  }

  forgetTaskGroup(node: unknown): void {
    this.model.remove(asNode(node, "group").groupKey);
  }

  showMoreTasks(node: unknown): void {
    this.tree.showMore(asNode(node, "more"));
  }
}

/** Row commands get the tree node as their argument; anything else (e.g. a keybinding) is a usage error. */
function asNode<K extends TaskTreeNode["kind"]>(node: unknown, kind: K): TaskTreeNode & { kind: K } {
  const n = node as Partial<TaskTreeNode> | undefined;
  if (n?.kind === kind && typeof n.groupKey === "string") return n as TaskTreeNode & { kind: K };
  throw new TypeError(`this command acts on a ${kind === "group" ? "task group" : kind} row of the Tasks view`);
}

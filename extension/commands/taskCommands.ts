/** Handlers for the Tasks view's row actions: they translate a row into model calls, nothing more. */
import type { TaskGroupModel } from "../tasks/taskGroupModel";
import type { TaskTreeNode } from "../tasks/taskTreeNodes";
import type { UserInterface } from "../vscode/window";

export class TaskCommands {
  constructor(
    private readonly model: TaskGroupModel,
    private readonly tree: { showMore(node: TaskTreeNode): void },
    private readonly ui: Pick<UserInterface, "showWarning" | "copyToClipboard">,
  ) {}

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

/** What the task commands may do to the Tasks view: page, filter, and reveal a row (through its TreeView). */
import type * as vscode from "vscode";
import type { TaskDisplayState } from "../tasks/taskGroupModel";
import type { TaskTreeDataProvider } from "../tasks/taskTreeDataProvider";
import type { TaskTreeNode } from "../tasks/taskTreeNodes";

export function taskTreeControls(tree: TaskTreeDataProvider, view: vscode.TreeView<TaskTreeNode>) {
  return {
    showMore: (node: TaskTreeNode) => tree.showMore(node),
    get stateFilter(): ReadonlySet<TaskDisplayState> | undefined {
      return tree.stateFilter;
    },
    set stateFilter(states: ReadonlySet<TaskDisplayState> | undefined) {
      tree.stateFilter = states;
      view.description = states === undefined ? undefined : `only ${[...states].join(", ")}`;
    },
    async reveal(node: TaskTreeNode & { kind: "task" }): Promise<void> {
      tree.ensureShown(node);
      tree.flush();
      await view.reveal(node, { select: true, focus: true, expand: true });
    },
  };
}

/** What the task commands may do to the Tasks view: page, filter, group, and reveal a row (through its TreeView). */
import type * as vscode from "vscode";
import type { TaskDisplayState } from "../tasks/taskGroupModel";
import { isTaskGrouping, type TaskGrouping } from "../tasks/taskGrouping";
import type { TaskTreeDataProvider } from "../tasks/taskTreeDataProvider";
import type { TaskTreeNode } from "../tasks/taskTreeNodes";

/** The workspace-state key of the Tasks view's grouping ("Group Tasks By…"). */
const GROUP_BY_KEY = "globusCompute.tasks.groupBy";

/** The grouping this workspace chose last; "none" when it never chose one (or kept something unknown). */
export function rememberedGrouping(storage: Pick<vscode.Memento, "get">): TaskGrouping {
  const value = storage.get<unknown>(GROUP_BY_KEY);
  return isTaskGrouping(value) ? value : "none";
}

export function taskTreeControls(tree: TaskTreeDataProvider, view: vscode.TreeView<TaskTreeNode>, storage: Pick<vscode.Memento, "update">) {
  const describe = () => {
    const parts = [
      ...(tree.groupBy === "none" ? [] : [`by ${tree.groupBy}`]),
      ...(tree.stateFilter === undefined ? [] : [`only ${[...tree.stateFilter].join(", ")}`]),
    ];
    view.description = parts.length > 0 ? parts.join(" · ") : undefined;
  };
  describe();
  return {
    showMore: (node: TaskTreeNode) => tree.showMore(node),
    get stateFilter(): ReadonlySet<TaskDisplayState> | undefined {
      return tree.stateFilter;
    },
    set stateFilter(states: ReadonlySet<TaskDisplayState> | undefined) {
      tree.stateFilter = states;
      describe();
    },
    get groupBy(): TaskGrouping {
      return tree.groupBy;
    },
    set groupBy(by: TaskGrouping) {
      tree.groupBy = by;
      describe();
      void storage.update(GROUP_BY_KEY, by);
    },
    async reveal(node: TaskTreeNode & { kind: "task" }): Promise<void> {
      tree.ensureShown(node);
      tree.flush();
      await view.reveal(node, { select: true, focus: true, expand: true });
    },
  };
}

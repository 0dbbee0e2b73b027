/** The status bar entry: how many tasks are running or queued; a click opens the Tasks view. */
import type * as vscode from "vscode";
import type { Disposable } from "../../core/util/disposable";
import type { TaskCounts, TaskGroupModel } from "../tasks/taskGroupModel";
import { formatCounts } from "../tasks/taskTreeNodes";

export type StatusBarItemLike = Pick<vscode.StatusBarItem, "text" | "tooltip" | "command" | "name" | "show" | "dispose">;

export function statusBarText(counts: Readonly<TaskCounts>): { text: string; tooltip: string } {
  const active = counts.running + counts.queued;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    text: active > 0 ? `$(sync~spin) Globus Compute: ${active} running` : "$(globe) Globus Compute",
    tooltip: total > 0 ? `Globus Compute tasks: ${formatCounts(counts)}` : "Globus Compute: no tasks yet",
  };
}

export class TaskStatusBar implements Disposable {
  private readonly subscription: Disposable;

  constructor(
    private readonly item: StatusBarItemLike,
    private readonly model: TaskGroupModel,
    focusCommand: string,
  ) {
    item.name = "Globus Compute";
    item.command = focusCommand;
    this.render();
    item.show();
    this.subscription = model.onDidChange(() => this.render());
  }

  private render(): void {
    const { text, tooltip } = statusBarText(this.model.totalCounts());
    this.item.text = text;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

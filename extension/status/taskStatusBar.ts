/**
 * The status bar entry: how many tasks are running or queued, and how their results arrive (streaming,
 * reconnecting, polling, offline); a click opens the Tasks view.
 */
import type * as vscode from "vscode";
import type { WatchState } from "../../core/service/computeService";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import type { Event } from "../../core/util/event";
import type { TaskCounts, TaskGroupModel } from "../tasks/taskGroupModel";
import { formatCounts } from "../tasks/taskTreeNodes";

export type StatusBarItemLike = Pick<vscode.StatusBarItem, "text" | "tooltip" | "command" | "name" | "show" | "dispose">;

/** The result streams of the groups still waiting (TaskGroupTracker). */
export interface ResultConnection {
  readonly currentWatchStates: readonly WatchState[];
  readonly onWatchStateChange: Event<void>;
}

/** The worst state wins: one group polling means results may come late. */
function connectionOf(states: readonly WatchState[]): { icon: string; word: string; detail: string } | undefined {
  if (states.includes("failed"))
    return { icon: "$(error)", word: "results stopped", detail: "Waiting for results stopped: the tasks' errors say why (sign in again, then reload the task group)." };
  if (states.includes("reconnecting"))
    // Of cloud and local streams alike: a local one does not poll meanwhile.
    return { icon: "$(debug-disconnect)", word: "reconnecting", detail: "The result stream was lost; reconnecting." };
  if (states.includes("polling")) return { icon: "$(history)", word: "polling", detail: "Results are polled: the result stream is unavailable." };
  if (states.includes("closed") && !states.includes("streaming"))
    return { icon: "$(cloud-offline)", word: "offline", detail: "No result stream: results arrive when the service is reachable again." };
  return undefined;
}

export function statusBarText(counts: Readonly<TaskCounts>, watchStates: readonly WatchState[] = []): { text: string; tooltip: string } {
  const active = counts.running + counts.queued;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const connection = active > 0 ? connectionOf(watchStates) : undefined;
  const tooltip = total > 0 ? `Globus Compute tasks: ${formatCounts(counts)}` : "Globus Compute: no tasks yet";
  if (connection) {
    return { text: `${connection.icon} Globus Compute: ${connection.word} · ${active} running`, tooltip: `${tooltip}\n${connection.detail}` };
  }
  const streaming = active > 0 && watchStates.includes("streaming") ? "\nResults are streaming." : "";
  return {
    text: active > 0 ? `$(sync~spin) Globus Compute: ${active} running` : "$(globe) Globus Compute",
    tooltip: `${tooltip}${streaming}`,
  };
}

export class TaskStatusBar implements Disposable {
  private readonly subscriptions = new DisposableStore();

  constructor(
    private readonly item: StatusBarItemLike,
    private readonly model: TaskGroupModel,
    focusCommand: string,
    private readonly connection?: ResultConnection,
  ) {
    item.name = "Globus Compute";
    item.command = focusCommand;
    this.render();
    item.show();
    this.subscriptions.add(model.onDidChange(() => this.render()));
    if (connection) this.subscriptions.add(connection.onWatchStateChange(() => this.render()));
  }

  private render(): void {
    const { text, tooltip } = statusBarText(this.model.totalCounts(), this.connection?.currentWatchStates);
    this.item.text = text;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.item.dispose();
  }
}

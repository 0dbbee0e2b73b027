/**
 * The Tasks view's structure and rows as pure functions over TaskGroupModel: groups → tasks, with a
 * "show more" row so a group of 10k tasks renders one page at a time.
 */
import type { TaskTransition } from "../../core/protocol/messages";
import {
  displayStateOf,
  TASK_DISPLAY_STATES,
  type TaskCounts,
  type TaskDisplayState,
  type TaskGroupModel,
  type TaskGroupRecord,
  type TaskRecord,
} from "./taskGroupModel";
import { bucketsOf, type TaskGrouping } from "./taskGrouping";
import { codeSpan, formatClock, formatDuration, oneLine } from "../util/format";
import type { TreeItemData } from "../vscode/treeItemData";

export type TaskTreeNode =
  | { kind: "bucket"; by: Exclude<TaskGrouping, "none">; key: string }
  | { kind: "group"; groupKey: string }
  | { kind: "task"; groupKey: string; index: number }
  | { kind: "more"; groupKey: string; shown: number; total?: number };

const STATE_ICONS: Record<TaskDisplayState, { id: string; color?: string }> = {
  queued: { id: "clock", color: "testing.iconQueued" },
  running: { id: "loading~spin" },
  success: { id: "pass", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
  cancelled: { id: "circle-slash", color: "testing.iconSkipped" },
};

const COUNT_WORDS: Record<TaskDisplayState, string> = {
  queued: "queued",
  running: "running",
  success: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
};

/** e.g. `2 running, 3 succeeded, 1 failed` (states with no task left out). */
export function formatCounts(counts: Readonly<TaskCounts>): string {
  const parts = TASK_DISPLAY_STATES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${COUNT_WORDS[s]}`);
  return parts.length > 0 ? parts.join(", ") : "no tasks";
}

/** The groups (newest first) with a task in the filter's states; all of them without a filter. */
export function groupsShown(model: TaskGroupModel, filter?: ReadonlySet<TaskDisplayState>): readonly TaskGroupRecord[] {
  return filter === undefined ? model.groups : model.groups.filter((g) => [...filter].some((s) => model.countsOf(g.key)[s] > 0));
}

/**
 * Children of a node: the groups (newest first) at the root, or with a grouping the headings (ordered by their
 * newest group) and their groups under them; one page of tasks under a group. With a state filter, only tasks in
 * those states (and groups and headings that have some) are listed.
 */
export function childrenOf(
  model: TaskGroupModel,
  node: TaskTreeNode | undefined,
  shownCount: (groupKey: string) => number,
  filter?: ReadonlySet<TaskDisplayState>,
  groupBy: TaskGrouping = "none",
): TaskTreeNode[] {
  if (node === undefined) {
    if (groupBy !== "none") return bucketsOf(groupsShown(model, filter), groupBy).map(({ bucket }) => ({ kind: "bucket", by: bucket.by, key: bucket.key }));
    return groupsShown(model, filter).map((g) => ({ kind: "group", groupKey: g.key }));
  }
  if (node.kind === "bucket") {
    const bucket = bucketsOf(groupsShown(model, filter), node.by).find((b) => b.bucket.key === node.key);
    return (bucket?.groups ?? []).map((g) => ({ kind: "group", groupKey: g.key }));
  }
  if (node.kind !== "group") return [];
  const group = model.get(node.groupKey);
  if (group === undefined) return [];
  const limit = shownCount(node.groupKey);
  const rows: TaskTreeNode[] = [];
  let matching = 0;
  for (let index = 0; index < group.tasks.length; index++) {
    if (filter !== undefined && !filter.has(displayStateOf(group.tasks[index].state))) continue;
    if (matching++ < limit) rows.push({ kind: "task", groupKey: node.groupKey, index });
    else if (filter === undefined) {
      matching = group.tasks.length; // unfiltered: the rest is known without looking
      break;
    }
  }
  if (rows.length < matching) rows.push({ kind: "more", groupKey: node.groupKey, shown: rows.length, ...(filter ? { total: matching } : {}) });
  return rows;
}

export function groupItem(group: TaskGroupRecord, counts: Readonly<TaskCounts>, expanded: boolean): TreeItemData {
  const busy = counts.queued + counts.running > 0;
  const tooltip = [
    `**${codeSpan(group.functionName)}** on ${codeSpan(group.endpoint.name)}`,
    "",
    `- Task group: ${group.taskGroupId ? codeSpan(group.taskGroupId) : "not yet assigned"}`,
    `- Endpoint: ${codeSpan(group.endpoint.id)}`,
    ...(group.configuration !== undefined ? [`- Configuration: ${codeSpan(group.configuration)}`] : []),
    `- Created: ${new Date(group.createdAt).toISOString()}`,
    `- Tasks: ${group.tasks.length} (${formatCounts(counts)})`,
    ...(group.note ? ["", `$(warning) This group is ${group.note}: its rows show what the history recorded. Forget it to remove it.`] : []),
  ].join("\n");
  return {
    id: group.key,
    label: group.functionName,
    description: `${group.note ? "⚠ " : ""}${group.endpoint.name}${group.configuration !== undefined ? ` (${group.configuration})` : ""} · ${formatClock(group.createdAt)} · ${formatCounts(counts)}`,
    tooltip,
    icon: busy ? { id: "sync~spin" } : { id: "layers" },
    contextValue: group.taskGroupId ? "taskGroup.withId" : "taskGroup",
    collapsible: expanded ? "expanded" : "collapsed",
  };
}

export function taskItem(group: TaskGroupRecord, index: number, task: Readonly<TaskRecord>): TreeItemData {
  const state = displayStateOf(task.state);
  return {
    id: `${group.key}/${index}`,
    label: task.call,
    description: taskDescription(task, state),
    tooltip: taskTooltip(group, task),
    icon: STATE_ICONS[state],
    contextValue: `task.${state}${task.taskId ? ".withId" : ""}`,
    collapsible: "none",
  };
}

/** `total`: the rows there are to show (the tasks in the filter's states); default all the group's tasks. */
export function moreItem(group: TaskGroupRecord, shown: number, pageSize: number, total?: number): TreeItemData {
  const hidden = (total ?? group.tasks.length) - shown;
  const node: TaskTreeNode = { kind: "more", groupKey: group.key, shown, ...(total === undefined ? {} : { total }) };
  return {
    id: `${group.key}/more`,
    label: `Show ${Math.min(pageSize, hidden).toLocaleString("en-US")} more…`,
    description: `${hidden.toLocaleString("en-US")} not shown`,
    icon: { id: "ellipsis" },
    contextValue: "more",
    collapsible: "none",
    command: { command: "globusCompute.showMoreTasks", title: "Show More Tasks", arguments: [node] },
  };
}

function taskDescription(task: Readonly<TaskRecord>, state: TaskDisplayState): string {
  const duration = task.finishedAt !== undefined ? ` · ${formatDuration(task.finishedAt - task.submittedAt)}` : "";
  switch (state) {
    case "success":
      // A map chunk whose task ran but some of whose items failed says so first.
      return `${task.error !== undefined ? `⚠ ${oneLine(task.error, 40)} · ` : ""}${oneLine(task.resultPreview ?? "", 60)}${duration}`;
    case "failed":
      return `${oneLine(task.error ?? "failed", 60)}${duration}`;
    case "cancelled":
      return "cancelled";
    default:
      return task.state;
  }
}

function taskTooltip(group: TaskGroupRecord, task: Readonly<TaskRecord>): string {
  const lines = [
    `**${codeSpan(task.call)}** — ${task.state}`,
    "",
    `- Task: ${task.taskId ? codeSpan(task.taskId) : "not yet submitted"}`,
    `- Task group: ${group.taskGroupId ? codeSpan(group.taskGroupId) : "not yet assigned"}`,
    `- Endpoint: ${codeSpan(group.endpoint.name)} (${codeSpan(group.endpoint.id)})`,
    ...(group.configuration !== undefined ? [`- Configuration: ${codeSpan(group.configuration)}`] : []),
    `- Submitted: ${new Date(task.submittedAt).toISOString()}`,
  ];
  if (task.finishedAt !== undefined) {
    lines.push(`- Finished: ${new Date(task.finishedAt).toISOString()} (${formatDuration(task.finishedAt - task.submittedAt)})`);
  }
  if (task.resultPreview !== undefined) lines.push("", `Result: ${codeSpan(oneLine(task.resultPreview, 200))}`);
  if (task.error !== undefined) lines.push("", `Error: ${codeSpan(oneLine(task.error, 200))}`);
  if (task.transitions && task.transitions.length > 0) lines.push("", ...timeline(task.transitions));
  return lines.join("\n");
}

/** The endpoint's transitions as a table, times relative to the first one. */
function timeline(transitions: readonly TaskTransition[]): string[] {
  const t0 = transitions[0].timestamp;
  return [
    "| state | actor | after |",
    "| --- | --- | --- |",
    ...transitions.map((t) => `| ${t.state} | ${t.actor} | ${formatDuration(Number(t.timestamp - t0) / 1e6)} |`),
  ];
}

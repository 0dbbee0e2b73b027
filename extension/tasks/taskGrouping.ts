/**
 * How the Tasks view sorts task groups under headings: by function, by endpoint or by the day they were
 * created ("none": one row per task group at the root). Pure functions over TaskGroupModel.
 */
import { emptyCounts, TASK_DISPLAY_STATES, type TaskCounts, type TaskGroupModel, type TaskGroupRecord } from "./taskGroupModel";
import { codeSpan } from "../util/format";
import type { TreeItemData } from "../vscode/treeItemData";

export type TaskGrouping = "none" | "function" | "endpoint" | "day";
export const TASK_GROUPINGS: readonly TaskGrouping[] = ["none", "function", "endpoint", "day"];

export function isTaskGrouping(value: unknown): value is TaskGrouping {
  return typeof value === "string" && (TASK_GROUPINGS as readonly string[]).includes(value);
}

/** A heading above task groups; `key` is unique within one grouping. */
export interface TaskBucket {
  by: Exclude<TaskGrouping, "none">;
  key: string;
  label: string;
}

/** The heading a group sits under. Days are the local calendar day of the group's creation. */
export function bucketOf(group: TaskGroupRecord, by: Exclude<TaskGrouping, "none">, now = Date.now()): TaskBucket {
  switch (by) {
    case "function":
      return { by, key: group.functionName, label: group.functionName };
    case "endpoint":
      return { by, key: group.endpoint.id, label: group.endpoint.name };
    case "day":
      return { by, key: dayKey(group.createdAt), label: dayLabel(group.createdAt, now) };
  }
}

/** The headings in the order of their newest group (the model lists groups newest first). */
export function bucketsOf(groups: readonly TaskGroupRecord[], by: Exclude<TaskGrouping, "none">, now = Date.now()): { bucket: TaskBucket; groups: TaskGroupRecord[] }[] {
  const byKey = new Map<string, { bucket: TaskBucket; groups: TaskGroupRecord[] }>();
  for (const g of groups) {
    const bucket = bucketOf(g, by, now);
    const entry = byKey.get(bucket.key);
    if (entry === undefined) byKey.set(bucket.key, { bucket, groups: [g] });
    else entry.groups.push(g);
  }
  return [...byKey.values()];
}

const NOUNS: Record<TaskBucket["by"], string> = { function: "Function", endpoint: "Endpoint", day: "Day" };
const ICONS: Record<TaskBucket["by"], string> = { function: "symbol-method", endpoint: "server", day: "calendar" };

/** A heading's row: how many task groups and tasks it holds, summed over its groups. */
export function bucketItem(
  bucket: TaskBucket,
  groups: readonly TaskGroupRecord[],
  model: TaskGroupModel,
  formatCounts: (counts: Readonly<TaskCounts>) => string,
  expanded: boolean,
): TreeItemData {
  const counts = emptyCounts();
  for (const g of groups) {
    const c = model.countsOf(g.key);
    for (const s of TASK_DISPLAY_STATES) counts[s] += c[s];
  }
  const groupCount = `${groups.length} task group${groups.length === 1 ? "" : "s"}`;
  const detail = bucket.by === "endpoint" ? `\n\n- Endpoint: ${codeSpan(bucket.key)}` : "";
  return {
    id: `bucket/${bucket.by}/${bucket.key}`,
    label: bucket.label,
    description: `${groupCount} · ${formatCounts(counts)}`,
    tooltip: `${NOUNS[bucket.by]} **${codeSpan(bucket.label)}**: ${groupCount}, ${formatCounts(counts)}${detail}`,
    icon: { id: counts.queued + counts.running > 0 ? "sync~spin" : ICONS[bucket.by] },
    contextValue: `taskBucket.${bucket.by}`,
    collapsible: expanded ? "expanded" : "collapsed",
  };
}

/** `2026-12-06` in local time. */
function dayKey(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function dayLabel(epochMs: number, now: number): string {
  const day = dayKey(epochMs);
  if (day === dayKey(now)) return `Today (${day})`;
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === dayKey(yesterday.getTime())) return `Yesterday (${day})`;
  return `${new Date(epochMs).toLocaleDateString("en-US", { weekday: "short" })} ${day}`;
}

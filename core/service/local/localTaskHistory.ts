/**
 * What the local endpoint keeps of the tasks it ran, for a client that was away (every window closed)
 * and comes back: which tasks finished since then, and each one's result and captured prints. The
 * daemon keeps them in its result store (per workspace folder, the newest task groups within `maxGroups` and `maxTasks`);
 * LocalComputeService answers in process, LocalEndpointClient over the daemon's socket.
 */
import type { ResultEvent } from "../computeService";

export interface LocalTaskSummary {
  taskId: string;
  taskGroupId: string;
  /** The registered function's name ("" when its registration was pruned). */
  functionName: string;
  /** TaskState: `success`, `failed`, `running`, `waiting-for-launch`… */
  status: string;
  /** ISO 8601 (UTC, no zone), as the service's `created_at`. */
  createdAt: string;
  /** Unix milliseconds, once finished. */
  completedAt?: number;
}

export interface LocalTaskGroupSummary {
  taskGroupId: string;
  createdAt: string;
  taskCount: number;
  finishedCount: number;
  /** Unix milliseconds of its latest finished task. */
  lastCompletedAt?: number;
}

export interface LocalTaskQuery {
  /** Only tasks that finished at or after this Unix millisecond; omitted: every task, finished or not. */
  finishedSince?: number;
  taskGroupId?: string;
  /** At most this many, the most recently finished kept; default 10,000. */
  limit?: number;
}

export interface LocalTaskHistory {
  /** Tasks matching the query, in completion order (unfinished ones last, in submission order). */
  listTasks(query?: LocalTaskQuery): Promise<LocalTaskSummary[]>;
  /** The task groups kept, newest first. */
  listTaskGroups(): Promise<LocalTaskGroupSummary[]>;
  /** Result, completion time and prints of each finished task among `taskIds` (unknown or unfinished: absent). */
  getTaskResults(taskIds: readonly string[]): Promise<Map<string, ResultEvent>>;
}

export const DEFAULT_HISTORY_LIMIT = 10_000;

/** `completion_t` (Unix seconds as a decimal string) in milliseconds. */
export function completionMs(completionT: string | null | undefined): number | undefined {
  if (!completionT) return undefined;
  const ms = Math.round(Number(completionT) * 1000);
  return Number.isFinite(ms) ? ms : undefined;
}

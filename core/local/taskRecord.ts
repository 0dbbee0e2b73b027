/** A task's record as the local endpoint keeps it (ResultStore, TaskTable, PackedTask). */
import type { ResultData, TaskTransition } from "../protocol/messages";

export interface StoredTask {
  taskId: string;
  taskGroupId: string;
  functionId: string;
  endpointId: string;
  /** `created_at` as the service writes it: ISO 8601 without zone, microseconds. */
  createdAt: string;
  /** Current TaskState string. */
  status: string;
  transitions: TaskTransition[];
  result: ResultData | null;
  stdout: string;
  stderr: string;
  /** Unix seconds as a decimal string, once finished. */
  completionT: string | null;
}

/** A finished task's record: one with its result. */
export type FinishedRecord = StoredTask & { result: ResultData };

export function isFinishedRecord(task: StoredTask): task is FinishedRecord {
  return task.result !== null;
}

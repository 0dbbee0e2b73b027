/**
 * The messages of the globus-compute-common "messagepack" envelope (protocol.md §6), with their wire
 * field names. Packing and unpacking live in `envelope.ts`.
 */
import type { PyDict } from "./pyValue";

/** One state change of a task; `timestamp` is nanoseconds since the epoch (exceeds 2^53, hence bigint). */
export interface TaskTransition {
  timestamp: bigint;
  state: string;
  actor: string;
}

export interface ErrorDetails {
  code: string;
  user_message: string;
}

export interface ResultData {
  task_id: string;
  /** The serialized result (`11\n…`, `00\n…`) or, when `error_details` is set, the error text. */
  data: string;
  /** Endpoint environment (`os`, `python_version`, …); a PyDict keeps int vs float for exact re-packing. */
  details: PyDict | null;
  error_details: ErrorDetails | null;
  task_statuses: TaskTransition[] | null;
}

export interface TaskData {
  task_id: string;
  container_id: string | null;
  container: PyDict | null;
  task_buffer: string;
}

export interface TaskCancelData {
  task_id: string;
}

export interface EPStatusReportData {
  endpoint_id: string;
  global_state: PyDict;
  task_statuses: Record<string, TaskTransition[]>;
}

export type Message =
  | { message_type: "result"; data: ResultData }
  | { message_type: "task"; data: TaskData }
  | { message_type: "task_transition"; data: TaskTransition }
  | { message_type: "task_cancel"; data: TaskCancelData }
  | { message_type: "ep_status_report"; data: EPStatusReportData }
  | { message_type: "manager_status_report"; data: { task_statuses: Record<string, TaskTransition[]> } };

export type MessageType = Message["message_type"];

export type ResultMessage = Extract<Message, { message_type: "result" }>;

/** `Result.is_error` upstream. */
export function isErrorResult(r: ResultData): boolean {
  return r.error_details !== null;
}

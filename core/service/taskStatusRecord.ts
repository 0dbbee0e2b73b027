/**
 * What a finished task's REST record (`/v2/tasks`, `/v2/batch_status`, protocol.md §3.6) says that a
 * result message says in its own fields: the endpoint's error code and the task's transitions. The
 * polling and reload paths read them here, so a task settles the same whichever way its result came.
 */
import type { TaskTransition } from "../protocol/messages";
import type { TaskStatusRecord } from "./computeService";

/**
 * Errors the endpoint raises itself are sent as their `repr()` (`MaxResultSizeExceeded(11534336,
 * 10485760)`), with the class name as `error_details.code`; the REST record keeps only that text.
 */
const INTERNAL_ERROR = /^(MaxResultSizeExceeded|CouldNotExecuteUserTaskError)\(/;

/** The `error_details.code` the result message of this failed task carried, as well as the record tells. */
export function failureCode(record: TaskStatusRecord): string {
  const explicit = record.details?.["error_code"];
  if (typeof explicit === "string") return explicit;
  const text = record.exception ?? "";
  const internal = INTERNAL_ERROR.exec(text);
  if (internal) return internal[1];
  // User code that raised leaves a traceback; other text (a reason only, the endpoint manager's words) is not that.
  return /^Traceback \(most recent call last\):/m.test(text) ? "RemoteExecutionError" : "UNKNOWN_TASK_FAILURE";
}

/** `details.task_transitions` (state → Unix seconds) as a result message's `task_statuses`, oldest first. */
export function recordTransitions(record: TaskStatusRecord): TaskTransition[] | undefined {
  const map = record.details?.["task_transitions"];
  if (typeof map !== "object" || map === null || Array.isArray(map)) return undefined;
  const transitions: TaskTransition[] = [];
  for (const [state, seconds] of Object.entries(map)) {
    if (typeof seconds !== "number" || !Number.isFinite(seconds)) continue;
    // The record names no actor.
    transitions.push({ timestamp: BigInt(Math.round(seconds * 1e6)) * 1000n, state, actor: "" });
  }
  return transitions.length > 0 ? transitions.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0)) : undefined;
}

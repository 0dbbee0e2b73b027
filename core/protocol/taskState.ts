/**
 * Task states as they travel (protocol.md §4, `globus_compute_common.tasks.TaskState`). The service
 * types `status` loosely and historically sent `"Failed"`, so only `success`/`failed` (any case) are
 * terminal and every other string, known or not, means "still pending".
 */

export const TASK_STATES = [
  "received",
  "waiting-for-ep",
  "waiting-for-nodes",
  "waiting-for-launch",
  "execution-start",
  "execution-end",
  "running",
  "success",
  "failed",
  "result-received",
  "result-enqueued",
  "action-provider-received",
  "action-provider-task-submitted",
  "action-provider-task-group-in-progress",
  "action-provider-task-group-completed",
  "action-provider-task-group-error",
] as const;

export type TaskState = (typeof TASK_STATES)[number];

export type TerminalTaskState = "success" | "failed";

export const ACTOR_NAMES = [
  "worker",
  "manager",
  "interchange",
  "endpoint",
  "result-processor",
  "web-service",
  "action-provider",
] as const;

export type ActorName = (typeof ACTOR_NAMES)[number];

const KNOWN = new Set<string>(TASK_STATES);

export function isKnownTaskState(s: string): s is TaskState {
  return KNOWN.has(s);
}

/** The SDK's test (`status.lower() in ("success", "failed")`). */
export function isTerminal(state: string): boolean {
  const s = state.toLowerCase();
  return s === "success" || s === "failed";
}

/** `success`/`failed` for terminal statuses (normalising case), `pending` for anything else. */
export function taskOutcome(state: string): TerminalTaskState | "pending" {
  return isTerminal(state) ? (state.toLowerCase() as TerminalTaskState) : "pending";
}

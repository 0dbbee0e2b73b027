/** Task status, batch status and task groups (protocol.md §3.6–3.8). */
import { toDisplayJson } from "../../../core/protocol";
import { ApiError, parseUuid, ValidationError } from "../apiError";
import type { EmulatorContext } from "../context";
import type { Route } from "../router";
import type { TaskRecord } from "../state";

export function taskRoutes(ctx: EmulatorContext): Route[] {
  const { state } = ctx;
  return [
    {
      method: "GET",
      pattern: "/v2/tasks/:task_id",
      auth: "compute",
      handler: (req) => {
        const id = parseUuid(req.params.task_id, "task_id");
        const task = state.task(id, req.me);
        if (!task) throw new ApiError(404, "TASK_NOT_FOUND", `Task ${id} could not be resolved`, [id]);
        return { status: 200, body: taskStatus(task) };
      },
    },
    {
      method: "POST",
      pattern: "/v2/batch_status",
      auth: "compute",
      handler: async (req) => {
        const ids = (await req.json()).task_ids;
        if (!Array.isArray(ids)) {
          throw new ValidationError([{ loc: ["body", "task_ids"], msg: "Input should be a valid list", type: "list_type" }]);
        }
        const results: Record<string, unknown> = {};
        for (const raw of ids) {
          const task = state.task(parseUuid(raw, "task_ids"), req.me);
          // Unknown ids are left out; the SDK skips them (protocol.md §3.7).
          if (task) results[task.id] = taskStatus(task);
        }
        return { status: 200, body: { response: "batch", results } };
      },
    },
    {
      method: "GET",
      pattern: "/v2/taskgroup/:task_group_id",
      auth: "compute",
      handler: (req) => {
        const group = state.taskGroup(parseUuid(req.params.task_group_id, "task_group_id"), req.me);
        const tasks = group.taskIds.map((id) => ({ id, created_at: isoMicros((state.tasks.get(id) as TaskRecord).createdAt) }));
        return { status: 200, body: { taskgroup_id: group.id, create_websockets_queue: group.createQueue, tasks } };
      },
    },
  ];
}

/** The §3.6 body: pending tasks carry only id and status; finished ones their result or exception. */
export function taskStatus(task: TaskRecord): Record<string, unknown> {
  const body: Record<string, unknown> = { task_id: task.id, status: task.state };
  const outcome = task.outcome;
  if (!outcome) return body;
  const transitions = { ...task.transitions };
  for (const t of outcome.result.task_statuses ?? []) transitions[t.state] = Number(t.timestamp) / 1e9;
  const details = outcome.result.details ? (toDisplayJson(outcome.result.details) as Record<string, unknown>) : {};
  if (outcome.result.error_details) body.exception = outcome.result.data;
  else body.result = outcome.result.data;
  body.completion_t = outcome.completionT;
  body.details = { ...details, task_transitions: transitions };
  return body;
}

/** `2021-05-05T15:00:00.000000`, the service's created_at format. */
function isoMicros(d: Date): string {
  return d.toISOString().replace(/Z$/, "000");
}

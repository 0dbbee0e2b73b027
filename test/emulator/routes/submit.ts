/** `POST /v3/endpoints/{endpoint_id}/submit`: batch submission (protocol.md §3.5). */
import { randomUUID } from "node:crypto";
import { ApiError, parseUuid } from "../apiError";
import { endpointFor, type EmulatorContext } from "../context";
import { userEndpointStartFailure } from "../mepConfig";
import type { Route } from "../router";
import type { FunctionRecord, TaskRecord } from "../state";
import { BodyReader } from "../validate";

/** docs/limits.rst: 10 MB per submission. */
export const SUBMIT_LIMIT_BYTES = 10 * 1024 * 1024;

type Json = Record<string, unknown>;

export function submitRoutes(ctx: EmulatorContext): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v3/endpoints/:endpoint_id/submit",
      auth: "compute",
      bodyLimit: { bytes: SUBMIT_LIMIT_BYTES, code: "TASK_PAYLOAD_TOO_LARGE" },
      handler: async (req) => {
        const user = req.me;
        const endpointId = parseUuid(req.params.endpoint_id, "endpoint_id");
        const b = new BodyReader(await req.json());
        const createQueue = b.bool("create_queue") ?? false;
        const tasks = readTasks(b, b.object("tasks", true));
        const groupId = b.uuid("task_group_id");
        const resourceSpecification = b.object("resource_specification");
        checkResourceSpecification(b, resourceSpecification);
        const userEndpointConfig = b.object("user_endpoint_config");
        b.object("user_runtime");
        const resultSerializers = b.strings("result_serializers");
        b.done();

        const ep = endpointFor(ctx, endpointId, user);
        if (ep.lockedUntil > Date.now()) {
          throw new ApiError(423, "RESOURCE_LOCKED", `Endpoint ${endpointId} is locked`, [endpointId]);
        }
        const functions = new Map<string, FunctionRecord>();
        for (const fid of tasks.keys()) {
          const fn = ctx.state.function(fid, user);
          const allowed = ep.config.allowedFunctions;
          if ((allowed && !allowed.includes(fid)) || (fn.haEndpointId && fn.haEndpointId !== endpointId)) {
            throw new ApiError(403, "FUNCTION_NOT_PERMITTED", `Function ${fid} is not permitted on endpoint ${endpointId}`, [fid, endpointId]);
          }
          functions.set(fid, fn);
        }
        const group = groupId ? ctx.state.taskGroup(groupId, user) : ctx.state.newTaskGroup(user);
        if (createQueue) {
          try {
            await ctx.delivery.openQueue(group);
          } catch (err) {
            throw new ApiError(500, "INTERNAL_ERROR", `Could not create the result queue: ${(err as Error).message}`);
          }
        }

        const created: TaskRecord[] = [];
        const ids: Record<string, string[]> = {};
        const now = new Date();
        for (const [fid, payloads] of tasks) {
          ids[fid] = payloads.map((payload) => {
            const task: TaskRecord = {
              id: randomUUID(),
              groupId: group.id,
              functionId: fid,
              endpointId,
              ownerId: user.id,
              // The service concatenates: the endpoint sees three packed buffers (protocol.md §5.3).
              taskBuffer: (functions.get(fid) as FunctionRecord).code + payload,
              resultSerializers: resultSerializers && resultSerializers.length > 0 ? resultSerializers : null,
              createdAt: now,
              state: "received",
              transitions: { received: now.getTime() / 1000 },
            };
            ctx.state.tasks.set(task.id, task);
            created.push(task);
            return task.id;
          });
        }
        group.taskIds.push(...created.map((t) => t.id));
        ep.received.push({ taskIds: created.map((t) => t.id), userEndpointConfig, resourceSpecification });
        // A multi-user endpoint's manager checks the config before it starts a user endpoint for it.
        const failure = ep.config.multiUser
          ? userEndpointStartFailure(userEndpointConfig ?? {}, ep.config.userConfigSchema, user.username.split("@")[0])
          : undefined;
        if (failure !== undefined) ep.fail(created, failure);
        else ep.enqueue(created);
        return { status: 200, body: { request_id: randomUUID(), task_group_id: group.id, endpoint_id: endpointId, tasks: ids } };
      },
    },
  ];
}

/** function id (lower-case) → payloads, in request order. */
function readTasks(b: BodyReader, tasks: Json | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!tasks) return out;
  if (Object.keys(tasks).length === 0) b.issue(["tasks"], "Dictionary should have at least 1 item", "too_short");
  for (const [key, list] of Object.entries(tasks)) {
    const fid = parseUuid(key, "function id in tasks");
    if (!Array.isArray(list)) {
      b.issue(["tasks", key], "Input should be a valid list", "list_type");
      continue;
    }
    list.forEach((p, i) => {
      if (typeof p !== "string") b.issue(["tasks", key, i], "Input should be a valid string", "string_type");
    });
    out.set(fid, [...(out.get(fid) ?? []), ...(list as string[])]);
  }
  return out;
}

/** The OpenAPI schema: `{num_nodes: int, ranks_per_node?: int, num_ranks?: int, launcher_options?: str}`. */
function checkResourceSpecification(b: BodyReader, spec: Json | null): void {
  if (!spec) return;
  const ints = ["num_nodes", "ranks_per_node", "num_ranks"];
  if (spec.num_nodes === undefined) b.issue(["resource_specification", "num_nodes"], "Field required", "missing");
  for (const [key, v] of Object.entries(spec)) {
    const loc = ["resource_specification", key];
    if (ints.includes(key)) {
      if (!Number.isInteger(v)) b.issue(loc, "Input should be a valid integer", "int_type");
    } else if (key === "launcher_options") {
      if (typeof v !== "string") b.issue(loc, "Input should be a valid string", "string_type");
    } else b.issue(loc, "Extra inputs are not permitted", "extra_forbidden");
  }
}

/** Function registration and lookup (protocol.md §3.3, §3.4). */
import { randomUUID } from "node:crypto";
import { ApiError, parseUuid } from "../apiError";
import type { EmulatorContext } from "../context";
import type { Route } from "../router";
import { BodyReader } from "../validate";

const TEN_MB = 10 * 1024 * 1024;

export function functionRoutes(ctx: EmulatorContext): Route[] {
  const { state } = ctx;
  return [
    {
      method: "POST",
      pattern: "/v3/functions",
      auth: "compute",
      bodyLimit: { bytes: TEN_MB, code: "FUNCTION_TOO_LARGE" },
      handler: async (req) => {
        const b = new BodyReader(await req.json());
        const name = b.str("function_name", true);
        const code = b.str("function_code", true);
        const meta = b.object("meta", true);
        const description = b.str("description");
        const isPublic = b.bool("public") ?? false;
        const group = b.uuid("group");
        const haEndpointId = b.uuid("ha_endpoint_id");
        for (const key of ["python_version", "sdk_version", "serde_identifier"]) {
          if (meta && typeof meta[key] !== "string") b.issue(["meta", key], "Field required (a string)", "missing");
        }
        b.done();
        if (haEndpointId) {
          if (isPublic || group) {
            throw new ApiError(400, "REQUEST_MALFORMED", "A high-assurance function cannot be public or shared with a group");
          }
          const ep = ctx.endpoints.get(haEndpointId);
          if (!ep?.config.highAssurance) {
            throw new ApiError(404, "ENDPOINT_NOT_FOUND", `High-assurance endpoint ${haEndpointId} could not be resolved`, [haEndpointId]);
          }
        }
        const id = randomUUID();
        state.functions.set(id, {
          id,
          ownerId: req.me.id,
          name,
          code,
          description,
          meta: meta as { python_version: string; sdk_version: string; serde_identifier: string },
          public: isPublic,
          group,
          haEndpointId,
        });
        return { status: 200, body: { function_uuid: id } };
      },
    },
    {
      method: "GET",
      pattern: "/v2/functions/:function_id",
      auth: "compute",
      handler: (req) => {
        const fn = state.function(parseUuid(req.params.function_id, "function_id"), req.me);
        return {
          status: 200,
          body: {
            function_uuid: fn.id,
            function_name: fn.name,
            function_code: fn.code,
            description: fn.description,
            metadata: { python_version: fn.meta.python_version, sdk_version: fn.meta.sdk_version },
          },
        };
      },
    },
    {
      method: "DELETE",
      pattern: "/v2/functions/:function_id",
      auth: "compute",
      handler: (req) => {
        const fn = state.function(parseUuid(req.params.function_id, "function_id"), req.me);
        if (fn.ownerId !== req.me.id) {
          throw new ApiError(403, "FUNCTION_ACCESS_FORBIDDEN", `Only the owner may delete function ${fn.id}`, [fn.id]);
        }
        state.functions.delete(fn.id);
        return { status: 200, body: { result: 302 } };
      },
    },
  ];
}

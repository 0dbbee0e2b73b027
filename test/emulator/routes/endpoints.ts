/** Endpoint status, metadata, deletion, list, allowlist and lock (protocol.md §3.10). */
import { ValidationError, parseUuid } from "../apiError";
import { endpointFor, type EmulatorContext } from "../context";
import type { EmulatedEndpoint } from "../emulatedEndpoint";
import type { Route } from "../router";

/** How long `POST /v3/endpoints/{id}/lock` keeps an endpoint from taking new tasks. */
const LOCK_SECONDS = 300;

export function endpointRoutes(ctx: EmulatorContext): Route[] {
  const ep = (id: string | undefined) => parseUuid(id, "endpoint_id");
  return [
    {
      method: "GET",
      pattern: "/v2/endpoints/:endpoint_id/status",
      auth: "compute",
      handler: (req) => ({ status: 200, body: endpointFor(ctx, ep(req.params.endpoint_id), req.me).status() }),
    },
    {
      method: "GET",
      pattern: "/v2/endpoints/:endpoint_id",
      auth: "compute",
      handler: (req) => ({ status: 200, body: metadata(endpointFor(ctx, ep(req.params.endpoint_id), req.me)) }),
    },
    {
      method: "DELETE",
      pattern: "/v2/endpoints/:endpoint_id",
      auth: "compute",
      handler: async (req) => {
        const e = endpointFor(ctx, ep(req.params.endpoint_id), req.me, true);
        ctx.endpoints.delete(e.config.id);
        await e.dispose();
        return { status: 200, body: { result: 302 } };
      },
    },
    {
      method: "GET",
      pattern: "/v2/endpoints",
      auth: "compute",
      handler: (req) => {
        const role = req.query.get("role") ?? "owner";
        if (role !== "owner" && role !== "any") {
          throw new ValidationError([{ loc: ["query", "role"], msg: "Input should be 'owner' or 'any'", type: "enum" }]);
        }
        const visible = [...ctx.endpoints.values()].filter(
          (e) => e.config.ownerId === req.me.id || (role === "any" && e.config.public),
        );
        const body = visible.map((e) => ({ uuid: e.config.id, name: e.config.name, display_name: e.config.displayName, owner: e.config.ownerId }));
        return { status: 200, body };
      },
    },
    {
      method: "GET",
      pattern: "/v3/endpoints/:endpoint_id/allowed_functions",
      auth: "compute",
      handler: (req) => {
        const e = endpointFor(ctx, ep(req.params.endpoint_id), req.me);
        const allowed = e.config.allowedFunctions;
        return { status: 200, body: { endpoint_id: e.config.id, restricted: allowed !== null, functions: allowed ?? [] } };
      },
    },
    {
      method: "POST",
      pattern: "/v3/endpoints/:endpoint_id/lock",
      auth: "compute",
      handler: (req) => {
        const e = endpointFor(ctx, ep(req.params.endpoint_id), req.me, true);
        e.lockedUntil = Date.now() + LOCK_SECONDS * 1000;
        return { status: 200, body: { endpoint_id: e.config.id, lock_expiration_timestamp: e.lockedUntil / 1000 } };
      },
    },
  ];
}

function metadata(e: EmulatedEndpoint): Record<string, unknown> {
  const c = e.config;
  return {
    uuid: c.id,
    name: c.name,
    display_name: c.displayName,
    multi_user: c.multiUser,
    high_assurance: c.highAssurance,
    public: c.public,
    endpoint_config: c.multiUser
      ? "multi_user: true\nidentity_mapping_config_path: /etc/globus-compute/idmap.json\n"
      : `engine:\n  type: GlobusComputeEngine\n  max_workers_per_node: ${c.workers}\n`,
    user_config_template: c.userConfigTemplate,
    user_config_schema: c.userConfigSchema,
    description: c.description,
    hostname: "localhost",
    local_user: "emulator",
    ip_address: "127.0.0.1",
    endpoint_version: "4.15.0",
    sdk_version: "4.15.0",
    python_version: "3.11.2",
    subscription_uuid: null,
    subscription_admin_verified: false,
  };
}

/**
 * The control API under `/_emulator/`, protected by the control secret (header `X-Emulator-Secret`).
 * Each route is a thin JSON wrapper over `EmulatorControl`.
 */
import type { EmulatorControl } from "../control";
import type { Request } from "../http";
import type { Route } from "../router";
import { BodyReader } from "../validate";

export function controlRoutes(control: EmulatorControl): Route[] {
  const ok = { status: 200, body: { ok: true } };
  const route = (method: string, pattern: string, handler: Route["handler"]): Route => ({ method, pattern, auth: "control", handler });
  const read = async (req: Request, fn: (b: BodyReader) => void) => {
    const b = new BodyReader(await req.json());
    fn(b);
    b.done();
  };
  return [
    route("POST", "/_emulator/faults/fail", async (req) => {
      const body = await req.json();
      control.failNext({
        count: Number(body.count ?? 1),
        status: Number(body.status),
        code: typeof body.code === "string" ? body.code : undefined,
        route: typeof body.route === "string" ? body.route : undefined,
        method: typeof body.method === "string" ? body.method : undefined,
        retryAfterS: body.retry_after === undefined ? undefined : Number(body.retry_after),
      });
      return ok;
    }),
    route("POST", "/_emulator/faults/latency", async (req) => {
      const body = await req.json();
      control.setLatency({
        ms: Number(body.ms),
        route: typeof body.route === "string" ? body.route : undefined,
        method: typeof body.method === "string" ? body.method : undefined,
      });
      return ok;
    }),
    route("DELETE", "/_emulator/faults", () => {
      control.clearFaults();
      return ok;
    }),
    route("POST", "/_emulator/amqp/close_connections", async (req) => {
      const reason = (await req.body()).length ? (await req.json()).reason : undefined;
      await control.closeAmqpConnections(typeof reason === "string" ? reason : undefined);
      return ok;
    }),
    route("POST", "/_emulator/amqp/restart", async () => {
      await control.restartBroker();
      return ok;
    }),
    route("POST", "/_emulator/amqp/publish", async (req) => {
      let kind = "";
      let id = "";
      await read(req, (b) => {
        kind = b.str("kind", true);
        id = (kind === "duplicate" ? b.str("task_id", true) : b.str("task_group_id", true)) ?? "";
        if (kind !== "malformed" && kind !== "duplicate") b.issue(["kind"], "Input should be 'malformed' or 'duplicate'", "enum");
      });
      if (kind === "malformed") await control.publishMalformed(id);
      else await control.publishDuplicate(id);
      return ok;
    }),
    route("POST", "/_emulator/endpoints/:endpoint_id/online", async (req) => {
      await control.setEndpointOnline(req.params.endpoint_id, true);
      return ok;
    }),
    route("POST", "/_emulator/endpoints/:endpoint_id/offline", async (req) => {
      await control.setEndpointOnline(req.params.endpoint_id, false);
      return ok;
    }),
    route("POST", "/_emulator/endpoints/:endpoint_id/high_assurance", async (req) => {
      let enabled = false;
      await read(req, (b) => (enabled = b.bool("enabled") ?? true));
      control.setHighAssurance(req.params.endpoint_id, enabled);
      return ok;
    }),
    route("GET", "/_emulator/endpoints/:endpoint_id/submissions", (req) => ({
      status: 200,
      body: control.submissions(req.params.endpoint_id).map((r) => ({
        task_ids: r.taskIds,
        user_endpoint_config: r.userEndpointConfig,
        resource_specification: r.resourceSpecification,
      })),
    })),
    route("PUT", "/_emulator/rate_limit", async (req) => {
      const body = await req.json();
      control.setRateLimit(body.requests === null ? null : { requests: Number(body.requests), windowMs: Number(body.window_s) * 1000 });
      return ok;
    }),
    route("PUT", "/_emulator/token_lifetime", async (req) => {
      control.setTokenLifetime(Number((await req.json()).seconds));
      return ok;
    }),
    route("POST", "/_emulator/tokens/expire", async (req) => {
      let token = "";
      await read(req, (b) => (token = b.str("token", true)));
      return { status: 200, body: { expired: control.expireToken(token) } };
    }),
    route("POST", "/_emulator/users", async (req) => {
      let username = "";
      await read(req, (b) => (username = b.str("username") ?? "second-user@example.org"));
      const { user, token } = control.addUser(username);
      return { status: 200, body: { user_id: user.id, username: user.username, token } };
    }),
    route("PUT", "/_emulator/auth/auto_approve", async (req) => {
      let enabled = true;
      await read(req, (b) => (enabled = b.bool("enabled") ?? true));
      control.setAutoApprove(enabled);
      return ok;
    }),
    route("GET", "/_emulator/auth/requests", () => ({ status: 200, body: control.pendingAuthorizations() })),
    route("POST", "/_emulator/auth/approve", async (req) => {
      const id = (await req.body()).length ? (await req.json()).request_id : undefined;
      return { status: 200, body: control.approveAuthorization(typeof id === "string" ? id : undefined) };
    }),
  ];
}

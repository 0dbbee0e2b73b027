/**
 * The HTTP front: control routes, then injected faults, routing, authentication and the rate limit,
 * then the route; every error becomes the service's ErrorResponse body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError } from "./apiError";
import { COMPUTE_RESOURCE_SERVER, type TokenStore } from "./auth/tokens";
import type { Faults } from "./faults";
import { Request, type Reply } from "./http";
import type { RateLimiter } from "./rateLimit";
import type { Router } from "./router";
import type { EmulatorState } from "./state";

const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export interface ServerDeps {
  router: Router;
  faults: Faults;
  rateLimiter: RateLimiter;
  tokens: TokenStore;
  state: EmulatorState;
  controlSecret: string;
  onError: (err: unknown) => void;
}

export class EmulatorServer {
  private readonly server: Server;

  constructor(private readonly deps: ServerDeps) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        const { port: actual } = this.server.address() as AddressInfo;
        resolve(`http://${host}:${actual}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.dispatch(raw);
    } catch (err) {
      reply = this.errorReply(err);
    }
    if (res.destroyed) return;
    const isText = reply.contentType !== undefined;
    const payload = reply.body === undefined ? "" : isText ? String(reply.body) : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      "content-type": reply.contentType ?? "application/json",
      "content-length": Buffer.byteLength(payload),
      ...reply.headers,
    });
    res.end(payload);
  }

  private async dispatch(raw: IncomingMessage): Promise<Reply> {
    const { router, faults, rateLimiter } = this.deps;
    const url = new URL(raw.url ?? "/", "http://emulator");
    const req = new Request(raw, url, { bytes: DEFAULT_BODY_LIMIT, code: "TASK_PAYLOAD_TOO_LARGE" });
    const match = router.match(req.method, req.path);
    if (req.path.startsWith("/_emulator/")) {
      if (req.header("x-emulator-secret") !== this.deps.controlSecret) {
        return { status: 403, body: { detail: "control API: missing or wrong X-Emulator-Secret" } };
      }
    } else {
      const latency = faults.latencyMs(req.method, req.path);
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      const injected = faults.takeFailure(req.method, req.path);
      if (injected) {
        req.raw.resume();
        throw injected;
      }
    }
    if (!match.route) {
      req.raw.resume();
      return match.allowed.length
        ? { status: 405, body: { detail: "Method Not Allowed" }, headers: { allow: match.allowed.join(", ") } }
        : { status: 404, body: { detail: "Not Found" } };
    }
    req.params = match.params;
    if (match.route.bodyLimit) req.setBodyLimit(match.route.bodyLimit);
    if (match.route.auth === "compute") {
      const token = this.authenticate(req);
      const retryAfter = rateLimiter.take(token);
      if (retryAfter !== undefined) {
        req.raw.resume();
        throw new ApiError(429, "RATE_LIMITED", `Too many requests; retry after ${retryAfter} s`, [retryAfter], {
          "retry-after": String(retryAfter),
        });
      }
    }
    return await match.route.handler(req);
  }

  /** Sets `req.user` from the Bearer token, or answers 401 as the service does; returns the token. */
  private authenticate(req: Request): string {
    const header = req.header("authorization");
    const challenge = { "www-authenticate": "Bearer" };
    if (!header) {
      req.raw.resume();
      throw new ApiError(401, "USER_UNAUTHENTICATED", "Missing Authorization header (Bearer token)", [], challenge);
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const verdict = m ? this.deps.tokens.verify(m[1], COMPUTE_RESOURCE_SERVER) : undefined;
    if (!m || !verdict?.ok) {
      req.raw.resume();
      const why = !m ? "Authorization header is not a Bearer token" : verdict?.ok === false && verdict.reason === "expired" ? "Token has expired" : "Invalid or unknown token";
      throw new ApiError(401, "INVALID_AUTH_TOKEN", why, [], challenge);
    }
    req.user = this.deps.state.users.get(verdict.userId);
    return m[1];
  }

  private errorReply(err: unknown): Reply {
    if (err instanceof ApiError) return { status: err.status, body: err.body(), headers: err.headers };
    if (err instanceof RangeError) {
      const bad = new ApiError(400, "REQUEST_MALFORMED", err.message);
      return { status: 400, body: bad.body() };
    }
    this.deps.onError(err);
    const internal = new ApiError(500, "INTERNAL_ERROR", `Internal error: ${(err as Error)?.message ?? String(err)}`);
    return { status: 500, body: internal.body() };
  }
}

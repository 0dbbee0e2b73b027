/** Access and refresh tokens the emulated Globus Auth issues and the Compute API accepts. */
import { randomBytes } from "node:crypto";

export const COMPUTE_SCOPE = "https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all";
export const COMPUTE_RESOURCE_SERVER = "funcx_service";
const AUTH_RESOURCE_SERVER = "auth.globus.org";

/** Which resource server each known scope belongs to (protocol.md §10). */
const SCOPE_SERVERS: Record<string, string> = {
  [COMPUTE_SCOPE]: COMPUTE_RESOURCE_SERVER,
  openid: AUTH_RESOURCE_SERVER,
  email: AUTH_RESOURCE_SERVER,
  profile: AUTH_RESOURCE_SERVER,
};

export function resourceServerOf(scope: string): string | undefined {
  return SCOPE_SERVERS[scope];
}

interface AccessToken {
  userId: string;
  resourceServer: string;
  /** Epoch ms; null never expires (the emulator's printed token). */
  expiresAt: number | null;
}

interface RefreshToken {
  userId: string;
  clientId: string;
  resourceServer: string;
  scope: string;
}

/** One entry of a token response (`other_tokens` items have the same keys). */
export interface IssuedToken {
  access_token: string;
  expires_in: number;
  resource_server: string;
  scope: string;
  token_type: "Bearer";
  refresh_token?: string;
}

export type Verification = { ok: true; userId: string } | { ok: false; reason: "unknown" | "expired" | "wrong-audience" };

export class TokenStore {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();

  constructor(private lifetimeS: number) {}

  setLifetime(seconds: number): void {
    if (!(Number.isInteger(seconds) && seconds > 0)) throw new RangeError("token lifetime must be a positive integer of seconds");
    this.lifetimeS = seconds;
  }

  addStatic(token: string, userId: string): void {
    this.access.set(token, { userId, resourceServer: COMPUTE_RESOURCE_SERVER, expiresAt: null });
  }

  /** One access token (plus a refresh token when asked) per resource server among `scopes`. */
  grant(userId: string, clientId: string, scopes: string[], withRefresh: boolean): IssuedToken[] {
    const byServer = new Map<string, string[]>();
    for (const s of scopes) {
      const rs = resourceServerOf(s);
      if (rs) byServer.set(rs, [...(byServer.get(rs) ?? []), s]);
    }
    return [...byServer].map(([rs, list]) => {
      const scope = list.join(" ");
      const issued = this.issueAccess(userId, rs, scope);
      if (withRefresh) {
        const rt = newToken("rt");
        this.refresh.set(rt, { userId, clientId, resourceServer: rs, scope });
        issued.refresh_token = rt;
      }
      return issued;
    });
  }

  /** A new access token for the refresh token's resource server; undefined if unknown or not the client's. */
  useRefresh(refreshToken: string, clientId: string): IssuedToken | undefined {
    const rt = this.refresh.get(refreshToken);
    if (!rt || rt.clientId !== clientId) return undefined;
    // Globus refresh tokens do not rotate: the same one keeps working.
    return { ...this.issueAccess(rt.userId, rt.resourceServer, rt.scope), refresh_token: refreshToken };
  }

  revoke(token: string): void {
    this.access.delete(token);
    this.refresh.delete(token);
  }

  /** Makes an access token expire now (tests of "token expired mid-run"). */
  expire(token: string): boolean {
    const t = this.access.get(token);
    if (t) t.expiresAt = Date.now() - 1;
    return t !== undefined;
  }

  verify(token: string, resourceServer: string): Verification {
    const t = this.access.get(token);
    if (!t) return { ok: false, reason: "unknown" };
    if (t.expiresAt !== null && t.expiresAt <= Date.now()) return { ok: false, reason: "expired" };
    if (t.resourceServer !== resourceServer) return { ok: false, reason: "wrong-audience" };
    return { ok: true, userId: t.userId };
  }

  private issueAccess(userId: string, resourceServer: string, scope: string): IssuedToken {
    const token = newToken("at");
    this.access.set(token, { userId, resourceServer, expiresAt: Date.now() + this.lifetimeS * 1000 });
    return { access_token: token, expires_in: this.lifetimeS, resource_server: resourceServer, scope, token_type: "Bearer" };
  }
}

export function newToken(kind: string): string {
  return `${kind}-${randomBytes(24).toString("base64url")}`;
}

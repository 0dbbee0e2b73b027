/**
 * The emulated Globus Auth: native-app authorization with PKCE S256, refresh tokens, confidential
 * clients (client_credentials) and revocation (protocol.md §10). Authorization is approved either
 * automatically or through the control API, so UI tests can script the "user consents" step.
 */
import { createHash, randomUUID } from "node:crypto";
import type { User } from "../state";
import { newToken, resourceServerOf, type IssuedToken, type TokenStore } from "./tokens";

export interface AuthorizationRequest {
  id: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string;
  codeChallenge: string;
  accessType: string;
  userId: string;
}

export interface TokenResponse extends IssuedToken {
  state: string;
  id_token?: string;
  other_tokens: IssuedToken[];
}

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }

  body(): Record<string, string> {
    return { error: this.error, error_description: this.message };
  }
}

interface IssuedCode {
  request: AuthorizationRequest;
  expiresAt: number;
}

const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;
const CODE_LIFETIME_MS = 10 * 60_000;

export class GlobusAuth {
  autoApprove: boolean;
  private readonly pending = new Map<string, AuthorizationRequest>();
  private readonly codes = new Map<string, IssuedCode>();
  /** Confidential clients: id → secret and the identity their tokens act as. */
  private readonly clients = new Map<string, { secret: string; user: User }>();

  constructor(
    readonly tokens: TokenStore,
    private readonly loginUser: User,
    private readonly issuer: string,
    autoApprove: boolean,
  ) {
    this.autoApprove = autoApprove;
  }

  addConfidentialClient(id: string, secret: string, user: User): void {
    this.clients.set(id, { secret, user });
  }

  /** Validates an authorize query and records it as waiting for consent. */
  request(q: URLSearchParams): AuthorizationRequest {
    const need = (name: string): string => {
      const v = q.get(name);
      if (!v) throw new OAuthError(400, "invalid_request", `missing parameter: ${name}`);
      return v;
    };
    const clientId = need("client_id");
    const redirectUri = need("redirect_uri");
    if (need("response_type") !== "code") throw new OAuthError(400, "unsupported_response_type", "response_type must be code");
    const scopes = need("scope").split(/\s+/).filter(Boolean);
    const unknown = scopes.filter((s) => !resourceServerOf(s));
    if (unknown.length) throw new OAuthError(400, "invalid_scope", `unknown scope: ${unknown.join(" ")}`);
    const codeChallenge = need("code_challenge");
    if (q.get("code_challenge_method") !== "S256") {
      throw new OAuthError(400, "invalid_request", "code_challenge_method must be S256");
    }
    const req: AuthorizationRequest = {
      id: randomUUID(),
      clientId,
      redirectUri,
      scopes,
      state: q.get("state") ?? "_default",
      codeChallenge,
      accessType: q.get("access_type") ?? "online",
      userId: this.loginUser.id,
    };
    this.pending.set(req.id, req);
    return req;
  }

  pendingRequests(): AuthorizationRequest[] {
    return [...this.pending.values()];
  }

  /** The user consents: the request becomes a one-time code. */
  approve(requestId: string): { code: string; request: AuthorizationRequest } {
    const request = this.pending.get(requestId);
    if (!request) throw new OAuthError(404, "invalid_request", `no pending authorization ${requestId}`);
    this.pending.delete(requestId);
    const code = newToken("code");
    this.codes.set(code, { request, expiresAt: Date.now() + CODE_LIFETIME_MS });
    return { code, request };
  }

  deny(requestId: string): AuthorizationRequest {
    const request = this.pending.get(requestId);
    if (!request) throw new OAuthError(404, "invalid_request", `no pending authorization ${requestId}`);
    this.pending.delete(requestId);
    return request;
  }

  /** `POST /v2/oauth2/token`; `basic` is the decoded Basic auth (client id, secret), if any. */
  token(form: URLSearchParams, basic: [string, string] | undefined): TokenResponse {
    const grant = form.get("grant_type");
    switch (grant) {
      case "authorization_code":
        return this.exchangeCode(form, basic?.[0] ?? form.get("client_id"));
      case "refresh_token":
        return this.refresh(form, basic?.[0] ?? form.get("client_id"));
      case "client_credentials":
        return this.clientCredentials(form, basic);
      default:
        throw new OAuthError(400, "unsupported_grant_type", `unsupported grant_type: ${grant}`);
    }
  }

  revoke(token: string | null): void {
    if (!token) throw new OAuthError(400, "invalid_request", "missing parameter: token");
    this.tokens.revoke(token);
  }

  private exchangeCode(form: URLSearchParams, clientId: string | null): TokenResponse {
    const code = form.get("code");
    const verifier = form.get("code_verifier");
    if (!clientId || !code || !verifier) {
      throw new OAuthError(400, "invalid_request", "client_id, code and code_verifier are required");
    }
    const issued = this.codes.get(code);
    // Codes are single use, whatever the outcome.
    this.codes.delete(code);
    if (!issued || issued.expiresAt < Date.now()) throw new OAuthError(400, "invalid_grant", "invalid or expired code");
    const { request } = issued;
    if (request.clientId !== clientId) throw new OAuthError(400, "invalid_grant", "code was issued to another client");
    if (form.get("redirect_uri") !== request.redirectUri) throw new OAuthError(400, "invalid_grant", "redirect_uri mismatch");
    if (!VERIFIER_RE.test(verifier)) throw new OAuthError(400, "invalid_grant", "malformed code_verifier");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    if (challenge !== request.codeChallenge) throw new OAuthError(400, "invalid_grant", "PKCE verification failed");
    const tokens = this.tokens.grant(request.userId, clientId, request.scopes, request.accessType === "offline");
    return this.response(tokens, request.state, request.scopes.includes("openid") ? this.idToken(request.userId, clientId) : undefined);
  }

  private refresh(form: URLSearchParams, clientId: string | null): TokenResponse {
    const rt = form.get("refresh_token");
    if (!clientId || !rt) throw new OAuthError(400, "invalid_request", "client_id and refresh_token are required");
    const issued = this.tokens.useRefresh(rt, clientId);
    if (!issued) throw new OAuthError(400, "invalid_grant", "invalid refresh token");
    return this.response([issued], "_default");
  }

  private clientCredentials(form: URLSearchParams, basic: [string, string] | undefined): TokenResponse {
    const client = basic && this.clients.get(basic[0]);
    if (!basic || !client || client.secret !== basic[1]) {
      throw new OAuthError(401, "invalid_client", "client authentication failed");
    }
    const scopes = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
    const unknown = scopes.filter((s) => !resourceServerOf(s));
    if (scopes.length === 0 || unknown.length) throw new OAuthError(400, "invalid_scope", `invalid scope: ${unknown.join(" ")}`);
    return this.response(this.tokens.grant(client.user.id, basic[0], scopes, false), "_default");
  }

  /** Globus puts the Auth token (if any) at the top level and the others in `other_tokens`. */
  private response(tokens: IssuedToken[], state: string, idToken?: string): TokenResponse {
    const topIndex = Math.max(0, tokens.findIndex((t) => t.resource_server === "auth.globus.org"));
    const top = tokens[topIndex];
    const other = tokens.filter((_t, i) => i !== topIndex).map((t) => ({ ...t, state }));
    return { ...top, state, ...(idToken ? { id_token: idToken } : {}), other_tokens: other };
  }

  /** An unsigned OpenID token: enough for a client to show who is logged in. */
  private idToken(userId: string, clientId: string): string {
    const now = Math.floor(Date.now() / 1000);
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const username = this.loginUser.id === userId ? this.loginUser.username : userId;
    const claims = { iss: this.issuer, sub: userId, aud: clientId, iat: now, exp: now + 172800, preferred_username: username, name: "Test User", email: username };
    return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
  }
}

/**
 * The Globus sign-in state behind the VS Code AuthenticationProvider: sessions stored in SecretStorage,
 * created by the native-app login or the client-credentials grant, refreshed when less than 60 s remain
 * or after the service refused a token (protocol.md §10), revoked on sign-out. No vscode import: the
 * provider in `globusAuthenticationProvider.ts` only adapts it.
 */
import { randomUUID } from "node:crypto";
import {
  clientCredentials,
  COMPUTE_SCOPE,
  computeToken,
  GlobusAuthError,
  refreshTokens,
  revokeToken,
  type TokenData,
  type TokenResponse,
} from "../../core/service/globus/auth";
import type { TokenProvider } from "../../core/service/globus/restClient";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import { Emitter, type Event } from "../../core/util/event";
import { accountFromIdToken } from "./account";
import type { AuthConfig } from "./authConfig";
import { AuthError } from "./authError";
import { unavailable, type NativeAppLogin } from "./nativeAppLogin";
import { sessionKey, type Account, type StoredSession, type TokenStore } from "./tokenStore";

/** The AuthenticationProvider id (package.json `contributes.authentication`). */
export const GLOBUS_AUTH_PROVIDER_ID = "globus";
/** What a session asks for: the SDK's login scopes (openid plus the Compute scope). */
export const SESSION_SCOPES: readonly string[] = ["openid", COMPUTE_SCOPE];
/** Renew a token when less than this remains, as the SDK. */
const REFRESH_MARGIN_MS = 60_000;

/** Has the shape of vscode.AuthenticationSession. */
export interface GlobusSession {
  readonly id: string;
  readonly accessToken: string;
  readonly account: Account;
  readonly scopes: readonly string[];
}

export interface SessionsChange {
  added: GlobusSession[];
  removed: GlobusSession[];
  changed: GlobusSession[];
}

export interface GlobusSessionsOptions {
  /** Read at each use, so a changed setting applies at once; throws AuthError on bad environment variables. */
  config: () => AuthConfig;
  store: TokenStore;
  login: NativeAppLogin;
  /** Failures that must not stop the caller (a revocation Globus refused); never given a token. */
  onBackgroundError: (err: unknown) => void;
}

export class GlobusSessions implements Disposable {
  private readonly changed = new Emitter<SessionsChange>();
  readonly onDidChangeSessions: Event<SessionsChange> = this.changed.event;
  private readonly disposables = new DisposableStore();
  /** The session last announced through onDidChangeSessions. */
  private known: GlobusSession | undefined;
  /** Serializes announcements, so concurrent changes fire in order and exactly once. */
  private announcing: Promise<void>;
  /** Client-credentials tokens are cheap to get again: kept in memory only. */
  private client: { key: string; session: GlobusSession; expiresAt: number } | undefined;
  private readonly renewals = new Map<string, Promise<string>>();

  constructor(private readonly o: GlobusSessionsOptions) {
    this.announcing = this.current().then(
      (s) => void (this.known = s),
      () => undefined,
    );
    this.disposables.add(this.changed);
    // Another window signed in or out: follow it.
    this.disposables.add(o.store.onDidChange(() => void this.reload()));
  }

  /** True when GLOBUS_COMPUTE_CLIENT_ID and _SECRET are set: no person signs in. */
  usesClientCredentials(): boolean {
    return this.o.config().kind === "client";
  }

  /** The session (at most one) that has all `scopes`. */
  async getSessions(scopes?: readonly string[]): Promise<GlobusSession[]> {
    if (this.usesClientCredentials()) await this.getAccessToken({ forceRefresh: false });
    const s = await this.current();
    return s && (scopes ?? []).every((x) => s.scopes.includes(x)) ? [s] : [];
  }

  async createSession(scopes: readonly string[] = []): Promise<GlobusSession> {
    const config = this.o.config();
    if (config.kind === "client") {
      await this.getAccessToken({ forceRefresh: true });
      return (await this.current()) as GlobusSession;
    }
    const wanted = [...new Set([...SESSION_SCOPES, ...scopes])];
    const response = await this.o.login.login({ authBaseUrl: config.authBaseUrl, clientId: config.clientId, scopes: wanted });
    const token = computeTokenOf(response);
    const stored: StoredSession = {
      id: randomUUID(),
      account: accountFromIdToken(response.id_token),
      scopes: wanted,
      accessToken: token.access_token,
      expiresAt: expiry(token),
      ...(token.refresh_token ? { refreshToken: token.refresh_token } : {}),
    };
    await this.o.store.save(sessionKey(config.authBaseUrl, config.clientId), stored);
    // Tokens for other resource servers (Globus Auth's, for openid) are not needed after login: revoke, never store.
    await this.revokeQuietly(config, unusedTokens(response, token));
    await this.reload();
    return toSession(stored);
  }

  /** Sign-out: the secret is deleted first, so a failed revocation never leaves a token behind. */
  async removeSession(id: string): Promise<void> {
    const config = this.o.config();
    const key = sessionKey(config.authBaseUrl, config.clientId);
    if (config.kind === "client") {
      if (this.client?.key !== key || this.client.session.id !== id) return;
      const token = this.client.session.accessToken;
      this.client = undefined;
      await this.revokeQuietly(config, [token]);
    } else {
      const stored = await this.o.store.load(key);
      if (stored?.id !== id) return;
      await this.o.store.clear(key);
      await this.revokeQuietly(config, [stored.refreshToken, stored.accessToken]);
    }
    await this.reload();
  }

  /** For the Compute REST client: a valid access token, renewed when close to expiry or when forced (after a 401). */
  readonly getAccessToken: TokenProvider = async ({ forceRefresh }) => {
    const config = this.o.config();
    const key = sessionKey(config.authBaseUrl, config.clientId);
    if (config.kind === "client") {
      const c = this.client;
      if (!forceRefresh && c?.key === key && c.expiresAt - Date.now() > REFRESH_MARGIN_MS) return c.session.accessToken;
      return this.renewOnce(key, () => this.grantClientCredentials(config, key));
    }
    const stored = await this.o.store.load(key);
    if (stored === undefined)
      throw new AuthError("NOT_SIGNED_IN", 'Cloud endpoints need a Globus sign-in: run "Globus Compute: Sign In to Globus".');
    if (!forceRefresh && stored.expiresAt - Date.now() > REFRESH_MARGIN_MS) return stored.accessToken;
    return this.renewOnce(key, () => this.refresh(config, key, stored));
  };

  /** For the submit flow, only when a cloud endpoint is used: resolves once a token can be had. */
  async ensureSignedIn(): Promise<void> {
    if (this.usesClientCredentials()) {
      await this.getAccessToken({ forceRefresh: false });
      return;
    }
    // Straight to the login rather than through authentication.getSession: VS Code would first ask whether
    // this extension may sign in with its own provider.
    if ((await this.getSessions(SESSION_SCOPES)).length === 0) await this.createSession(SESSION_SCOPES);
  }

  /** Re-reads the current session (settings or secrets changed) and announces any difference. */
  reload(): Promise<void> {
    this.announcing = this.announcing.then(async () => {
      const before = this.known;
      const after = await this.current().catch(() => undefined);
      this.known = after;
      const change = difference(before, after);
      if (change) this.changed.fire(change);
    });
    return this.announcing;
  }

  dispose(): void {
    this.disposables.dispose();
  }

  private async current(): Promise<GlobusSession | undefined> {
    const config = this.o.config();
    const key = sessionKey(config.authBaseUrl, config.clientId);
    if (config.kind === "client") return this.client?.key === key ? this.client.session : undefined;
    const stored = await this.o.store.load(key);
    return stored && toSession(stored);
  }

  private async refresh(config: AuthConfig, key: string, stored: StoredSession): Promise<string> {
    let response: TokenResponse;
    try {
      if (stored.refreshToken === undefined) throw new GlobusAuthError("invalid_grant", "the sign-in has no refresh token", 400);
      response = await refreshTokens({ authBaseUrl: config.authBaseUrl, clientId: config.clientId, refreshToken: stored.refreshToken });
    } catch (err) {
      if (!isRefusal(err)) throw unavailable(err);
      await this.o.store.clear(key);
      await this.reload();
      throw new AuthError("SESSION_EXPIRED", 'The Globus sign-in has expired or was revoked: run "Globus Compute: Sign In to Globus" again.', {
        cause: err,
      });
    }
    const token = computeTokenOf(response);
    // A sign-out (here or in another window) while refreshing wins: do not bring the session back.
    if ((await this.o.store.load(key))?.id !== stored.id)
      throw new AuthError("NOT_SIGNED_IN", "Signed out of Globus while the token was being renewed.");
    const renewed: StoredSession = { ...stored, accessToken: token.access_token, expiresAt: expiry(token), refreshToken: token.refresh_token ?? stored.refreshToken };
    await this.o.store.save(key, renewed);
    await this.reload();
    return renewed.accessToken;
  }

  private async grantClientCredentials(config: Extract<AuthConfig, { kind: "client" }>, key: string): Promise<string> {
    let response: TokenResponse;
    try {
      response = await clientCredentials({ ...config, scopes: SESSION_SCOPES });
    } catch (err) {
      if (!isRefusal(err)) throw unavailable(err);
      throw new AuthError(
        "CLIENT_CREDENTIALS_REFUSED",
        `Globus Auth refused the client credentials of GLOBUS_COMPUTE_CLIENT_ID ${config.clientId}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const token = computeTokenOf(response);
    const session: GlobusSession = {
      id: `client:${config.clientId}`,
      accessToken: token.access_token,
      account: { id: config.clientId, label: `${config.clientId} (client credentials)` },
      scopes: [...SESSION_SCOPES],
    };
    this.client = { key, session, expiresAt: expiry(token) };
    await this.reload();
    return session.accessToken;
  }

  /** One renewal at a time per key: concurrent requests share it. */
  private renewOnce(key: string, renew: () => Promise<string>): Promise<string> {
    let running = this.renewals.get(key);
    if (running === undefined) {
      running = renew().finally(() => this.renewals.delete(key));
      this.renewals.set(key, running);
    }
    return running;
  }

  private async revokeQuietly(config: AuthConfig, tokens: readonly (string | undefined)[]): Promise<void> {
    for (const token of tokens) {
      if (token === undefined) continue;
      try {
        await revokeToken({ authBaseUrl: config.authBaseUrl, clientId: config.clientId, token });
      } catch (err) {
        this.o.onBackgroundError(new AuthError("AUTH_UNAVAILABLE", `Could not revoke a Globus token: ${(err as Error).message}`, { cause: err }));
      }
    }
  }
}

function toSession(s: StoredSession): GlobusSession {
  return { id: s.id, accessToken: s.accessToken, account: s.account, scopes: s.scopes };
}

function computeTokenOf(response: TokenResponse): TokenData {
  try {
    return computeToken(response);
  } catch (err) {
    throw unavailable(err);
  }
}

function unusedTokens(response: TokenResponse, kept: TokenData): string[] {
  return [response, ...(response.other_tokens ?? [])]
    .filter((t) => t.access_token !== kept.access_token)
    .flatMap((t) => [t.refresh_token, t.access_token])
    .filter((t): t is string => typeof t === "string" && t !== "");
}

function expiry(t: TokenData): number {
  return Date.now() + t.expires_in * 1000;
}

/** Globus Auth answered and said no (as opposed to being unreachable or failing). */
function isRefusal(err: unknown): boolean {
  return err instanceof GlobusAuthError && err.httpStatus !== undefined && err.httpStatus >= 400 && err.httpStatus < 500 && err.httpStatus !== 429;
}

function difference(before: GlobusSession | undefined, after: GlobusSession | undefined): SessionsChange | undefined {
  if (before?.id === after?.id) {
    if (!before || !after || before.accessToken === after.accessToken) return undefined;
    return { added: [], removed: [], changed: [after] };
  }
  return { added: after ? [after] : [], removed: before ? [before] : [], changed: [] };
}

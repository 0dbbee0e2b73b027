/**
 * Globus Auth flows a Compute client needs (protocol.md §10): native-app login with PKCE, code exchange,
 * refresh, revoke, and the client-credentials grant; plus a token provider that refreshes by itself.
 * `authBaseUrl` may point at an emulator's auth routes.
 */
import { createHash, randomBytes } from "node:crypto";
import fetch from "node-fetch";
import { quotedBody, redactCredentials } from "../../util/redaction";
import { cleartextProblem } from "./cleartextUrl";
import { authBaseUrl as defaultAuthBaseUrl } from "./environments";
import type { TokenProvider } from "./restClient";

export const COMPUTE_SCOPE = "https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all";
export const COMPUTE_RESOURCE_SERVER = "funcx_service";
/** The Globus Compute SDK's native-app client id. */
export const DEFAULT_CLIENT_ID = "4cf29807-cf21-49ec-9443-ff9a3fb9f81c";
/** Globus's page that shows the code for the user to paste. */
export const AUTH_CODE_REDIRECT = "https://auth.globus.org/v2/web/auth-code";

export interface TokenData {
  access_token: string;
  expires_in: number;
  resource_server: string;
  scope: string;
  token_type: string;
  refresh_token?: string;
  state?: string;
}

export interface TokenResponse extends TokenData {
  id_token?: string;
  other_tokens?: TokenData[];
}

/** An OAuth error answer (`error` is the OAuth code, e.g. `invalid_grant`), or no answer at all. */
export class GlobusAuthError extends Error {
  override readonly name = "GlobusAuthError";
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    // It may quote what Globus Auth (or a proxy in front of it) answered: shown, logged, kept.
    super(redactCredentials(message), options);
  }
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** 32 random bytes as base64url (43 characters); challenge = base64url(SHA-256(verifier)), method S256. */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: pkceChallenge(verifier) };
}

export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

export interface AuthorizeUrlOptions {
  authBaseUrl?: string;
  clientId?: string;
  redirectUri?: string;
  scopes?: readonly string[];
  state?: string;
  challenge: string;
  /** Shown on the consent page as the name of this login (the SDK uses the host name). */
  prefillNamedGrant?: string;
  /** Session parameters from an authorization requirements error (session_required_identities, …). */
  extra?: Record<string, string>;
}

export function authorizeUrl(o: AuthorizeUrlOptions): string {
  const url = new URL("/v2/oauth2/authorize", o.authBaseUrl ?? defaultAuthBaseUrl());
  const params: Record<string, string> = {
    client_id: o.clientId ?? DEFAULT_CLIENT_ID,
    redirect_uri: o.redirectUri ?? AUTH_CODE_REDIRECT,
    scope: (o.scopes ?? ["openid", COMPUTE_SCOPE]).join(" "),
    state: o.state ?? "_default",
    response_type: "code",
    code_challenge: o.challenge,
    code_challenge_method: "S256",
    access_type: "offline",
    ...(o.prefillNamedGrant ? { prefill_named_grant: o.prefillNamedGrant } : {}),
    ...o.extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export interface AuthClient {
  authBaseUrl?: string;
  clientId?: string;
}

export function exchangeCode(
  o: AuthClient & { code: string; verifier: string; redirectUri?: string },
): Promise<TokenResponse> {
  return tokenRequest(o, {
    client_id: o.clientId ?? DEFAULT_CLIENT_ID,
    grant_type: "authorization_code",
    code: o.code,
    code_verifier: o.verifier,
    redirect_uri: o.redirectUri ?? AUTH_CODE_REDIRECT,
  });
}

export function refreshTokens(o: AuthClient & { refreshToken: string }): Promise<TokenResponse> {
  return tokenRequest(o, { refresh_token: o.refreshToken, grant_type: "refresh_token", client_id: o.clientId ?? DEFAULT_CLIENT_ID });
}

export function clientCredentials(
  o: AuthClient & { clientId: string; clientSecret: string; scopes?: readonly string[] },
): Promise<TokenResponse> {
  const basic = Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString("base64");
  return tokenRequest(o, { grant_type: "client_credentials", scope: (o.scopes ?? [COMPUTE_SCOPE]).join(" ") }, basic);
}

export async function revokeToken(o: AuthClient & { token: string }): Promise<void> {
  await post(o, "/v2/oauth2/token/revoke", { token: o.token, client_id: o.clientId ?? DEFAULT_CLIENT_ID });
}

/** The token for the Compute API in a token response (top level or among `other_tokens`). */
export function computeToken(response: TokenResponse): TokenData {
  const all = [response, ...(response.other_tokens ?? [])];
  const found = all.find((t) => t.resource_server === COMPUTE_RESOURCE_SERVER);
  if (found === undefined)
    throw new GlobusAuthError(
      "NO_COMPUTE_TOKEN",
      `The login gave no token for ${COMPUTE_RESOURCE_SERVER}; request the scope ${COMPUTE_SCOPE}.`,
    );
  return found;
}

/**
 * A TokenProvider for the Compute REST client: renews the token when less than 60 s remain (as the SDK)
 * or when the service refused it. `renew` runs the grant (refresh token or client credentials).
 */
export function renewingTokenProvider(renew: () => Promise<TokenResponse>, initial?: TokenData): TokenProvider {
  let current = initial === undefined ? undefined : { token: initial.access_token, expiresAt: expiry(initial) };
  let inFlight: Promise<string> | undefined;
  return async ({ forceRefresh }) => {
    if (!forceRefresh && current !== undefined && current.expiresAt - Date.now() > 60_000) return current.token;
    inFlight ??= renew()
      .then((r) => {
        const t = computeToken(r);
        current = { token: t.access_token, expiresAt: expiry(t) };
        return t.access_token;
      })
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
}

function expiry(t: TokenData): number {
  return Date.now() + t.expires_in * 1000;
}

async function tokenRequest(o: AuthClient, form: Record<string, string>, basic?: string): Promise<TokenResponse> {
  const body = (await post(o, "/v2/oauth2/token", form, basic)) as TokenResponse;
  if (typeof body?.access_token !== "string")
    throw new GlobusAuthError("MALFORMED_RESPONSE", "Globus Auth answered without an access token.");
  return body;
}

async function post(o: AuthClient, path: string, form: Record<string, string>, basic?: string): Promise<unknown> {
  const url = new URL(path, o.authBaseUrl ?? defaultAuthBaseUrl()).toString();
  const cleartext = cleartextProblem(url);
  if (cleartext !== undefined) {
    throw new GlobusAuthError("INSECURE_URL", `Globus Auth at ${url} is not asked: ${cleartext}. Check globusCompute.authUrl.`);
  }
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        ...(basic ? { authorization: `Basic ${basic}` } : {}),
      },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(60_000),
      // The form carries a code verifier, refresh token or client secret: never sent on anywhere else.
      redirect: "manual",
    });
  } catch (err) {
    throw new GlobusAuthError("NETWORK_ERROR", `Cannot reach Globus Auth at ${url}: ${(err as Error).message}`, undefined, {
      cause: err,
    });
  }
  if (response.status >= 300 && response.status < 400) {
    throw new GlobusAuthError(
      "REDIRECTED",
      `Globus Auth at ${url} answered with a redirect (${response.status} to ${response.headers.get("location") ?? "nowhere"}); token requests are not sent on, as they carry credentials. Check globusCompute.authUrl.`,
      response.status,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const e = body as { error?: unknown; error_description?: unknown } | undefined;
    const error = typeof e?.error === "string" && e.error !== "" ? e.error : undefined;
    const description = typeof e?.error_description === "string" ? e.error_description : quotedBody(text, 200);
    throw new GlobusAuthError(
      error ?? `HTTP_${response.status}`,
      `Globus Auth refused the request (${response.status} ${error ?? ""}): ${description}`,
      response.status,
    );
  }
  if (body === undefined) throw new GlobusAuthError("MALFORMED_RESPONSE", `Globus Auth answered with non-JSON: ${quotedBody(text, 80)}`);
  return body;
}

/**
 * GlobusSessions against the emulator's Globus Auth over real HTTP: PKCE login with a pasted code,
 * refresh (near expiry, after a 401, refused), sign-out with revocation, client credentials.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { COMPUTE_SCOPE, DEFAULT_CLIENT_ID, GlobusAuthError, pkceChallenge, refreshTokens } from "../../../../core/service/globus/auth";
import { RestClient } from "../../../../core/service/globus/restClient";
import type { AuthConfig } from "../../../../extension/auth/authConfig";
import { AuthError } from "../../../../extension/auth/authError";
import { GlobusSessions, type SessionsChange } from "../../../../extension/auth/globusSessions";
import { NativeAppLogin, type LoginPrompts } from "../../../../extension/auth/nativeAppLogin";
import { TokenStore, type StoredSession } from "../../../../extension/auth/tokenStore";
import { startAuthServer, type AuthServer } from "../../../support/authServer";
import { scriptedPrompts, secretStore } from "./fakes";

function setUp(server: AuthServer, prompts: LoginPrompts, config?: () => AuthConfig, secrets = secretStore()) {
  const native: AuthConfig = { kind: "native", authBaseUrl: server.baseUrl, clientId: DEFAULT_CLIENT_ID };
  const changes: SessionsChange[] = [];
  const backgroundErrors: unknown[] = [];
  const sessions = new GlobusSessions({
    config: config ?? (() => native),
    store: new TokenStore(secrets),
    login: new NativeAppLogin(prompts),
    onBackgroundError: (err) => backgroundErrors.push(err),
  });
  sessions.onDidChangeSessions((c) => changes.push(c));
  const stored = () => [...secrets.data.values()].map((v) => JSON.parse(v) as StoredSession);
  const whoami = () =>
    new RestClient({ baseUrl: server.baseUrl, token: sessions.getAccessToken, retry: { maxRetries: 0 } }).get<{ username: string }>("/v2/whoami");
  return { sessions, secrets, changes, backgroundErrors, stored, whoami };
}

const pasteCode = (server: AuthServer) => (url: string) => server.codeFromAuthorizePage(url);

test("sign-in: PKCE S256 login with the pasted code; the session is kept only in SecretStorage and announced", async () => {
  await using server = await startAuthServer();
  const prompts = scriptedPrompts([pasteCode(server)]);
  const { sessions, changes, stored, whoami, secrets, backgroundErrors } = setUp(server, prompts);
  const issued: string[] = [];
  const grant = server.auth.token.bind(server.auth);
  server.auth.token = (form, basic) => {
    const r = grant(form, basic);
    issued.push(r.access_token, ...r.other_tokens.map((t) => t.access_token));
    return r;
  };

  const session = await sessions.createSession([]);

  const url = new URL(prompts.urls[0]);
  assert.equal(url.origin + url.pathname, `${server.baseUrl}/v2/oauth2/authorize`);
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.equal(url.searchParams.get("code_challenge")?.length, 43);
  assert.equal(url.searchParams.get("access_type"), "offline");
  assert.equal(url.searchParams.get("scope"), `openid ${COMPUTE_SCOPE}`);
  assert.equal(url.searchParams.get("redirect_uri"), "https://auth.globus.org/v2/web/auth-code");
  assert.deepEqual(session.account.label, server.username);
  assert.deepEqual(session.scopes, ["openid", COMPUTE_SCOPE]);

  assert.equal(secrets.data.size, 1);
  const [saved] = stored();
  assert.equal(saved.accessToken, session.accessToken);
  assert.match(saved.refreshToken ?? "", /^rt-/);
  assert.ok(saved.expiresAt > Date.now() + 3500_000);
  assert.deepEqual(changes, [{ added: [session], removed: [], changed: [] }]);
  assert.deepEqual(await sessions.getSessions([COMPUTE_SCOPE]), [session]);
  assert.deepEqual(await sessions.getSessions(["urn:other"]), []);
  // The token is the Compute API's (resource server funcx_service), accepted by a Compute route.
  assert.deepEqual(await whoami(), { username: server.username });
  // The login's other token (Globus Auth's, for openid) is not kept: it was revoked.
  const [authToken] = issued.filter((t) => t !== session.accessToken);
  assert.deepEqual(server.tokens.verify(authToken, "auth.globus.org"), { ok: false, reason: "unknown" });
  assert.deepEqual(backgroundErrors, []);
  sessions.dispose();
});

test("the code box rejects text that is not a code, and accepts the whole redirect URL", async () => {
  await using server = await startAuthServer();
  const prompts = scriptedPrompts([async (url) => `https://auth.globus.org/v2/web/auth-code?code=${await server.codeFromAuthorizePage(url)}&state=_default`]);
  const { sessions } = setUp(server, prompts);
  await sessions.createSession([]);
  const validate = prompts.validate as (t: string) => string | undefined;
  assert.match(validate("") ?? "", /Paste the authorization code/);
  assert.match(validate("two words") ?? "", /not an authorization code/);
  assert.equal(validate("  code-abcdefgh123  "), undefined);
  sessions.dispose();
});

test("a refused code says why and asks again; the next code from the same sign-in page works", async () => {
  await using server = await startAuthServer();
  const prompts = scriptedPrompts([() => "code-notarealcode", pasteCode(server)]);
  const { sessions, stored } = setUp(server, prompts);
  const session = await sessions.createSession([]);
  assert.equal(prompts.prompts.length, 2);
  assert.match(prompts.prompts[1], /Globus did not accept that code \(invalid or expired code\)\. Reload the Globus page/);
  assert.equal(stored()[0].id, session.id);
  sessions.dispose();
});

test("three refused codes end with INVALID_CODE and nothing stored", async () => {
  await using server = await startAuthServer();
  const { sessions, secrets, changes } = setUp(server, scriptedPrompts([() => "code-aaaaaaaaa", () => "code-bbbbbbbbb", () => "code-ccccccccc"]));
  await assert.rejects(sessions.createSession([]), (e: AuthError) => e.code === "INVALID_CODE" && /Sign In to Globus" again/.test(e.message));
  assert.equal(secrets.data.size, 0);
  assert.deepEqual(changes, []);
  sessions.dispose();
});

test("a code from another sign-in (PKCE verifier mismatch) is refused", async () => {
  await using server = await startAuthServer();
  // The person pastes a code issued for a different challenge: the verifier cannot match it.
  const foreign = async (url: string) => {
    const other = new URL(url);
    other.searchParams.set("code_challenge", pkceChallenge("x".repeat(43)));
    return server.codeFromAuthorizePage(other.toString());
  };
  const prompts = scriptedPrompts([foreign, pasteCode(server)]);
  const { sessions } = setUp(server, prompts);
  await sessions.createSession([]);
  assert.match(prompts.prompts[1], /PKCE verification failed/);
  sessions.dispose();
});

test("closing the browser prompt or the code box cancels with SIGN_IN_CANCELLED", async () => {
  await using server = await startAuthServer();
  const declined = setUp(server, scriptedPrompts([], false));
  await assert.rejects(declined.sessions.createSession([]), (e: AuthError) => e.code === "SIGN_IN_CANCELLED");
  const dismissed = setUp(server, scriptedPrompts([() => undefined]));
  await assert.rejects(dismissed.sessions.createSession([]), (e: AuthError) => e.code === "SIGN_IN_CANCELLED");
  assert.equal(declined.secrets.data.size + dismissed.secrets.data.size, 0);
  declined.sessions.dispose();
  dismissed.sessions.dispose();
});

test("no session: getAccessToken says how to sign in (NOT_SIGNED_IN)", async () => {
  await using server = await startAuthServer();
  const { sessions } = setUp(server, scriptedPrompts([]));
  await assert.rejects(sessions.getAccessToken({ forceRefresh: false }), (e: AuthError) => e.code === "NOT_SIGNED_IN" && /Sign In to Globus/.test(e.message));
  assert.deepEqual(await sessions.getSessions(), []);
  sessions.dispose();
});

test("a token with more than 60 s left is used as is; with less, it is refreshed, stored and announced as changed", async () => {
  await using longLived = await startAuthServer({ tokenLifetimeS: 3600 });
  const a = setUp(longLived, scriptedPrompts([pasteCode(longLived)]));
  const first = await a.sessions.createSession([]);
  assert.equal(await a.sessions.getAccessToken({ forceRefresh: false }), first.accessToken);
  a.sessions.dispose();

  await using shortLived = await startAuthServer({ tokenLifetimeS: 30 });
  const b = setUp(shortLived, scriptedPrompts([pasteCode(shortLived)]));
  const session = await b.sessions.createSession([]);
  const refreshToken = b.stored()[0].refreshToken;
  const [renewed, again] = await Promise.all([b.sessions.getAccessToken({ forceRefresh: false }), b.sessions.getAccessToken({ forceRefresh: false })]);
  assert.notEqual(renewed, session.accessToken);
  assert.equal(again, renewed, "concurrent callers share one refresh");
  assert.equal(b.stored()[0].accessToken, renewed);
  assert.equal(b.stored()[0].refreshToken, refreshToken, "Globus refresh tokens do not rotate");
  assert.deepEqual(b.changes.at(-1), { added: [], removed: [], changed: [{ ...session, accessToken: renewed }] });
  assert.equal(b.changes.length, 2, "added, then one change");
  b.sessions.dispose();
});

test("after the Compute API refuses the token (401), the REST client gets a refreshed one and succeeds", async () => {
  await using server = await startAuthServer();
  const { sessions, whoami, stored } = setUp(server, scriptedPrompts([pasteCode(server)]));
  const session = await sessions.createSession([]);
  assert.ok(server.tokens.expire(session.accessToken));
  assert.deepEqual(await whoami(), { username: server.username });
  assert.notEqual(stored()[0].accessToken, session.accessToken);
  sessions.dispose();
});

test("a refused refresh (revoked refresh token) removes the session: SESSION_EXPIRED", async () => {
  await using server = await startAuthServer();
  const { sessions, secrets, changes, stored } = setUp(server, scriptedPrompts([pasteCode(server)]));
  const session = await sessions.createSession([]);
  server.tokens.revoke(stored()[0].refreshToken as string);
  await assert.rejects(sessions.getAccessToken({ forceRefresh: true }), (e: AuthError) => e.code === "SESSION_EXPIRED");
  assert.equal(secrets.data.size, 0);
  assert.deepEqual(changes.at(-1), { added: [], removed: [session], changed: [] });
  sessions.dispose();
});

test("Globus Auth failing (503) is AUTH_UNAVAILABLE and keeps the session for later", async () => {
  await using server = await startAuthServer();
  const { sessions, secrets } = setUp(server, scriptedPrompts([pasteCode(server)]));
  await sessions.createSession([]);
  server.faults.failNext({ count: 1, status: 503, route: "/v2/oauth2/token" });
  await assert.rejects(sessions.getAccessToken({ forceRefresh: true }), (e: AuthError) => e.code === "AUTH_UNAVAILABLE");
  assert.equal(secrets.data.size, 1);
  assert.match(await sessions.getAccessToken({ forceRefresh: true }), /^at-/);
  sessions.dispose();
});

test("sign-out revokes the refresh and access tokens, deletes the secret and announces the removal", async () => {
  await using server = await startAuthServer();
  const { sessions, secrets, changes, stored, backgroundErrors } = setUp(server, scriptedPrompts([pasteCode(server)]));
  const session = await sessions.createSession([]);
  const { refreshToken } = stored()[0];
  await sessions.removeSession("some-other-id");
  assert.equal(secrets.data.size, 1, "an unknown id removes nothing");

  await sessions.removeSession(session.id);
  assert.equal(secrets.data.size, 0);
  assert.deepEqual(changes.at(-1), { added: [], removed: [session], changed: [] });
  assert.deepEqual(server.tokens.verify(session.accessToken, "funcx_service"), { ok: false, reason: "unknown" });
  await assert.rejects(
    refreshTokens({ authBaseUrl: server.baseUrl, refreshToken: refreshToken as string }),
    (e: GlobusAuthError) => e.code === "invalid_grant",
  );
  assert.deepEqual(backgroundErrors, []);
  assert.deepEqual(await sessions.getSessions(), []);
  sessions.dispose();
});

test("sign-out still deletes the secret when Globus Auth cannot revoke; the failure goes to the log", async () => {
  await using server = await startAuthServer();
  const { sessions, secrets, backgroundErrors } = setUp(server, scriptedPrompts([pasteCode(server)]));
  const session = await sessions.createSession([]);
  server.faults.failNext({ count: 2, status: 500, route: "/revoke" });
  await sessions.removeSession(session.id);
  assert.equal(secrets.data.size, 0);
  assert.equal(backgroundErrors.length, 2);
  assert.ok(backgroundErrors.every((e) => e instanceof AuthError && e.code === "AUTH_UNAVAILABLE"));
  assert.ok(!String(backgroundErrors[0]).includes(session.accessToken), "no token in what is logged");
  sessions.dispose();
});

test("a sign-in in another window (same SecretStorage) is announced here", { timeout: 10_000 }, async () => {
  await using server = await startAuthServer();
  const here = setUp(server, scriptedPrompts([]));
  const there = setUp(server, scriptedPrompts([pasteCode(server)]), undefined, here.secrets);
  const announced = new Promise<SessionsChange>((resolve) => here.sessions.onDidChangeSessions(resolve));
  const session = await there.sessions.createSession([]);
  assert.deepEqual(await announced, { added: [session], removed: [], changed: [] });
  assert.equal(here.changes.length, 1);
  here.sessions.dispose();
  there.sessions.dispose();
});

test("sessions are kept per Globus Auth URL: another URL has none, and switching announces it", async () => {
  await using server = await startAuthServer();
  let config: AuthConfig = { kind: "native", authBaseUrl: server.baseUrl, clientId: DEFAULT_CLIENT_ID };
  const { sessions, changes } = setUp(server, scriptedPrompts([pasteCode(server)]), () => config);
  const session = await sessions.createSession([]);
  config = { ...config, authBaseUrl: "https://auth.example.invalid" };
  assert.deepEqual(await sessions.getSessions(), []);
  await sessions.reload();
  assert.deepEqual(changes.at(-1), { added: [], removed: [session], changed: [] });
  sessions.dispose();
});

test("client credentials: a token for the client without any login, in memory only; a wrong secret is refused", async () => {
  await using server = await startAuthServer();
  const client: AuthConfig = { kind: "client", authBaseUrl: server.baseUrl, clientId: server.client.id, clientSecret: server.client.secret };
  const prompts = scriptedPrompts([]);
  const { sessions, secrets, whoami, changes } = setUp(server, prompts, () => client);
  await sessions.ensureSignedIn();
  assert.deepEqual(await whoami(), { username: `${server.client.id}@clients.auth.globus.org` });
  const [session] = await sessions.getSessions();
  assert.equal(session.id, `client:${server.client.id}`);
  assert.deepEqual(prompts.urls, [], "no browser");
  assert.equal(secrets.data.size, 0);
  assert.equal(changes.length, 1);
  await sessions.removeSession(session.id);
  assert.deepEqual(server.tokens.verify(session.accessToken, "funcx_service"), { ok: false, reason: "unknown" });
  sessions.dispose();

  const wrong = setUp(server, prompts, () => ({ ...client, clientSecret: "nope" }));
  await assert.rejects(wrong.sessions.ensureSignedIn(), (e: AuthError) => e.code === "CLIENT_CREDENTIALS_REFUSED");
  wrong.sessions.dispose();
});

test("ensureSignedIn logs in only when there is no session", async () => {
  await using server = await startAuthServer();
  const prompts = scriptedPrompts([pasteCode(server)]);
  const { sessions } = setUp(server, prompts);
  await sessions.ensureSignedIn();
  await sessions.ensureSignedIn();
  assert.equal(prompts.urls.length, 1);
  sessions.dispose();
});

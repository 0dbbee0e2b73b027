/**
 * The emulated Globus Auth (PKCE S256 native flow, refresh, client credentials, revocation, consent
 * through the control API), token expiry on the Compute API, and the per-token rate limit.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { COMPUTE_SCOPE } from "../../emulator/auth/tokens";
import { api, control, strayProcesses } from "./helpers";

const CLIENT_ID = "4cf29807-cf21-49ec-9443-ff9a3fb9f81c";
const REDIRECT = "http://127.0.0.1:9/callback";

let em: Emulator;

before(async () => {
  em = await startEmulator({ endpoints: [], tokenLifetimeS: 3600, rateLimit: null });
});

after(async () => {
  const dir = em.broker.dir;
  await em.stop();
  assert.deepEqual(strayProcesses([dir]), []);
});

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeUrl(challenge: string, redirect = REDIRECT, scope = `openid ${COMPUTE_SCOPE}`): string {
  const q = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: redirect,
    scope,
    state: "_default",
    response_type: "code",
    code_challenge: challenge,
    code_challenge_method: "S256",
    access_type: "offline",
    prefill_named_grant: "test on host",
  });
  return `/v2/oauth2/authorize?${q}`;
}

async function authorize(challenge: string): Promise<string> {
  const r = await api(em, "GET", authorizeUrl(challenge), { token: null });
  assert.equal(r.status, 302);
  const location = new URL(r.headers.get("location") as string);
  assert.equal(location.origin + location.pathname, REDIRECT);
  assert.equal(location.searchParams.get("state"), "_default");
  return location.searchParams.get("code") as string;
}

async function token(form: Record<string, string>, basic?: [string, string]) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (basic) headers.authorization = `Basic ${Buffer.from(basic.join(":")).toString("base64")}`;
  return api(em, "POST", "/v2/oauth2/token", { token: null, rawBody: new URLSearchParams(form).toString(), headers });
}

function exchange(code: string, verifier: string) {
  return token({ client_id: CLIENT_ID, grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT });
}

describe("native app flow with PKCE", () => {
  it("exchanges a code for tokens shaped as §10 says, usable on the Compute API", async () => {
    const { verifier, challenge } = pkce();
    const r = await exchange(await authorize(challenge), verifier);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.resource_server, "auth.globus.org");
    assert.equal(r.body.token_type, "Bearer");
    assert.equal(r.body.state, "_default");
    assert.equal(typeof r.body.id_token, "string");
    assert.equal(r.body.other_tokens.length, 1);
    const compute = r.body.other_tokens[0];
    assert.equal(compute.resource_server, "funcx_service");
    assert.equal(compute.scope, COMPUTE_SCOPE);
    assert.equal(compute.expires_in, 3600);
    assert.equal(typeof compute.refresh_token, "string");
    assert.equal((await api(em, "GET", "/v2/endpoints", { token: compute.access_token })).status, 200);
    assert.equal((await api(em, "GET", "/v2/endpoints", { token: r.body.access_token })).status, 401, "an Auth token is not a Compute token");
  });

  it("refuses a wrong verifier, and a code used twice", async () => {
    const { verifier, challenge } = pkce();
    const code = await authorize(challenge);
    const wrong = await exchange(code, pkce().verifier);
    assert.deepEqual([wrong.status, wrong.body.error], [400, "invalid_grant"]);
    assert.match(wrong.body.error_description, /PKCE/);
    const reused = await exchange(code, verifier);
    assert.deepEqual([reused.status, reused.body.error], [400, "invalid_grant"], "a code is single-use, even after a failed attempt");
    const other = pkce();
    const code2 = await authorize(other.challenge);
    const badRedirect = await token({ client_id: CLIENT_ID, grant_type: "authorization_code", code: code2, code_verifier: other.verifier, redirect_uri: "http://elsewhere/" });
    assert.deepEqual([badRedirect.status, badRedirect.body.error], [400, "invalid_grant"]);
  });

  it("validates the authorize request", async () => {
    const plain = await api(em, "GET", authorizeUrl("x").replace("S256", "plain"), { token: null });
    assert.deepEqual([plain.status, plain.body.error], [400, "invalid_request"]);
    const scope = await api(em, "GET", authorizeUrl("x", REDIRECT, "urn:unknown"), { token: null });
    assert.deepEqual([scope.status, scope.body.error], [400, "invalid_scope"]);
  });

  it("shows the code on the auth-code page for the SDK's default redirect", async () => {
    const { verifier, challenge } = pkce();
    const r = await api(em, "GET", authorizeUrl(challenge, "https://auth.globus.org/v2/web/auth-code"), { token: null });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") as string, /text\/html/);
    const code = /<code id="auth-code">([^<]+)<\/code>/.exec(r.body)?.[1] as string;
    const t = await token({ client_id: CLIENT_ID, grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: "https://auth.globus.org/v2/web/auth-code" });
    assert.equal(t.status, 200);
  });

  it("waits for consent when auto-approval is off: the page has Allow/Deny, the control API approves", async () => {
    await control(em, "PUT", "/auth/auto_approve", { enabled: false });
    try {
      const { verifier, challenge } = pkce();
      const page = await api(em, "GET", authorizeUrl(challenge), { token: null });
      assert.equal(page.status, 200);
      assert.match(page.body, /id="allow"/);
      const pending = await control(em, "GET", "/auth/requests");
      assert.equal(pending.body.length, 1);
      const approved = await control(em, "POST", "/auth/approve", { request_id: pending.body[0].id });
      assert.equal(approved.status, 200);
      assert.equal(new URL(approved.body.location).searchParams.get("code"), approved.body.code);
      assert.equal((await exchange(approved.body.code, verifier)).status, 200);

      // The page's own form: Deny redirects with access_denied.
      await api(em, "GET", authorizeUrl(pkce().challenge), { token: null });
      const id = (await control(em, "GET", "/auth/requests")).body[0].id;
      const deny = await api(em, "POST", "/v2/oauth2/authorize/consent", {
        token: null,
        rawBody: new URLSearchParams({ request_id: id, decision: "deny" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      assert.equal(deny.status, 302);
      assert.equal(new URL(deny.headers.get("location") as string).searchParams.get("error"), "access_denied");
    } finally {
      await control(em, "PUT", "/auth/auto_approve", { enabled: true });
    }
  });
});

describe("refresh, client credentials, revocation, expiry", () => {
  it("refreshes an access token with the (non-rotating) refresh token", async () => {
    const { verifier, challenge } = pkce();
    const first = await exchange(await authorize(challenge), verifier);
    const rt = first.body.other_tokens[0].refresh_token;
    const r = await token({ grant_type: "refresh_token", refresh_token: rt, client_id: CLIENT_ID });
    assert.equal(r.status, 200);
    assert.equal(r.body.resource_server, "funcx_service");
    assert.notEqual(r.body.access_token, first.body.other_tokens[0].access_token);
    assert.equal(r.body.refresh_token, rt);
    assert.equal((await api(em, "GET", "/v2/endpoints", { token: r.body.access_token })).status, 200);
    const wrongClient = await token({ grant_type: "refresh_token", refresh_token: rt, client_id: "someone-else" });
    assert.deepEqual([wrongClient.status, wrongClient.body.error], [400, "invalid_grant"]);
  });

  it("grants client_credentials to a confidential client with Basic auth only", async () => {
    const ok = await token({ grant_type: "client_credentials", scope: COMPUTE_SCOPE }, [em.client.id, em.client.secret]);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.resource_server, "funcx_service");
    assert.equal(ok.body.refresh_token, undefined);
    assert.equal((await api(em, "GET", "/v2/endpoints", { token: ok.body.access_token })).status, 200);
    const bad = await token({ grant_type: "client_credentials", scope: COMPUTE_SCOPE }, [em.client.id, "wrong"]);
    assert.deepEqual([bad.status, bad.body.error], [401, "invalid_client"]);
    const none = await token({ grant_type: "client_credentials", scope: COMPUTE_SCOPE });
    assert.equal(none.status, 401);
    const grant = await token({ grant_type: "password" });
    assert.deepEqual([grant.status, grant.body.error], [400, "unsupported_grant_type"]);
  });

  it("revokes tokens", async () => {
    const t = (await token({ grant_type: "client_credentials", scope: COMPUTE_SCOPE }, [em.client.id, em.client.secret])).body.access_token;
    const r = await api(em, "POST", "/v2/oauth2/token/revoke", {
      token: null,
      rawBody: new URLSearchParams({ token: t, client_id: em.client.id }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(r.status, 200);
    const after = await api(em, "GET", "/v2/endpoints", { token: t });
    assert.deepEqual([after.status, after.body.code], [401, "INVALID_AUTH_TOKEN"]);
  });

  it("expires access tokens after their lifetime, or on demand", async () => {
    await control(em, "PUT", "/token_lifetime", { seconds: 1 });
    try {
      const r = await token({ grant_type: "client_credentials", scope: COMPUTE_SCOPE }, [em.client.id, em.client.secret]);
      assert.equal(r.body.expires_in, 1);
      assert.equal((await api(em, "GET", "/v2/endpoints", { token: r.body.access_token })).status, 200);
      await new Promise((res) => setTimeout(res, 1100));
      const expired = await api(em, "GET", "/v2/endpoints", { token: r.body.access_token });
      assert.deepEqual([expired.status, expired.body.code, expired.body.detail], [401, "INVALID_AUTH_TOKEN", "Token has expired"]);
    } finally {
      await control(em, "PUT", "/token_lifetime", { seconds: 3600 });
    }
    const fresh = (await token({ grant_type: "client_credentials", scope: COMPUTE_SCOPE }, [em.client.id, em.client.secret])).body.access_token;
    assert.deepEqual((await control(em, "POST", "/tokens/expire", { token: fresh })).body, { expired: true });
    assert.equal((await api(em, "GET", "/v2/endpoints", { token: fresh })).status, 401);
  });
});

describe("rate limit", () => {
  it("answers 429 with an integer Retry-After past the limit, per token", async () => {
    await control(em, "PUT", "/rate_limit", { requests: 3, window_s: 10 });
    try {
      const second = em.control.addUser("other@example.org").token;
      for (let i = 0; i < 3; i++) assert.equal((await api(em, "GET", "/v2/endpoints")).status, 200);
      const limited = await api(em, "GET", "/v2/endpoints");
      assert.equal(limited.status, 429);
      const retry = Number(limited.headers.get("retry-after"));
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 10, `Retry-After ${retry}`);
      assert.equal(limited.body.http_status_code, 429);
      assert.equal((await api(em, "GET", "/v2/endpoints", { token: second })).status, 200, "another token has its own budget");
      assert.equal((await api(em, "GET", "/v2/version")).status, 200, "unauthenticated routes are not limited");
    } finally {
      await control(em, "PUT", "/rate_limit", { requests: null });
    }
    assert.equal((await api(em, "GET", "/v2/endpoints")).status, 200);
  });

  it("defaults to 20 requests per 10 s", async () => {
    await using limited = await startEmulator({ broker: em.broker, endpoints: [] });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await api(limited, "GET", "/v2/endpoints")).status);
    assert.deepEqual(statuses, [...Array(20).fill(200), 429]);
  });
});

import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import {
  authorizeUrl,
  COMPUTE_SCOPE,
  computeToken,
  createPkcePair,
  clientCredentials,
  DEFAULT_CLIENT_ID,
  exchangeCode,
  GlobusAuthError,
  pkceChallenge,
  refreshTokens,
  renewingTokenProvider,
  type TokenResponse,
} from "../../../../../core/service/globus/auth";

describe("Globus Auth helpers", () => {
  it("computes the S256 challenge of RFC 7636's example", () => {
    assert.equal(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    const pair = createPkcePair();
    assert.match(pair.verifier, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(pair.challenge, pkceChallenge(pair.verifier));
    assert.notEqual(createPkcePair().verifier, pair.verifier);
  });

  it("builds the SDK's authorize URL", () => {
    const url = new URL(authorizeUrl({ challenge: "c", authBaseUrl: "http://127.0.0.1:9/" }));
    assert.equal(url.origin + url.pathname, "http://127.0.0.1:9/v2/oauth2/authorize");
    const q = Object.fromEntries(url.searchParams);
    assert.deepEqual(q, {
      client_id: DEFAULT_CLIENT_ID,
      redirect_uri: "https://auth.globus.org/v2/web/auth-code",
      scope: `openid ${COMPUTE_SCOPE}`,
      state: "_default",
      response_type: "code",
      code_challenge: "c",
      code_challenge_method: "S256",
      access_type: "offline",
    });
  });

  it("picks the funcx_service token, or says which scope is missing", () => {
    const token = (rs: string) => ({ access_token: rs, expires_in: 10, resource_server: rs, scope: "", token_type: "Bearer" });
    const r: TokenResponse = { ...token("auth.globus.org"), other_tokens: [token("funcx_service")] };
    assert.equal(computeToken(r).access_token, "funcx_service");
    assert.throws(() => computeToken(token("auth.globus.org")), (e: GlobusAuthError) => e.code === "NO_COMPUTE_TOKEN");
  });

  it("renews a token near expiry or when forced, sharing one renewal between concurrent callers", async () => {
    let grants = 0;
    const renew = async (): Promise<TokenResponse> => ({
      access_token: `t${++grants}`,
      expires_in: 3600,
      resource_server: "funcx_service",
      scope: COMPUTE_SCOPE,
      token_type: "Bearer",
    });
    const provider = renewingTokenProvider(renew, { access_token: "t0", expires_in: 30, resource_server: "funcx_service", scope: "", token_type: "Bearer" });
    const [a, b] = await Promise.all([provider({ forceRefresh: false }), provider({ forceRefresh: false })]);
    assert.deepEqual([a, b, grants], ["t1", "t1", 1], "30 s left is under the 60 s margin: renewed once");
    assert.equal(await provider({ forceRefresh: false }), "t1");
    assert.equal(await provider({ forceRefresh: true }), "t2");
  });

  it("a token request is never sent on by a redirect: its form carries credentials", async () => {
    const requests: { url: string; body: string; headers: IncomingMessage["headers"] }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        requests.push({ url: req.url ?? "", body, headers: req.headers });
        res.writeHead(307, { location: "/v2/oauth2/elsewhere" });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const authBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await assert.rejects(
        refreshTokens({ authBaseUrl, refreshToken: "secret-refresh" }),
        (e: GlobusAuthError) => e.code === "REDIRECTED" && e.httpStatus === 307 && /not sent on/.test(e.message) && !e.message.includes("secret-refresh"),
      );
      assert.deepEqual(requests.map((r) => r.url), ["/v2/oauth2/token"], "the redirect was not followed");
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("a token request is never sent over plain http:// to another host than this machine", async () => {
    await assert.rejects(
      refreshTokens({ authBaseUrl: "http://auth.example.org", refreshToken: "secret-refresh" }),
      (e: GlobusAuthError) => e.code === "INSECURE_URL" && /http:\/\/auth\.example\.org\/v2\/oauth2\/token is not asked: .*clear text/.test(e.message),
    );
  });

  it("what Globus Auth (or a proxy) echoes of a token request never reaches the error: HTML is named, JSON fields and text are redacted", async () => {
    const answers: [string, string][] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const [type, template] = answers.shift()!;
        res.writeHead(400, { "content-type": type });
        res.end(template.replace("$FORM", body).replace("$AUTH", req.headers.authorization ?? ""));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const authBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const failure = (grant: () => Promise<unknown>) => grant().then(() => assert.fail("the grant succeeded"), (e: GlobusAuthError) => e);
      const refresh = () => refreshTokens({ authBaseUrl, refreshToken: "SECRET-REFRESH" });
      const exchange = () => exchangeCode({ authBaseUrl, code: "SECRET-CODE", verifier: "SECRET-VERIFIER" });
      const credentials = () => clientCredentials({ authBaseUrl, clientId: "id", clientSecret: "SECRET-CLIENT" });

      answers.push(["text/html", "<html><title>400 Bad Request</title><pre>$FORM\nAuthorization: $AUTH</pre></html>"]);
      const html = await failure(refresh);
      assert.equal(html.message, 'Globus Auth refused the request (400 ): an HTML page titled "400 Bad Request"');
      answers.push(["text/plain", "rejected $FORM"]);
      assert.doesNotMatch((await failure(exchange)).message, /SECRET/);
      answers.push(["text/plain", "rejected Authorization: $AUTH"]);
      assert.doesNotMatch((await failure(credentials)).message, /SECRET|aWQ6U0VDUkVULUNMSUVOVA/);
      answers.push(["application/json", JSON.stringify({ error: "invalid_grant", error_description: "bad form: $FORM" })]);
      const json = await failure(refresh);
      assert.equal(json.code, "invalid_grant");
      assert.match(json.message, /^Globus Auth refused the request \(400 invalid_grant\): bad form: refresh_token=\[redacted\]&grant_type=refresh_token/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

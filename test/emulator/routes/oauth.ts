/** Globus Auth routes: authorize (consent page or automatic), token, revoke, and the auth-code page. */
import type { Reply, Request } from "../http";
import type { Route } from "../router";
import { OAuthError, type AuthorizationRequest, type GlobusAuth } from "../auth/globusAuth";

export function oauthRoutes(auth: GlobusAuth): Route[] {
  const finish = ({ code, request }: { code: string; request: AuthorizationRequest }): Reply => {
    // The SDK's default redirect is Globus's own page that shows the code for pasting (protocol.md §10).
    if (new URL(request.redirectUri, "http://x").pathname.endsWith("/v2/web/auth-code")) return codePage(code);
    return redirect(request.redirectUri, { code, state: request.state });
  };
  return [
    {
      method: "GET",
      pattern: "/v2/oauth2/authorize",
      auth: "none",
      handler: oauth((req) => {
        const request = auth.request(req.query);
        return auth.autoApprove ? finish(auth.approve(request.id)) : consentPage(request);
      }),
    },
    {
      method: "POST",
      pattern: "/v2/oauth2/authorize/consent",
      auth: "none",
      handler: oauth(async (req) => {
        const form = await req.form();
        const id = form.get("request_id") ?? "";
        if (form.get("decision") === "allow") return finish(auth.approve(id));
        const request = auth.deny(id);
        return redirect(request.redirectUri, { error: "access_denied", state: request.state });
      }),
    },
    {
      method: "GET",
      pattern: "/v2/web/auth-code",
      auth: "none",
      handler: (req) => codePage(req.query.get("code") ?? ""),
    },
    {
      method: "POST",
      pattern: "/v2/oauth2/token",
      auth: "none",
      handler: oauth(async (req) => ({ status: 200, body: auth.token(await req.form(), basicAuth(req)) })),
    },
    {
      method: "POST",
      pattern: "/v2/oauth2/token/revoke",
      auth: "none",
      handler: oauth(async (req) => {
        auth.revoke((await req.form()).get("token"));
        return { status: 200, body: { active: false } };
      }),
    },
  ];
}

function oauth(fn: (req: Request) => Reply | Promise<Reply>): (req: Request) => Promise<Reply> {
  return async (req) => {
    try {
      return await fn(req);
    } catch (err) {
      if (err instanceof OAuthError) return { status: err.status, body: err.body() };
      throw err;
    }
  };
}

function basicAuth(req: Request): [string, string] | undefined {
  const m = /^Basic\s+(.+)$/i.exec(req.header("authorization") ?? "");
  if (!m) return undefined;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const i = text.indexOf(":");
  return i < 0 ? undefined : [decodeURIComponent(text.slice(0, i)), decodeURIComponent(text.slice(i + 1))];
}

function redirect(uri: string, params: Record<string, string>): Reply {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { status: 302, headers: { location: url.toString() }, contentType: "text/plain", body: "" };
}

function codePage(code: string): Reply {
  return html(
    "Native App Authorization Code",
    `<p>Copy this code and paste it into your application:</p><code id="auth-code">${escapeHtml(code)}</code>`,
  );
}

function consentPage(r: AuthorizationRequest): Reply {
  const scopes = r.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("");
  return html(
    "Allow access?",
    `<p>Client <b id="client-id">${escapeHtml(r.clientId)}</b> requests:</p><ul>${scopes}</ul>` +
      `<form method="post" action="/v2/oauth2/authorize/consent">` +
      `<input type="hidden" name="request_id" value="${escapeHtml(r.id)}">` +
      `<button id="allow" name="decision" value="allow">Allow</button> ` +
      `<button id="deny" name="decision" value="deny">Deny</button></form>`,
  );
}

function html(title: string, content: string): Reply {
  return {
    status: 200,
    contentType: "text/html; charset=utf-8",
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${content}</body></html>`,
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

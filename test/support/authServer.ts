/**
 * The emulator's Globus Auth (test/emulator: the same server, token store and OAuth routes) without its
 * broker and endpoints, so auth tests run real HTTP in a fraction of a second. One Compute-protected route,
 * `GET /v2/whoami`, checks access tokens as the Compute API does.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { GlobusAuth } from "../emulator/auth/globusAuth";
import { TokenStore } from "../emulator/auth/tokens";
import { Faults } from "../emulator/faults";
import { RateLimiter } from "../emulator/rateLimit";
import { Router } from "../emulator/router";
import { oauthRoutes } from "../emulator/routes/oauth";
import { EmulatorServer } from "../emulator/server";
import { EmulatorState } from "../emulator/state";

export interface AuthServer extends AsyncDisposable {
  baseUrl: string;
  auth: GlobusAuth;
  tokens: TokenStore;
  faults: Faults;
  client: { id: string; secret: string };
  username: string;
  /** What the person does in the browser: follows the authorize URL and reads the code Globus shows. */
  codeFromAuthorizePage(url: string): Promise<string>;
}

export async function startAuthServer(options: { tokenLifetimeS?: number; host?: string } = {}): Promise<AuthServer> {
  const state = new EmulatorState();
  const username = "tester@example.org";
  const user = state.addUser(username);
  const tokens = new TokenStore(options.tokenLifetimeS ?? 3600);
  const faults = new Faults();
  const router = new Router();
  const server = new EmulatorServer({
    router,
    faults,
    rateLimiter: new RateLimiter(null),
    tokens,
    state,
    controlSecret: randomBytes(8).toString("hex"),
    onError: (err) => console.error("[auth server]", err),
  });
  const baseUrl = await server.listen(0, options.host ?? "127.0.0.1");
  const auth = new GlobusAuth(tokens, user, baseUrl, true);
  const client = { id: randomUUID(), secret: randomBytes(16).toString("base64url") };
  auth.addConfidentialClient(client.id, client.secret, state.addUser(`${client.id}@clients.auth.globus.org`));
  router.add(...oauthRoutes(auth), {
    method: "GET",
    pattern: "/v2/whoami",
    auth: "compute",
    handler: (req) => ({ status: 200, body: { username: req.user?.username } }),
  });
  return {
    baseUrl,
    auth,
    tokens,
    faults,
    client,
    username,
    async codeFromAuthorizePage(url) {
      const page = await fetch(url);
      const html = await page.text();
      const code = /<code id="auth-code">([^<]+)<\/code>/.exec(html)?.[1];
      if (!code) throw new Error(`no code on the authorize page (${page.status}): ${html.slice(0, 200)}`);
      return code;
    },
    [Symbol.asyncDispose]: () => server.close(),
  };
}

import * as assert from "node:assert/strict";
import { test } from "node:test";
import { AuthError } from "../../../../extension/auth/authError";
import type { GlobusSession } from "../../../../extension/auth/globusSessions";
import { AuthCommands } from "../../../../extension/commands/authCommands";

const me: GlobusSession = { id: "s1", accessToken: "at", account: { id: "u1", label: "me@example.org" }, scopes: [] };

function fakeSessions(o: { client?: boolean; session?: GlobusSession; signIn?: () => Promise<void> }) {
  let current = o.session;
  const removed: string[] = [];
  return {
    removed,
    usesClientCredentials: () => o.client ?? false,
    getSessions: async () => (current ? [current] : []),
    ensureSignedIn: async () => {
      await (o.signIn?.() ?? Promise.resolve());
      current ??= me;
    },
    removeSession: async (id: string) => {
      removed.push(id);
      current = undefined;
    },
  };
}

function ui() {
  const shown: string[] = [];
  return { shown, showInformation: (m: string) => void shown.push(m) };
}

test("Sign In signs in and says as whom; when signed in already, says so", async () => {
  const u = ui();
  const commands = new AuthCommands(fakeSessions({}), u);
  await commands.signIn();
  await commands.signIn();
  assert.deepEqual(u.shown, ["Signed in to Globus as me@example.org.", "Already signed in to Globus as me@example.org."]);
});

test("a cancelled sign-in is silent; other failures reach the command runner", async () => {
  const u = ui();
  const cancelled = fakeSessions({ signIn: async () => Promise.reject(new AuthError("SIGN_IN_CANCELLED", "cancelled")) });
  await new AuthCommands(cancelled, u).signIn();
  assert.deepEqual(u.shown, []);
  const failing = fakeSessions({ signIn: async () => Promise.reject(new AuthError("INVALID_CODE", "bad code")) });
  await assert.rejects(new AuthCommands(failing, u).signIn(), (e: AuthError) => e.code === "INVALID_CODE");
});

test("with client credentials, Sign In checks them and says no sign-in is needed", async () => {
  const u = ui();
  await new AuthCommands(fakeSessions({ client: true, session: { ...me, account: { id: "cid", label: "cid (client credentials)" } } }), u).signIn();
  assert.match(u.shown[0], /client credentials of GLOBUS_COMPUTE_CLIENT_ID \(cid\)/);
});

test("Sign Out removes the session; signed out already, it says so", async () => {
  const u = ui();
  const sessions = fakeSessions({ session: me });
  const commands = new AuthCommands(sessions, u);
  await commands.signOut();
  await commands.signOut();
  assert.deepEqual(sessions.removed, ["s1"]);
  assert.deepEqual(u.shown, ["Signed out of Globus (me@example.org); the tokens were revoked.", "Not signed in to Globus."]);
});

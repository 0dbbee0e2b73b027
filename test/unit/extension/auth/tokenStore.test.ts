import * as assert from "node:assert/strict";
import { test } from "node:test";
import { sessionKey, TokenStore, type StoredSession } from "../../../../extension/auth/tokenStore";
import { secretStore } from "./fakes";

const session: StoredSession = {
  id: "s1",
  account: { id: "u1", label: "me@example.org" },
  scopes: ["openid"],
  accessToken: "at-1",
  expiresAt: 1_000,
  refreshToken: "rt-1",
};

test("a session round-trips through the secret store under its URL-and-client key", async () => {
  const secrets = secretStore();
  const store = new TokenStore(secrets);
  const key = sessionKey("https://auth.globus.org", "client");
  await store.save(key, session);
  assert.deepEqual([...secrets.data.keys()], [key]);
  assert.deepEqual(await store.load(key), session);
  assert.equal(await store.load(sessionKey("http://127.0.0.1:1", "client")), undefined);
  await store.clear(key);
  assert.equal(secrets.data.size, 0);
});

test("an entry that is not a session reads as none and is deleted", async () => {
  for (const bad of ["not json", "null", JSON.stringify({ ...session, accessToken: 5 }), JSON.stringify({ ...session, scopes: "openid" })]) {
    const secrets = secretStore();
    const key = sessionKey("u", "c");
    secrets.data.set(key, bad);
    assert.equal(await new TokenStore(secrets).load(key), undefined, bad);
    assert.equal(secrets.data.size, 0);
  }
});

test("onDidChange reports only this store's keys", async () => {
  const secrets = secretStore();
  const seen: string[] = [];
  new TokenStore(secrets).onDidChange((e) => seen.push(e.key));
  await secrets.store("other.extension.key", "x");
  await secrets.store(sessionKey("u", "c"), "x");
  assert.deepEqual(seen, [sessionKey("u", "c")]);
});

import * as assert from "node:assert/strict";
import { test } from "node:test";
import { accountFromIdToken } from "../../../../extension/auth/account";

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

test("the account is the token's subject, labelled with the username, else the email or name", () => {
  assert.deepEqual(accountFromIdToken(jwt({ sub: "u1", preferred_username: "me@uchicago.edu", email: "x@y" })), { id: "u1", label: "me@uchicago.edu" });
  assert.deepEqual(accountFromIdToken(jwt({ sub: "u1", email: "x@y" })), { id: "u1", label: "x@y" });
});

test("no or unreadable id token: a generic account rather than a failure", () => {
  for (const t of [undefined, "", "a.b.c", jwt([1])]) assert.deepEqual(accountFromIdToken(t), { id: "unknown", label: "Globus user" });
});

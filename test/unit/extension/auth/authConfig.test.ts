import * as assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_CLIENT_ID } from "../../../../core/service/globus/auth";
import { readAuthConfig } from "../../../../extension/auth/authConfig";
import type { AuthError } from "../../../../extension/auth/authError";

const production = { authUrl: undefined, environment: "production" as const };

test("no environment variables: the SDK's native-app client at the environment's Globus Auth", () => {
  assert.deepEqual(readAuthConfig(production, {}), { kind: "native", authBaseUrl: "https://auth.globus.org", clientId: DEFAULT_CLIENT_ID });
  assert.equal(readAuthConfig({ authUrl: undefined, environment: "sandbox" }, {}).authBaseUrl, "https://auth.sandbox.globuscs.info");
});

test("the authUrl setting overrides the environment", () => {
  assert.equal(readAuthConfig({ authUrl: "http://127.0.0.1:5000", environment: "sandbox" }, {}).authBaseUrl, "http://127.0.0.1:5000");
});

test("GLOBUS_COMPUTE_CLIENT_ID alone names another native client; with the secret, client credentials", () => {
  assert.deepEqual(readAuthConfig(production, { GLOBUS_COMPUTE_CLIENT_ID: " abc " }), { kind: "native", authBaseUrl: "https://auth.globus.org", clientId: "abc" });
  assert.deepEqual(readAuthConfig(production, { GLOBUS_COMPUTE_CLIENT_ID: "abc", GLOBUS_COMPUTE_CLIENT_SECRET: "s3" }), {
    kind: "client",
    authBaseUrl: "https://auth.globus.org",
    clientId: "abc",
    clientSecret: "s3",
  });
  assert.equal(readAuthConfig(production, { GLOBUS_COMPUTE_CLIENT_ID: "abc", GLOBUS_COMPUTE_CLIENT_SECRET: "" }).kind, "native", "an empty secret is unset");
});

test("a secret without an id is a clear error", () => {
  assert.throws(
    () => readAuthConfig(production, { GLOBUS_COMPUTE_CLIENT_SECRET: "s3" }),
    (e: AuthError) => e.code === "CLIENT_SECRET_WITHOUT_ID" && /GLOBUS_COMPUTE_CLIENT_ID is not/.test(e.message),
  );
});

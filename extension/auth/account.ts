/** Who signed in, for display only: read from the OpenID token's claims (not verified, never trusted for access). */
import type { Account } from "./tokenStore";

export function accountFromIdToken(idToken: string | undefined): Account {
  const claims = decodeClaims(idToken);
  const id = typeof claims.sub === "string" ? claims.sub : "unknown";
  const label = [claims.preferred_username, claims.email, claims.name].find((c): c is string => typeof c === "string" && c !== "");
  return { id, label: label ?? "Globus user" };
}

function decodeClaims(idToken: string | undefined): Record<string, unknown> {
  const payload = idToken?.split(".")[1];
  if (!payload) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

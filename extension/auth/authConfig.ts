/**
 * Where and as whom to authenticate: the Globus Auth URL (setting or environment) and the client, read
 * from GLOBUS_COMPUTE_CLIENT_ID / GLOBUS_COMPUTE_CLIENT_SECRET as the SDK does (protocol.md §10).
 */
import { DEFAULT_CLIENT_ID } from "../../core/service/globus/auth";
import { authBaseUrl } from "../../core/service/globus/environments";
import type { GlobusComputeSettings } from "../state/settings";
import { AuthError } from "./authError";

export type AuthConfig =
  /** A person signs in through the browser (native app with PKCE). */
  | { kind: "native"; authBaseUrl: string; clientId: string }
  /** A confidential client: no person, the client-credentials grant. */
  | { kind: "client"; authBaseUrl: string; clientId: string; clientSecret: string };

export function readAuthConfig(
  settings: Pick<GlobusComputeSettings, "authUrl" | "environment">,
  env: Readonly<Record<string, string | undefined>>,
): AuthConfig {
  const base = settings.authUrl ?? authBaseUrl(settings.environment);
  const clientId = env.GLOBUS_COMPUTE_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.GLOBUS_COMPUTE_CLIENT_SECRET?.trim() || undefined;
  if (clientSecret !== undefined && clientId === undefined)
    throw new AuthError(
      "CLIENT_SECRET_WITHOUT_ID",
      "GLOBUS_COMPUTE_CLIENT_SECRET is set but GLOBUS_COMPUTE_CLIENT_ID is not: set both to use client credentials, or unset the secret to sign in as a person.",
    );
  if (clientId !== undefined && clientSecret !== undefined) return { kind: "client", authBaseUrl: base, clientId, clientSecret };
  // An id alone names another native-app client, as in the SDK.
  return { kind: "native", authBaseUrl: base, clientId: clientId ?? DEFAULT_CLIENT_ID };
}

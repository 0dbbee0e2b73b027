/** Why signing in to Globus, or getting a token, did not work; `code` is stable for callers and tests. */
export type AuthErrorCode =
  /** The user closed the browser prompt or the code input box. */
  | "SIGN_IN_CANCELLED"
  /** Globus refused the pasted code (expired, used already, or from another sign-in). */
  | "INVALID_CODE"
  /** GLOBUS_COMPUTE_CLIENT_SECRET is set without GLOBUS_COMPUTE_CLIENT_ID. */
  | "CLIENT_SECRET_WITHOUT_ID"
  /** The client-credentials grant was refused (wrong id or secret). */
  | "CLIENT_CREDENTIALS_REFUSED"
  /** A cloud endpoint needs a token and nobody is signed in. */
  | "NOT_SIGNED_IN"
  /** A token was asked for a service the current sign-in is not for (a stored group's old service; a custom service without its own Globus Auth). */
  | "NOT_THIS_SERVICE"
  /** The stored sign-in can no longer be refreshed (revoked or expired): sign in again. */
  | "SESSION_EXPIRED"
  /** Globus Auth could not be reached or answered something unusable. */
  | "AUTH_UNAVAILABLE";

export class AuthError extends Error {
  override readonly name = "AuthError";
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

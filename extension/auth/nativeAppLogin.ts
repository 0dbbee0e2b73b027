/**
 * The native-app login of the Globus SDK (protocol.md §10): open the authorize URL (PKCE S256) in the
 * browser, let the person paste the code Globus shows, exchange it. A refused code lets them paste
 * another: reloading the sign-in page gives a new code for the same challenge.
 */
import { hostname } from "node:os";
import { authorizeUrl, createPkcePair, exchangeCode, GlobusAuthError, type TokenResponse } from "../../core/service/globus/auth";
import { AuthError } from "./authError";

/** The two UI steps of the login (`extension/vscode/authPrompts.ts` in VS Code, scripted in tests). */
export interface LoginPrompts {
  /** Opens the URL in the browser; false when the person declined. */
  openExternal(url: string): Promise<boolean>;
  /** Asks for the code; undefined when dismissed. `validate` returns an error message or undefined. */
  promptCode(options: { prompt: string; validate: (text: string) => string | undefined }): Promise<string | undefined>;
}

export interface NativeAppLoginOptions {
  authBaseUrl: string;
  clientId: string;
  scopes: readonly string[];
}

const MAX_ATTEMPTS = 3;
const CODE = /^[A-Za-z0-9._~-]{8,512}$/;

export class NativeAppLogin {
  constructor(private readonly prompts: LoginPrompts) {}

  async login(o: NativeAppLoginOptions): Promise<TokenResponse> {
    const pkce = createPkcePair();
    const url = authorizeUrl({
      authBaseUrl: o.authBaseUrl,
      clientId: o.clientId,
      scopes: o.scopes,
      challenge: pkce.challenge,
      prefillNamedGrant: `VS Code on ${hostname()}`,
    });
    if (!(await this.prompts.openExternal(url))) throw cancelled();
    let prompt = "Sign in to Globus in your browser, then paste the authorization code it shows.";
    for (let attempt = 1; ; attempt++) {
      const text = await this.prompts.promptCode({ prompt, validate: codeProblem });
      if (text === undefined) throw cancelled();
      try {
        return await exchangeCode({ authBaseUrl: o.authBaseUrl, clientId: o.clientId, code: normalizeCode(text), verifier: pkce.verifier });
      } catch (err) {
        if (!(err instanceof GlobusAuthError && err.code === "invalid_grant")) throw unavailable(err);
        const reason = `Globus did not accept that code (${err.message.replace(/^.*?: /, "")}).`;
        if (attempt >= MAX_ATTEMPTS)
          throw new AuthError("INVALID_CODE", `${reason} Run "Sign In to Globus" again to get a new code.`, { cause: err });
        prompt = `${reason} Reload the Globus page in your browser for a new code and paste it.`;
      }
    }
  }
}

/** The code itself, also when the whole redirect URL (…?code=…) was pasted. */
export function normalizeCode(text: string): string {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      return new URL(trimmed).searchParams.get("code") ?? trimmed;
    } catch {
      return trimmed;
    }
  }
  return trimmed;
}

export function codeProblem(text: string): string | undefined {
  const code = normalizeCode(text);
  if (code === "") return "Paste the authorization code shown by Globus.";
  if (!CODE.test(code)) return "That is not an authorization code: paste the code exactly as Globus shows it (letters and digits, no spaces).";
  return undefined;
}

function cancelled(): AuthError {
  return new AuthError("SIGN_IN_CANCELLED", "Signing in to Globus was cancelled.");
}

export function unavailable(err: unknown): AuthError {
  return new AuthError("AUTH_UNAVAILABLE", `Globus Auth did not complete the request: ${(err as Error).message}`, { cause: err });
}

/** The VS Code face of GlobusSessions: the "Globus" entry of the Accounts menu and `authentication.getSession("globus")`. */
import * as vscode from "vscode";
import { GLOBUS_AUTH_PROVIDER_ID, SESSION_SCOPES, type GlobusSessions } from "./globusSessions";

const LABEL = "Globus";

export class GlobusAuthenticationProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly sessions: GlobusSessions) {
    this.subscription = sessions.onDidChangeSessions((e) => this.changed.fire(e));
  }

  getSessions(scopes: readonly string[] | undefined): Promise<vscode.AuthenticationSession[]> {
    return this.sessions.getSessions(scopes);
  }

  createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    return this.sessions.createSession(scopes);
  }

  removeSession(sessionId: string): Promise<void> {
    return this.sessions.removeSession(sessionId);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Registers the provider; the returned Disposable unregisters it and disposes the provider. */
export function registerGlobusAuthenticationProvider(sessions: GlobusSessions): vscode.Disposable {
  const provider = new GlobusAuthenticationProvider(sessions);
  const registration = vscode.authentication.registerAuthenticationProvider(GLOBUS_AUTH_PROVIDER_ID, LABEL, provider, {
    supportsMultipleAccounts: false,
  });
  return vscode.Disposable.from(registration, provider);
}

/**
 * Puts "Sign in with Globus to use Globus Compute" in the Accounts menu (as other extensions' sign-ins are)
 * when cloud endpoints are in use and nobody is signed in: asking for a session without creating one
 * makes VS Code offer it there, and choosing it runs the provider's `createSession`.
 */
export async function offerSignInInAccountsMenu(usesCloud: () => boolean, log: (message: string) => void): Promise<void> {
  if (!usesCloud()) return;
  try {
    await vscode.authentication.getSession(GLOBUS_AUTH_PROVIDER_ID, [...SESSION_SCOPES], { createIfNone: false });
  } catch (err) {
    log(`Could not offer Globus sign-in in the Accounts menu: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** "Sign In to Globus" and "Sign Out": thin handlers over GlobusSessions. */
import { AuthError } from "../auth/authError";
import type { GlobusSessions } from "../auth/globusSessions";
import type { UserInterface } from "../vscode/window";

export class AuthCommands {
  constructor(
    private readonly sessions: Pick<GlobusSessions, "usesClientCredentials" | "getSessions" | "ensureSignedIn" | "removeSession">,
    private readonly ui: Pick<UserInterface, "showInformation">,
  ) {}

  async signIn(): Promise<void> {
    const clientCredentials = this.sessions.usesClientCredentials();
    const [existing] = await this.sessions.getSessions();
    if (existing && !clientCredentials) {
      this.ui.showInformation(`Already signed in to Globus as ${existing.account.label}.`);
      return;
    }
    try {
      await this.sessions.ensureSignedIn();
    } catch (err) {
      // Closing the browser prompt or the code box is the person's choice, not a failure to report.
      if (err instanceof AuthError && err.code === "SIGN_IN_CANCELLED") return;
      throw err;
    }
    const [session] = await this.sessions.getSessions();
    this.ui.showInformation(
      clientCredentials
        ? `Using the client credentials of GLOBUS_COMPUTE_CLIENT_ID (${session?.account.id}): no sign-in needed.`
        : `Signed in to Globus as ${session?.account.label}.`,
    );
  }

  async signOut(): Promise<void> {
    const [session] = await this.sessions.getSessions();
    if (!session) {
      this.ui.showInformation("Not signed in to Globus.");
      return;
    }
    await this.sessions.removeSession(session.id);
    this.ui.showInformation(
      this.sessions.usesClientCredentials()
        ? "Globus token revoked. Client credentials still come from GLOBUS_COMPUTE_CLIENT_ID and _SECRET: unset them to stop using them."
        : `Signed out of Globus (${session.account.label}); the tokens were revoked.`,
    );
  }
}

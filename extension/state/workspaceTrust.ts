/**
 * Workspace trust for submissions: submitting sends this workspace's Python code to an endpoint to run,
 * so in an untrusted workspace the person consents first, once per session (extension host) per workspace.
 */

/** What the consent needs from VS Code (`extension/vscode/trustPrompts.ts`; fakes in tests). */
export interface TrustPrompts {
  isTrusted(): boolean;
  /** Identifies the open workspace (file or first folder URI). */
  workspaceKey(): string;
  /** A modal question; true when the person chose `allow`. */
  askConsent(message: string, detail: string, allow: string): Promise<boolean>;
}

export const ALLOW_SUBMISSIONS = "Allow Submissions";

export class SubmitConsent {
  private readonly consented = new Set<string>();

  constructor(private readonly prompts: TrustPrompts) {}

  /** True when submitting may go ahead; asks (modal) in an untrusted workspace the first time. */
  async ensureSubmitAllowed(): Promise<boolean> {
    if (this.prompts.isTrusted()) return true;
    const key = this.prompts.workspaceKey();
    if (this.consented.has(key)) return true;
    const allowed = await this.prompts.askConsent(
      "This workspace is not trusted. Submit its code to run on a Globus Compute endpoint?",
      "Submitting runs the function and the code it depends on from this workspace, on the chosen endpoint (the local endpoint runs it on this machine). " +
        "Allowing lasts until the window closes; trusting the workspace allows it for good.",
      ALLOW_SUBMISSIONS,
    );
    if (allowed) this.consented.add(key);
    return allowed;
  }
}

/**
 * Workspace trust for submissions: submitting sends this workspace's Python code to an endpoint to run,
 * so in an untrusted workspace the person consents first, naming the function and the endpoint it is
 * about to run on. Consent lasts for the session (extension host), per workspace and endpoint: sending
 * the code somewhere else asks again. (The settings that choose endpoints, services and interpreters
 * are restricted in an untrusted workspace, see package.json, so the workspace cannot pick them.)
 */

/** What the consent needs from VS Code (`extension/vscode/trustPrompts.ts`; fakes in tests). */
export interface TrustPrompts {
  isTrusted(): boolean;
  /** Identifies the open workspace (file or first folder URI). */
  workspaceKey(): string;
  /** A modal question; true when the person chose `allow`. */
  askConsent(message: string, detail: string, allow: string): Promise<boolean>;
}

/** What is about to be submitted. */
export interface SubmissionTarget {
  functionName: string;
  endpoint: { kind: "local" | "cloud"; name: string; id: string };
}

export const ALLOW_SUBMISSIONS = "Allow Submissions";

export class SubmitConsent {
  private readonly consented = new Set<string>();

  constructor(private readonly prompts: TrustPrompts) {}

  /** True when submitting may go ahead; asks (modal) in an untrusted workspace the first time. */
  async ensureSubmitAllowed(target: SubmissionTarget): Promise<boolean> {
    if (this.prompts.isTrusted()) return true;
    const { endpoint, functionName } = target;
    const key = JSON.stringify([this.prompts.workspaceKey(), endpoint.kind, endpoint.id]);
    if (this.consented.has(key)) return true;
    const where =
      endpoint.kind === "local"
        ? `the local endpoint (on this machine, as you)`
        : `the endpoint "${endpoint.name}" (${endpoint.id})`;
    const allowed = await this.prompts.askConsent(
      `This workspace is not trusted. Run its function ${functionName} on ${where}?`,
      `Submitting runs ${functionName} and the code it depends on from this workspace on ${where}` +
        (endpoint.kind === "cloud"
          ? ", with the endpoint configuration you pick from this workspace's .globus-compute/endpoints.json if it has one (its values fill the site's job template, and worker_init runs as shell commands there). "
          : ". ") +
        "Allowing lasts until the window closes, for this workspace's functions on this endpoint; trusting the workspace allows it for good.",
      ALLOW_SUBMISSIONS,
    );
    if (allowed) this.consented.add(key);
    return allowed;
  }
}

/**
 * "Show What Will Be Sent": the bundle of the function at the cursor, exactly as it would be
 * submitted, in a read-only editor, with what it carries and needs said at the top.
 */
import type { BundleResult, FunctionBundleDescription, FunctionLocation } from "../../core/server/protocol";
import type { EditorContext } from "./submitCommands";

export interface BundlePreviewDeps {
  analysis(): Promise<{ bundle(params: FunctionLocation): Promise<BundleResult> }>;
  editor: EditorContext;
  ui: { showWarning(message: string): void };
  /** Opens `text` read-only as Python, titled `name`. */
  show(name: string, text: string): Promise<void>;
}

export class BundlePreviewCommands {
  constructor(private readonly deps: BundlePreviewDeps) {}

  async showBundle(arg?: unknown): Promise<void> {
    const a = arg as Partial<{ uri: string; offset: number }> | undefined;
    const location = typeof a?.uri === "string" && typeof a.offset === "number" ? { uri: a.uri, offset: a.offset } : this.deps.editor.activeLocation();
    if (location === undefined) {
      this.deps.ui.showWarning("Put the cursor inside a function of a Python file to see what would be sent.");
      return;
    }
    await this.deps.editor.ensureOpen(location.uri);
    const result = await (await this.deps.analysis()).bundle(location);
    if (result.bundle === null) {
      this.deps.ui.showWarning(`Nothing to send here: ${result.reason}`);
      return;
    }
    await this.deps.show(`${result.bundle.function.name}.py`, bundlePreviewText(result.bundle));
  }
}

/** The bundle's source under a header (Python comments) saying what travels inside it and what the endpoint must provide. */
export function bundlePreviewText(bundle: FunctionBundleDescription): string {
  const header = [`# What Globus Compute sends for ${bundle.function.name}: this source, registered as is; the endpoint calls ${bundle.name}.`];
  if (bundle.modules.length) header.push(`# Your modules inside it: ${bundle.modules.map((m) => m.name).join(", ")}.`);
  header.push(`# Third-party modules the endpoint must have installed: ${bundle.thirdPartyImports.length ? bundle.thirdPartyImports.join(", ") : "none"}.`);
  for (const p of bundle.problems) header.push(`# ${p.severity === "error" ? "Cannot be sent" : "Warning"}: ${p.message}`);
  return `${header.join("\n")}\n\n${bundle.source}`;
}

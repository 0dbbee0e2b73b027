/**
 * The warnings a document gets for the selected endpoint's last environment probe: for each of its
 * module-level functions (what can be submitted), the imports the endpoint lacks (importWarnings) and
 * the syntax its Python does not accept (versionWarnings), through everything each function ships. A
 * helper shipped by several functions is warned about once.
 */
import type { EnvironmentProbe } from "../../core/endpoints/environmentProbe";
import type { BundleResult, FunctionDescription, FunctionLocation, LspRange } from "../../core/server/protocol";
import { importWarnings, type ImportWarning } from "./importWarnings";
import { versionWarnings } from "./versionWarnings";

/** More functions than this in one file: the rest are checked at submission only. */
export const MAX_CHECKED_FUNCTIONS = 200;

export interface DocumentAnalysis {
  functions(params: { uri: string }): Promise<FunctionDescription[]>;
  bundle(params: FunctionLocation): Promise<BundleResult>;
}

export async function environmentWarnings(
  uri: string,
  analysis: DocumentAnalysis,
  probe: EnvironmentProbe,
  endpointName: string,
  /** The document's text in a range. */
  textIn: (range: LspRange) => string,
  /** False once the answer is no longer wanted (the document, the endpoint or the probe changed): stops early. */
  wanted: () => boolean = () => true,
): Promise<ImportWarning[] | undefined> {
  const functions = (await analysis.functions({ uri })).filter((f) => f.qualifiedName === f.name).slice(0, MAX_CHECKED_FUNCTIONS);
  const warnings = new Map<string, ImportWarning>();
  for (const f of functions) {
    if (!wanted()) return undefined;
    const { bundle } = await analysis.bundle({ uri, offset: f.offset });
    if (bundle === null) continue;
    for (const w of [...importWarnings(bundle, probe, endpointName, textIn), ...versionWarnings(bundle, probe, endpointName)]) {
      const { line, character } = w.range.start;
      warnings.set(`${line}:${character} ${w.message}`, w);
    }
  }
  return wanted() ? [...warnings.values()] : undefined;
}

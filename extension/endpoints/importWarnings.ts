/**
 * Before submitting: which modules a function's bundle needs (the language server's third-party imports,
 * through every shipped module) that the selected endpoint's last environment probe did not find. Each
 * becomes a warning on the import statement that names the module (else on the function's name), naming
 * the endpoint, so the person can install it there or pick another endpoint.
 */
import { missingImports, type EnvironmentProbe } from "../../core/endpoints/environmentProbe";
import type { FunctionBundleDescription, LspRange } from "../../core/server/protocol";

export interface ImportWarning {
  range: LspRange;
  message: string;
}

export function importWarnings(
  bundle: Pick<FunctionBundleDescription, "thirdPartyImports" | "shipped" | "function">,
  probe: Pick<EnvironmentProbe, "modules">,
  endpointName: string,
  /** The document's text in a range (the shipped import statements). */
  textIn: (range: LspRange) => string,
): ImportWarning[] {
  const imports = bundle.shipped.filter((s) => s.kind === "import");
  return missingImports(bundle.thirdPartyImports, probe).map((module) => {
    // The statement that names the module as a word (`import numpy as np`, `from scipy.linalg import …`).
    const word = new RegExp(`(^|[\\s,])${module.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\.|\\s|,|$)`);
    const statement = imports.find((s) => word.test(textIn(s.range)));
    return {
      range: statement?.range ?? bundle.function.nameRange,
      message: `"${module}" is not installed on endpoint "${endpointName}" (its last environment probe): install it there, or pick another endpoint.`,
    };
  });
}

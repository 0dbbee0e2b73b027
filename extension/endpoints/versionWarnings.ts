/**
 * Before submitting: syntax the function's bundle uses (the language server's `syntaxFeatures`, through
 * every shipped helper) that the Python of the selected endpoint's last environment probe does not
 * accept. Each becomes a warning on its line (else on the function's name, for code shipped from another
 * file), naming the endpoint and its version: sent as is, the task would fail with a SyntaxError there.
 */
import type { EnvironmentProbe } from "../../core/endpoints/environmentProbe";
import { tooNewFor } from "../../core/python/syntaxFeatures";
import type { FunctionBundleDescription } from "../../core/server/protocol";
import type { ImportWarning } from "./importWarnings";

export function versionWarnings(
  bundle: Pick<FunctionBundleDescription, "syntaxFeatures" | "function">,
  probe: Pick<EnvironmentProbe, "pythonMajorMinor" | "pythonVersion">,
  endpointName: string,
): ImportWarning[] {
  const uses = bundle.syntaxFeatures.map((f) => ({ ...f, range: f.range ?? bundle.function.nameRange }));
  return tooNewFor(uses, probe.pythonMajorMinor).map((f) => ({
    range: f.range,
    message: `${capitalized(f.feature)} needs Python ${f.since.join(".")}, but endpoint "${endpointName}" runs Python ${probe.pythonVersion} (its last environment probe).`,
  }));
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Commands whose features are not built yet: they say so instead of failing silently. */
import type { CommandId } from "./commandIds";
import type { UserInterface } from "../vscode/window";

export const PLACEHOLDER_COMMANDS = [
  "globusCompute.submitFunction",
  "globusCompute.submitFunctionWithArguments",
  "globusCompute.mapFunction",
  "globusCompute.reloadTaskGroup",
  "globusCompute.openResult",
  "globusCompute.rerunTask",
  "globusCompute.rerunTaskWithEditedArguments",
  "globusCompute.cancelTask",
  "globusCompute.signIn",
  "globusCompute.signOut",
] as const satisfies readonly CommandId[];

export function placeholderCommands(
  ui: UserInterface,
  titleOf: (id: CommandId) => string,
): Record<(typeof PLACEHOLDER_COMMANDS)[number], () => void> {
  const entries = PLACEHOLDER_COMMANDS.map((id) => [
    id,
    () => ui.showInformation(`Globus Compute: "${titleOf(id)}" is not yet available in this version.`),
  ]);
  return Object.fromEntries(entries) as Record<(typeof PLACEHOLDER_COMMANDS)[number], () => void>;
}

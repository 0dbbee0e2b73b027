/**
 * What "Map Function over…" maps over: an iterable typed as a Python literal (`range(1, 101)`, a list),
 * or a CSV / JSON Lines file in the workspace, one call per row with the columns as keyword arguments.
 * The command also takes the text as `iterable` in its argument (keybindings, tests), skipping the box.
 */
import { mapInputFormat, readMapInputs } from "../../core/data/mapInputs";
import type { PyDict } from "../../core/protocol/pyValue";
import { parseIterable } from "../../core/python/argumentParser";
import type { FunctionBundleDescription, SubmitFunctionArguments } from "../../core/server/protocol";
import type { UserInterface } from "../vscode/window";
import { signatureHint, validationMessage, type LastArguments } from "./argumentInput";
import type { MapInput } from "./mapRun";

/** The map command's argument: a CodeLens's location, optionally with what to map over. */
export interface MapArguments extends SubmitFunctionArguments {
  iterable?: string;
}

export interface MapInputDeps {
  ui: Pick<UserInterface, "inputText" | "showError">;
  lastArguments: LastArguments;
  readWorkspaceFile(path: string, near: string): Promise<{ name: string; text: string }>;
}

/** True when the text names an input file rather than a Python iterable. */
export function isInputFile(text: string): boolean {
  return mapInputFormat(text.trim()) !== undefined && !/^[[(]|^range\s*\(/.test(text.trim());
}

/**
 * Asks (unless `given`) and reads what to map over, with the text as typed (to remember once it ran);
 * undefined when dismissed or unreadable (said why).
 */
export async function askMapInput(
  deps: MapInputDeps,
  bundle: FunctionBundleDescription,
  uri: string,
  name: string,
  given?: string,
): Promise<{ input: MapInput; text: string } | undefined> {
  const text =
    given ??
    (await deps.ui.inputText({
      title: `Map ${signatureHint(bundle.function.name, bundle.function.signature)} over…`,
      prompt:
        "What to map over: range(…), or a list or tuple of values (each item is the argument of one call); or a CSV / JSON Lines file in the workspace (one call per row, columns as keyword arguments).",
      value: deps.lastArguments.get(uri, name, "map") ?? "range(10)",
      placeHolder: "range(10)  or  data/points.csv",
      validate: (t) => (isInputFile(t) ? undefined : validationMessage(t, parseIterable)),
    }));
  if (text === undefined) return undefined;
  let input: MapInput;
  try {
    input = isInputFile(text) ? await fromFile(deps, text.trim(), uri) : { items: parseIterable(text), source: text.trim(), keywordItems: false };
  } catch (err) {
    deps.ui.showError(`Cannot map over ${text.trim()}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  return { input, text };
}

async function fromFile(deps: MapInputDeps, path: string, near: string): Promise<MapInput> {
  const { name, text } = await deps.readWorkspaceFile(path, near);
  const rows = readMapInputs(text, name);
  return { items: rows, source: name, keywordItems: true, columns: columnsOf(rows) };
}

/** Every keyword name, in the order first seen. */
function columnsOf(rows: readonly PyDict[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const [k] of row.entries) seen.add(k as string);
  return [...seen];
}

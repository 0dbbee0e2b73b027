/**
 * The arguments input box's logic, free of vscode: the signature hint, live validation that names the
 * column of the first problem, and the last arguments typed per function (remembered per workspace).
 */
import { ArgumentSyntaxError } from "../../core/python/argumentParser";
import type { FunctionSignature } from "../../core/python/functions";
import type { StateStorage } from "../state/taskGroupStore";

/** `name(a, b: int, c=1, *args, d, **kw)` as written in the source, for the prompt. */
export function signatureHint(name: string, signature: FunctionSignature): string {
  const parts: string[] = [];
  let starred = false;
  signature.parameters.forEach((p, i) => {
    const next = signature.parameters[i + 1];
    if (p.kind === "*args" || p.kind === "**kwargs") starred ||= p.kind === "*args";
    else if (p.kind === "keyword-only" && !starred) {
      parts.push("*");
      starred = true;
    }
    const prefix = p.kind === "*args" ? "*" : p.kind === "**kwargs" ? "**" : "";
    const annotation = p.annotation !== undefined ? `: ${p.annotation}` : "";
    const def = p.default !== undefined ? (annotation ? ` = ${p.default}` : `=${p.default}`) : "";
    parts.push(`${prefix}${p.name}${annotation}${def}`);
    if (p.kind === "positional-only" && next?.kind !== "positional-only") parts.push("/");
  });
  return `${name}(${parts.join(", ")})`;
}

/** Parameters a call must give a value for. */
export function requiredParameters(signature: FunctionSignature): string[] {
  return signature.parameters
    .filter((p) => p.default === undefined && (p.kind === "normal" || p.kind === "positional-only" || p.kind === "keyword-only"))
    .map((p) => p.name);
}

/** For `validateInput`: undefined when the text parses, else the problem with its 1-based column. */
export function validationMessage(text: string, read: (text: string) => unknown): string | undefined {
  try {
    read(text);
    return undefined;
  } catch (err) {
    if (err instanceof ArgumentSyntaxError) return describeSyntaxError(err);
    throw err;
  }
}

export function describeSyntaxError(err: ArgumentSyntaxError): string {
  return `Column ${err.column + 1}: ${err.message}`;
}

/** Workspace-state key of the last arguments per function. */
export const LAST_ARGUMENTS_KEY = "globusCompute.lastArguments.v1";
/** Functions remembered; the least recently used are dropped beyond this. */
const MAX_REMEMBERED = 200;

export class LastArguments {
  constructor(private readonly storage: StateStorage) {}

  get(uri: string, name: string, kind: "call" | "map"): string | undefined {
    const all = this.all();
    const v = all[key(uri, name, kind)];
    return typeof v === "string" ? v : undefined;
  }

  async set(uri: string, name: string, kind: "call" | "map", text: string): Promise<void> {
    const all = this.all();
    const k = key(uri, name, kind);
    delete all[k];
    all[k] = text;
    const entries = Object.entries(all);
    await this.storage.update(LAST_ARGUMENTS_KEY, Object.fromEntries(entries.slice(-MAX_REMEMBERED)));
  }

  private all(): Record<string, unknown> {
    const raw = this.storage.get(LAST_ARGUMENTS_KEY);
    return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
  }
}

function key(uri: string, name: string, kind: "call" | "map"): string {
  return `${kind}:${uri}#${name}`;
}

/**
 * An argument text checked against the function's signature before anything is sent, as Python
 * would check the call: a missing required argument, an unknown keyword, too many positionals, or
 * one parameter given twice, each pointing at its column like a syntax error.
 */
import { ArgumentSyntaxError } from "./argumentError";
import { parseArguments, type ParsedArguments } from "./argumentParser";
import type { FunctionSignature } from "./functions";

/** The arguments of `text` for a function of `signature`; throws ArgumentSyntaxError when Python would reject the call. */
export function parseCallArguments(name: string, signature: FunctionSignature, text: string): ParsedArguments {
  const parsed = parseArguments(text);
  checkCall(name, signature, argumentSpans(text));
  return parsed;
}

interface ArgumentSpan {
  start: number;
  end: number;
  /** For `key=value`: the key. */
  keyword?: string;
}

function checkCall(name: string, signature: FunctionSignature, spans: ArgumentSpan[]): void {
  const params = signature.parameters;
  const positional = params.filter((p) => p.kind === "positional-only" || p.kind === "normal");
  const hasStarArgs = params.some((p) => p.kind === "*args");
  const hasStarKwargs = params.some((p) => p.kind === "**kwargs");
  const given = new Map<string, number>();
  const positionals = spans.filter((s) => s.keyword === undefined);
  positionals.forEach((s, i) => {
    if (i < positional.length) given.set(positional[i].name, s.start);
    else if (!hasStarArgs) {
      throw new ArgumentSyntaxError(
        "TOO_MANY_POSITIONAL",
        `${name}() takes ${positional.length} positional argument${positional.length === 1 ? "" : "s"} but ${positionals.length} were given`,
        s.start,
        s.end - s.start,
      );
    }
  });
  for (const s of spans) {
    if (s.keyword === undefined) continue;
    const p = params.find((q) => q.name === s.keyword && (q.kind === "normal" || q.kind === "keyword-only"));
    if (!p) {
      if (hasStarKwargs) continue;
      throw new ArgumentSyntaxError("UNEXPECTED_KEYWORD", `${name}() got an unexpected keyword argument '${s.keyword}'`, s.start, s.keyword.length);
    }
    if (given.has(p.name)) throw new ArgumentSyntaxError("MULTIPLE_VALUES", `${name}() got multiple values for argument '${p.name}'`, s.start, s.keyword.length);
    given.set(p.name, s.start);
  }
  const missing = params.filter((p) => p.default === undefined && p.kind !== "*args" && p.kind !== "**kwargs" && !given.has(p.name));
  if (missing.length) {
    const end = spans.at(-1)?.end ?? 0;
    const names = missing.map((p) => `'${p.name}'`).join(", ");
    throw new ArgumentSyntaxError("MISSING_ARGUMENT", `${name}() is missing ${missing.length === 1 ? "a required argument" : `${missing.length} required arguments`}: ${names}`, end, 1);
  }
}

/**
 * The top-level arguments of a text that parsed: spans between commas outside brackets and strings,
 * with the keyword of `key=value`.
 */
function argumentSpans(text: string): ArgumentSpan[] {
  const spans: ArgumentSpan[] = [];
  let depth = 0;
  let start = 0;
  const close = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed) {
      const kw = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/.exec(trimmed);
      spans.push({ start: start + lead, end: start + lead + trimmed.length, ...(kw ? { keyword: kw[1] } : {}) });
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      for (i += quote.length; i < text.length && !text.startsWith(quote, i); i++) if (text[i] === "\\") i++;
      i += quote.length - 1;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      close(i);
      start = i + 1;
    } else if (c === "#") break;
  }
  close(text.length);
  return spans;
}

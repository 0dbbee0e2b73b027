/**
 * The variables a multi-user endpoint's Jinja template reads from `user_endpoint_config`, for sites that
 * publish a template but no schema: `{{ account }}`, `{{ worker_init|default('') }}`, `{% if queue %}`…
 * Names bound by the template itself (`{% for x in … %}`, `{% set y = … %}`), attributes, filter and test
 * names, keyword arguments and the names the endpoint manager reserves are not variables.
 */

export interface TemplateVariable {
  name: string;
  /** The literal text of `|default(…)`'s first argument, when the template gives one. */
  defaultText?: string;
  /** The template renders without it: it has a default, or it is only tested (`{% if x %}`, `x is defined`). */
  optional: boolean;
}

/** Supplied by the endpoint manager, never by the user (globus-compute `RESERVED_USER_CONFIG_TEMPLATE_VARIABLES`). */
export const RESERVED_TEMPLATE_NAMES: ReadonlySet<string> = new Set(["parent_config", "user_runtime", "mapped_identity", "_GC"]);

const KEYWORDS = new Set([
  "and", "or", "not", "in", "is", "if", "else", "elif", "endif", "for", "endfor", "set", "endset", "true", "false",
  "none", "True", "False", "None", "loop", "range", "macro", "endmacro", "call", "endcall", "block", "endblock",
  "with", "endwith", "filter", "endfilter", "raw", "endraw", "import", "from", "as", "include", "extends", "recursive",
  "namespace", "dict", "lipsum", "cycler", "joiner", "self", "super", "varargs", "kwargs", "caller", "break", "continue",
]);

type Token = { kind: "name" | "string" | "number" | "op"; text: string };

export function templateVariables(template: string): TemplateVariable[] {
  const found = new Map<string, { defaultText?: string; required: boolean }>();
  const bound = new Set<string>();
  const text = template.replace(/\{#[\s\S]*?#\}/g, "");
  for (const m of text.matchAll(/\{\{-?([\s\S]*?)-?\}\}|\{%-?([\s\S]*?)-?%\}/g)) {
    const statement = m[2] !== undefined;
    const tokens = tokenize((m[1] ?? m[2]).trim());
    if (statement) {
      const head = tokens[0]?.text;
      if (head === "for") {
        // `for a, b in items`: the names before `in` are the loop's.
        const inAt = tokens.findIndex((t) => t.text === "in");
        for (const t of tokens.slice(1, inAt)) if (t.kind === "name") bound.add(t.text);
        scan(tokens.slice(inAt + 1), true);
        continue;
      }
      if (head === "set" && tokens[2]?.text === "=") {
        bound.add(tokens[1].text);
        scan(tokens.slice(3), true);
        continue;
      }
      // `if`/`elif` merely test a name: the template renders without it.
      scan(tokens.slice(1), !(head === "if" || head === "elif"));
    } else scan(tokens, true);
  }

  function scan(tokens: Token[], renders: boolean): void {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.kind !== "name" || KEYWORDS.has(t.text)) continue;
      const prev = tokens[i - 1]?.text;
      const next = tokens[i + 1]?.text;
      if (prev === "." || prev === "|" || prev === "is" || (prev === "not" && tokens[i - 2]?.text === "is")) continue;
      if (next === "=" || next === "(") continue; // a keyword argument, or a function called
      const defaultText = defaultAfter(tokens, i + 1);
      const tested = next === "is" || (!renders && defaultText === undefined);
      const seen = found.get(t.text) ?? { required: false };
      found.set(t.text, {
        defaultText: seen.defaultText ?? defaultText,
        required: seen.required || (!tested && defaultText === undefined),
      });
    }
  }

  return [...found]
    .filter(([name]) => !bound.has(name) && !RESERVED_TEMPLATE_NAMES.has(name))
    .map(([name, v]) => ({ name, ...(v.defaultText !== undefined ? { defaultText: v.defaultText } : {}), optional: !v.required }));
}

/** `x|default(…)` / `x|d(…)` (possibly after attribute access or other filters): the first argument's text. */
function defaultAfter(tokens: Token[], i: number): string | undefined {
  while (tokens[i]?.text === "." && tokens[i + 1]?.kind === "name") i += 2;
  while (tokens[i]?.text === "|") {
    const filter = tokens[i + 1]?.text;
    if ((filter === "default" || filter === "d") && tokens[i + 2]?.text === "(") {
      const arg = tokens[i + 3];
      return arg === undefined || arg.text === ")" ? "" : arg.text;
    }
    // Skip this filter and its arguments.
    i += 2;
    if (tokens[i]?.text === "(") {
      let depth = 0;
      for (; i < tokens.length; i++) {
        if (tokens[i].text === "(") depth++;
        else if (tokens[i].text === ")" && --depth === 0) break;
      }
      i++;
    }
  }
  return undefined;
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?)|(==|!=|<=|>=|\*\*|\/\/|[^\s\w]))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null && m[0] !== "") {
    if (m[1] !== undefined) out.push({ kind: "name", text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: "string", text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: "number", text: m[3] });
    else out.push({ kind: "op", text: m[4] });
  }
  return out;
}

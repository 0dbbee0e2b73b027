/**
 * What a server said, made fit for an error message. Gateways and proxies echo the request they refused
 * (its Authorization header, its form), and error text is shown, logged and kept in the task history: so
 * credentials are cut out of anything quoted, and an HTML page is named by its title, never quoted.
 */

const REDACTED = "[redacted]";

/** Up to a separator of the forms they are quoted in: form (`&`), JSON/Python (quotes, `,`, `}`), HTML (`<`). */
const VALUE = String.raw`[^\s"'&,;<>{}\[\]\\]+`;
/** Up to the end of the line, or of the string or element it is quoted in. */
const HEADER_VALUE = String.raw`[^\r\n"'\\<]+`;
/** An optional quote around a key or value, escaped when the text is itself a JSON string. */
const QUOTE = String.raw`(?:\\?["'])?`;

const PATTERNS: readonly [RegExp, string][] = [
  // The value of an Authorization header (the rest of the line or string): whatever it holds on a header
  // line or under a quoted (JSON, Python) key; elsewhere when it starts with a scheme, so that prose
  // (`missing authorization: ask …`) stays.
  [
    new RegExp(String.raw`(^[ \t]*(?:proxy-)?authorization[ \t]*:[ \t]*|\\?["'](?:proxy-)?authorization\\?["']\s*:\s*${QUOTE})${HEADER_VALUE}`, "gim"),
    `$1${REDACTED}`,
  ],
  [new RegExp(String.raw`\b((?:proxy-)?authorization\s*[:=]\s*)(?:basic|bearer|digest|negotiate|ntlm|token|dpop)\s${HEADER_VALUE}`, "gi"), `$1${REDACTED}`],
  // A bearer token wherever it stands.
  [/\b(bearer\s+)[^\s"'&,;<>\\]+/gi, `$1${REDACTED}`],
  // OAuth secrets in a form, a query, JSON, Python or a header line.
  [new RegExp(String.raw`\b((?:access_token|refresh_token|id_token|code_verifier|client_secret|password)${QUOTE}\s*[:=]\s*${QUOTE})${VALUE}`, "gi"), `$1${REDACTED}`],
  // The authorization code only as `code=` or a quoted key: `exit code: 1` is prose.
  [new RegExp(String.raw`\b(code(?:=|\\?["']\s*:\s*${QUOTE}))${VALUE}`, "gi"), `$1${REDACTED}`],
];

/** `text` with every bearer token, Authorization header value and OAuth secret replaced by `[redacted]`. */
export function redactCredentials(text: string): string {
  return PATTERNS.reduce((s, [pattern, replacement]) => s.replace(pattern, replacement), text);
}

/**
 * A response body quoted in an error: a page of markup (HTML, XML) by its title or first heading, other
 * text trimmed; clipped to `limit` characters, credentials redacted either way.
 */
export function quotedBody(text: string, limit: number): string {
  const trimmed = text.trim();
  const clean = redactCredentials(/^<[!?a-z]/i.test(trimmed) ? markupSummary(trimmed) : trimmed);
  return clean.length > limit ? `${clean.slice(0, limit)}…` : clean;
}

function markupSummary(markup: string): string {
  const heading = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(markup) ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(markup);
  const title = heading?.[1].replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim();
  const kind = /<(!doctype\s+html|html)\b/i.test(markup) || heading !== null ? "an HTML page" : "a markup document";
  return title ? `${kind} titled "${title}"` : kind;
}

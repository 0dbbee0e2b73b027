/**
 * Enough of Jinja's syntax (default delimiters, as the endpoint manager's SandboxedEnvironment) to know
 * where a template reads names: the lexer keeps `{% raw %}` and comments out, reads string literals whole
 * (a `}}` inside one does not end a tag) and balances brackets as Jinja's does; the parser gives each tag's
 * expressions and the block structure (for, if, set, macro, call, with, filter, block…). A tag it cannot
 * read is dropped with its names (Jinja would refuse the template: the endpoint fails however it is set).
 */

export type Expr =
  | { k: "name"; name: string }
  | { k: "const" }
  /** Anything that evaluates every operand (arithmetic, comparisons, literals, attribute access, calls). */
  | { k: "op"; items: Expr[] }
  | { k: "filter"; name: string; value?: Expr; args: Expr[]; firstArgText?: string }
  | { k: "test"; name: string; negated: boolean; value: Expr; args: Expr[] }
  | { k: "cond"; test: Expr; then: Expr; else?: Expr }
  | { k: "and" | "or"; left: Expr; right: Expr }
  | { k: "not"; value: Expr }
  /** `a.b`, `a[i]`, `a(…)`, `a.b = …` as a target: the value is read, whatever else happens. */
  | { k: "access"; value: Expr; args: Expr[] };

export type Node =
  | { k: "output"; expr: Expr }
  | { k: "if"; arms: { test?: Expr; body: Node[] }[] }
  | { k: "for"; targets: string[]; iter: Expr; cond?: Expr; body: Node[]; else: Node[] }
  /** `set` (targets: names bound, or an `ns.attr` read), `{% set x %}…{% endset %}`. */
  | { k: "set"; names: string[]; reads: Expr[]; body?: Node[] }
  /** macro and call blocks: parameters (with their default expressions) bound in the body. */
  | { k: "macro"; name?: string; params: string[]; reads: Expr[]; body: Node[] }
  /** with, filter, block, autoescape: a scope, names bound in it, expressions read before it. */
  | { k: "scope"; names: string[]; reads: Expr[]; body: Node[] }
  /** import, from…import, include, extends. */
  | { k: "bind"; names: string[]; reads: Expr[] };

type Token = { type: "name" | "string" | "number" | "op"; text: string; start: number; end: number };
type Tag = { kind: "output" | "statement"; tokens: Token[]; source: string };

class SyntaxProblem extends Error {}

/** The template as a tree of nodes; unreadable tags are left out. */
export function parseTemplate(template: string): Node[] {
  const tags = lex(template);
  let at = 0;
  const body = (ends: readonly string[]): { nodes: Node[]; end?: string; endTag?: Tag } => {
    const nodes: Node[] = [];
    while (at < tags.length) {
      const tag = tags[at++];
      try {
        if (tag.kind === "output") {
          nodes.push({ k: "output", expr: new Parser(tag).whole((p) => p.tuple()) });
          continue;
        }
        const head = tag.tokens[0]?.text ?? "";
        if (ends.includes(head)) return { nodes, end: head, endTag: tag };
        const node = statement(tag, head);
        if (node) nodes.push(node);
      } catch (err) {
        if (!(err instanceof SyntaxProblem)) throw err;
      }
    }
    return { nodes };
  };

  function statement(tag: Tag, head: string): Node | undefined {
    const p = new Parser(tag, 1);
    switch (head) {
      case "if": {
        const arms: { test?: Expr; body: Node[] }[] = [];
        let test: Expr | undefined = p.whole((q) => q.expression());
        for (;;) {
          const b = body(["elif", "else", "endif"]);
          arms.push({ ...(test ? { test } : {}), body: b.nodes });
          if (b.end === "elif") test = new Parser(b.endTag!, 1).whole((q) => q.expression());
          else if (b.end === "else") test = undefined;
          else return { k: "if", arms };
        }
      }
      case "for": {
        const targets = p.names();
        p.expect("in");
        const iter = p.expression(false);
        const cond = p.skipIf("if") ? p.expression(false) : undefined;
        p.skipIf("recursive");
        p.end();
        const b = body(["else", "endfor"]);
        const e = b.end === "else" ? body(["endfor"]).nodes : [];
        return { k: "for", targets, iter, ...(cond ? { cond } : {}), body: b.nodes, else: e };
      }
      case "set": {
        const { names, reads } = targetsOf(p.tuple(false));
        if (p.skipIf("=")) return { k: "set", names, reads: [...reads, p.whole((q) => q.tuple())] };
        // `{% set x %}…{% endset %}`, maybe `{% set x | upper %}`: the filters' arguments are read.
        const filters = p.skipIf("|") ? [p.whole((q) => q.filters(undefined, false))] : (p.end(), []);
        return { k: "set", names, reads: [...reads, ...filters], body: body(["endset"]).nodes };
      }
      case "macro":
      case "call": {
        const name = head === "macro" ? p.name() : undefined;
        const { params, defaults } = p.peek("(") || head === "macro" ? p.signature() : { params: [], defaults: [] };
        const reads = head === "call" ? [...defaults, p.expression()] : defaults;
        p.end();
        return { k: "macro", ...(name ? { name } : {}), params, reads, body: body([`end${head}`]).nodes };
      }
      case "with": {
        const names: string[] = [];
        const reads: Expr[] = [];
        while (!p.atEnd()) {
          if (names.length) p.expect(",");
          names.push(...targetsOf(p.primaryTarget()).names);
          p.expect("=");
          reads.push(p.expression());
        }
        return { k: "scope", names, reads, body: body(["endwith"]).nodes };
      }
      case "filter":
        return { k: "scope", names: [], reads: [p.whole((q) => q.filters(undefined, false))], body: body(["endfilter"]).nodes };
      case "autoescape":
        return { k: "scope", names: [], reads: [p.whole((q) => q.expression())], body: body(["endautoescape"]).nodes };
      case "block":
        p.name();
        p.skipIf("scoped");
        p.skipIf("required");
        p.end();
        return { k: "scope", names: [], reads: [], body: body(["endblock"]).nodes };
      case "include":
      case "extends":
        return { k: "bind", names: [], reads: [p.whole((q) => q.includeTail(q.expression()))] };
      case "import": {
        const what = p.expression();
        p.expect("as");
        const name = p.name();
        p.contextTail();
        return { k: "bind", names: [name], reads: [what] };
      }
      case "from": {
        const what = p.expression();
        p.expect("import");
        const names: string[] = [];
        while (!p.atEnd() && !p.peek("with") && !p.peek("without")) {
          if (names.length) p.expect(",");
          if (p.atEnd()) break;
          const n = p.name();
          names.push(p.skipIf("as") ? p.name() : n);
        }
        p.contextTail();
        return { k: "bind", names, reads: [what] };
      }
      default:
        // An end tag without its start, or a tag of an extension the endpoint does not load.
        throw new SyntaxProblem(head);
    }
  }

  return body([]).nodes;
}

function targetsOf(target: Expr): { names: string[]; reads: Expr[] } {
  if (target.k === "name") return { names: [target.name], reads: [] };
  if (target.k === "op") {
    const parts = target.items.map(targetsOf);
    return { names: parts.flatMap((p) => p.names), reads: parts.flatMap((p) => p.reads) };
  }
  return { names: [], reads: [target] }; // `ns.attr`: ns is read
}

class Parser {
  private i: number;
  private readonly t: Token[];
  constructor(private readonly tag: Tag, from = 0) {
    this.t = tag.tokens;
    this.i = from;
  }

  whole<T>(read: (p: Parser) => T): T {
    const v = read(this);
    this.end();
    return v;
  }
  end(): void {
    if (!this.atEnd()) throw new SyntaxProblem(`unexpected ${this.t[this.i].text}`);
  }
  atEnd(): boolean {
    return this.i >= this.t.length;
  }
  peek(text: string, ahead = 0): boolean {
    const tok = this.t[this.i + ahead];
    return tok !== undefined && tok.text === text && (tok.type === "op" || tok.type === "name");
  }
  skipIf(text: string): boolean {
    if (!this.peek(text)) return false;
    this.i++;
    return true;
  }
  expect(text: string): void {
    if (!this.skipIf(text)) throw new SyntaxProblem(`expected ${text}`);
  }
  name(): string {
    const tok = this.t[this.i];
    if (tok?.type !== "name") throw new SyntaxProblem("expected a name");
    this.i++;
    return tok.text;
  }
  names(): string[] {
    return targetsOf(this.tuple(false)).names;
  }

  /** `a`, `a, b`, `(a, b)`: with `full` any expressions, else assignment targets (names, `ns.attr`). */
  tuple(full = true): Expr {
    const items: Expr[] = [];
    do {
      if (items.length && (this.atEnd() || this.peek("=") || this.peek("in") || this.peek(")"))) break;
      items.push(full ? this.expression() : this.primaryTarget());
    } while (this.skipIf(","));
    return items.length === 1 ? items[0] : { k: "op", items };
  }
  primaryTarget(): Expr {
    if (this.skipIf("(")) {
      const inner = this.tuple(false);
      this.expect(")");
      return inner.k === "op" ? inner : { k: "op", items: [inner] };
    }
    let e: Expr = { k: "name", name: this.name() };
    while (this.skipIf(".")) {
      this.name();
      e = { k: "access", value: e, args: [] };
    }
    return e;
  }
  signature(): { params: string[]; defaults: Expr[] } {
    const params: string[] = [];
    const defaults: Expr[] = [];
    this.expect("(");
    while (!this.skipIf(")")) {
      if (params.length) this.expect(",");
      if (this.skipIf(")")) break;
      params.push(this.name());
      if (this.skipIf("=")) defaults.push(this.expression());
    }
    return { params, defaults };
  }
  includeTail(e: Expr): Expr {
    if (this.skipIf("ignore")) this.expect("missing");
    this.contextTail();
    return e;
  }
  contextTail(): void {
    if (this.skipIf("with") || this.skipIf("without")) this.expect("context");
  }

  expression(withCond = true): Expr {
    const value = this.or();
    if (!withCond || !this.skipIf("if")) return value;
    const test = this.or();
    return { k: "cond", test, then: value, ...(this.skipIf("else") ? { else: this.expression() } : {}) };
  }
  private or(): Expr {
    let left = this.and();
    while (this.skipIf("or")) left = { k: "or", left, right: this.and() };
    return left;
  }
  private and(): Expr {
    let left = this.not();
    while (this.skipIf("and")) left = { k: "and", left, right: this.not() };
    return left;
  }
  private not(): Expr {
    return this.skipIf("not") ? { k: "not", value: this.not() } : this.binary(0);
  }
  private static readonly LEVELS: readonly (readonly string[])[] = [
    ["==", "!=", "<", ">", "<=", ">=", "in", "not"],
    ["+", "-"],
    ["~"],
    ["*", "/", "//", "%"],
    ["**"],
  ];
  private binary(level: number): Expr {
    if (level === Parser.LEVELS.length) return this.unary();
    const items = [this.binary(level + 1)];
    for (;;) {
      const tok = this.t[this.i];
      if (!tok || !Parser.LEVELS[level].includes(tok.text) || tok.type === "string") break;
      if (tok.text === "not" && !this.peek("in", 1)) break;
      this.i += tok.text === "not" ? 2 : 1;
      items.push(this.binary(level + 1));
    }
    return items.length === 1 ? items[0] : { k: "op", items };
  }
  private unary(): Expr {
    if (this.skipIf("-") || this.skipIf("+")) return { k: "op", items: [this.unary()] };
    return this.filters(this.postfix(this.primary()));
  }
  private primary(): Expr {
    const tok = this.t[this.i++];
    if (!tok) throw new SyntaxProblem("expected an expression");
    if (tok.type === "string") {
      while (this.t[this.i]?.type === "string") this.i++;
      return { k: "const" };
    }
    if (tok.type === "number") return { k: "const" };
    if (tok.type === "name")
      return ["true", "false", "none", "True", "False", "None"].includes(tok.text) ? { k: "const" } : { k: "name", name: tok.text };
    const close = { "(": ")", "[": "]", "{": "}" }[tok.text];
    if (!close) throw new SyntaxProblem(`unexpected ${tok.text}`);
    const items: Expr[] = [];
    while (!this.skipIf(close)) {
      if (items.length) this.expect(",");
      if (this.skipIf(close)) break;
      items.push(this.expression());
      if (close === "}") {
        this.expect(":");
        items.push(this.expression());
      }
    }
    return items.length === 1 && close === ")" && this.t[this.i - 2]?.text !== "," ? items[0] : { k: "op", items };
  }
  private postfix(value: Expr): Expr {
    for (;;) {
      if (this.skipIf(".")) {
        const tok = this.t[this.i++];
        if (tok?.type !== "name" && tok?.type !== "number") throw new SyntaxProblem("expected an attribute");
        value = { k: "access", value, args: [] };
      } else if (this.skipIf("[")) {
        const args: Expr[] = [];
        while (!this.skipIf("]")) {
          if (this.skipIf(":") || this.skipIf(",")) continue;
          args.push(this.expression());
        }
        value = { k: "access", value, args };
      } else if (this.peek("(")) value = { k: "access", value, args: this.callArgs().args };
      else return value;
    }
  }
  private callArgs(): { args: Expr[]; firstArgText?: string } {
    this.expect("(");
    const args: Expr[] = [];
    let firstArgText: string | undefined;
    while (!this.skipIf(")")) {
      if (args.length) this.expect(",");
      if (this.skipIf(")")) break;
      if (this.skipIf("**") || this.skipIf("*")) {
        args.push(this.expression());
        continue;
      }
      if (this.t[this.i]?.type === "name" && this.peek("=", 1)) this.i += 2; // a keyword argument's name
      const from = this.t[this.i]?.start;
      args.push(this.expression());
      if (args.length === 1 && from !== undefined) firstArgText = this.tag.source.slice(from, this.t[this.i - 1].end);
    }
    return { args, ...(firstArgText !== undefined ? { firstArgText } : {}) };
  }
  /** `value|f(…)|g`, `value is test(…)`; without a value (a filter block), the chain alone. */
  filters(value: Expr | undefined, withTests = true): Expr {
    let first = value === undefined;
    for (;;) {
      if (first || this.skipIf("|")) {
        first = false;
        let name = this.name();
        while (this.skipIf(".")) name += `.${this.name()}`;
        const call = this.peek("(") ? this.callArgs() : { args: [] };
        value = { k: "filter", name, ...(value ? { value } : {}), ...call };
      } else if (withTests && value && this.skipIf("is")) {
        const negated = this.skipIf("not");
        let name = this.name();
        while (this.skipIf(".")) name += `.${this.name()}`;
        let args: Expr[] = [];
        if (this.peek("(")) args = this.callArgs().args;
        else if (this.startsArgument()) args = [this.postfix(this.primary())];
        value = { k: "test", name, negated, value, args };
      } else return value!;
    }
  }
  /** A test's single argument without parentheses (`x is divisibleby 3`), as Jinja's parser decides. */
  private startsArgument(): boolean {
    const tok = this.t[this.i];
    if (!tok || ["else", "or", "and"].includes(tok.text)) return false;
    return tok.type !== "op" ? !(tok.type === "name" && ["if", "in", "not", "is"].includes(tok.text)) : ["(", "[", "{"].includes(tok.text);
  }
}

const OPERATORS = ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", ".", ",", ":", "|", "(", ")", "[", "]", "{", "}"];
const TOKEN_RE = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|('(?:[^'\\]|\\[\s\S])*'|"(?:[^"\\]|\\[\s\S])*")|(\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d[\d_]*)?))/y;

const SPACE_RE = /\s*/y;

/** The template's tags in order, each with its tokens; text, comments and raw blocks are left out. */
function lex(s: string): Tag[] {
  const tags: Tag[] = [];
  let pos = 0;
  const open = /\{\{|\{%|\{#/g;
  for (;;) {
    open.lastIndex = pos;
    const m = open.exec(s);
    if (!m) return tags;
    if (m[0] === "{#") {
      const close = s.indexOf("#}", m.index + 2);
      if (close < 0) return tags;
      pos = close + 2;
      continue;
    }
    const raw = /\{%[-+]?\s*raw\s*[-+]?%\}/y;
    raw.lastIndex = m.index;
    if (raw.test(s)) {
      const endraw = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
      endraw.lastIndex = raw.lastIndex;
      const e = endraw.exec(s);
      if (!e) return tags;
      pos = e.index + e[0].length;
      continue;
    }
    const kind = m[0] === "{{" ? "output" : "statement";
    let at = m.index + 2;
    if (s[at] === "-" || s[at] === "+") at++;
    const tokens: Token[] = [];
    const closer = kind === "output" ? /\s*-?\}\}/y : /\s*[-+]?%\}/y;
    let depth = 0;
    let closed = false;
    while (at < s.length) {
      closer.lastIndex = at;
      if (depth === 0 && closer.test(s)) {
        at = closer.lastIndex;
        closed = true;
        break;
      }
      TOKEN_RE.lastIndex = at;
      const t = TOKEN_RE.exec(s);
      SPACE_RE.lastIndex = at;
      const skipped = t ? at + (t[0].length - (t[1] ?? t[2] ?? t[3]).length) : at + (SPACE_RE.exec(s)?.[0].length ?? 0);
      if (t) {
        tokens.push({ type: t[1] !== undefined ? "name" : t[2] !== undefined ? "string" : "number", text: t[1] ?? t[2] ?? t[3], start: skipped, end: TOKEN_RE.lastIndex });
        at = TOKEN_RE.lastIndex;
        continue;
      }
      const op = OPERATORS.find((o) => s.startsWith(o, skipped));
      if (!op) break; // a character Jinja does not know: the tag is unreadable
      if (op === "(" || op === "[" || op === "{") depth++;
      else if (op === ")" || op === "]" || op === "}") depth = Math.max(0, depth - 1);
      tokens.push({ type: "op", text: op, start: skipped, end: skipped + op.length });
      at = skipped + op.length;
    }
    if (closed) tags.push({ kind, tokens, source: s });
    else {
      // Skip to the tag's closing delimiter, dropping what cannot be read.
      const next = s.indexOf(kind === "output" ? "}}" : "%}", at);
      if (next < 0) return tags;
      at = next + 2;
    }
    pos = at;
  }
}

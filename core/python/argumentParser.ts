import { HashIndex, KeyCanonicalizer } from "../protocol/pickle/hashIndex";
import { PyBytes, PyDict, PyFloat, PySet, PyTuple, pyFloat, pyInt, type PyValue } from "../protocol/pyValue";
import { ArgumentSyntaxError } from "./argumentError";
import { LiteralLexer, type LiteralToken } from "./literalLexer";

export { ArgumentSyntaxError, type ArgumentErrorCode } from "./argumentError";

export interface ParsedArguments {
  args: PyValue[];
  /** Keyword arguments in the order typed; keys are always str. */
  kwargs: PyDict;
}

/** Deeper nesting than this is surely a mistake, and bounds the parser's recursion. */
export const MAX_NESTING = 100;
/** A `range(...)` for map is expanded client-side; beyond this it is not a sensible batch. */
export const MAX_RANGE_LENGTH = 1_000_000;

const KEYWORDS = new Set(
  ("and as assert async await break class continue def del elif else except finally for from global if import in is " +
    "lambda nonlocal not or pass raise return try while with yield").split(" "),
);
const CONSTANTS = new Map<string, PyValue>([
  ["True", true],
  ["False", false],
  ["None", null],
]);
const LITERAL_KINDS =
  "only literal values can be sent: numbers, strings, bytes, True/False/None, and lists, tuples, dicts or sets of them";

/**
 * It runs on every keystroke, so it is linear in its input: dict keys, set items and keyword names are
 * found through hash indexes (never by scanning what came before), and decimal ints stop at CPython's
 * 4300-digit limit (decimal → binary is superlinear).
 *
 * Parses the text between the parentheses of a Python call, e.g. `1234567890, sequence_limit=100`,
 * into positional and keyword arguments. Only literals are accepted (what `ast.literal_eval` would
 * accept, minus complex numbers, plus `set()`); anything that would need Python to evaluate it throws
 * an ArgumentSyntaxError pointing at it.
 */
export function parseArguments(text: string): ParsedArguments {
  return new LiteralParser(text).arguments();
}

/**
 * Parses what a map runs over: `range(stop)`, `range(start, stop[, step])` with int literals, or a list
 * or tuple literal.
 */
export function parseIterable(text: string): PyValue[] {
  return new LiteralParser(text).iterable();
}

class LiteralParser {
  private readonly lexer: LiteralLexer;
  private tok: LiteralToken;
  private depth = 0;
  private peeked: LiteralToken | undefined;
  /** End offset of the last consumed token, to underline whole values. */
  private lastEnd = 0;
  /** Canonical texts of composite keys, shared by every dict and set of this text. */
  private readonly canon = new KeyCanonicalizer();

  constructor(private readonly text: string) {
    this.lexer = new LiteralLexer(text);
    this.tok = this.lexer.next();
  }

  arguments(): ParsedArguments {
    const args: PyValue[] = [];
    const kwargs = new PyDict();
    const names = new Set<string>();
    let firstKeyword: LiteralToken | undefined;
    while (this.tok.kind !== "end") {
      const start = this.tok;
      if (start.kind === "op" && (start.value === "*" || start.value === "**")) {
        throw this.error("NOT_A_LITERAL", `unpacking with ${start.value} is not supported; write the values out`, start);
      }
      const keyword = this.keywordName();
      if (keyword) {
        const name = keyword.value as string; // a name token, NFKC-normalised
        if (names.has(name)) throw this.error("DUPLICATE_KEYWORD", `keyword argument repeated: ${brief(name)}`, keyword);
        names.add(name);
        kwargs.entries.push([name, this.value()]);
        firstKeyword ??= keyword;
      } else {
        const value = this.value();
        if (firstKeyword) {
          throw new ArgumentSyntaxError(
            "POSITIONAL_AFTER_KEYWORD",
            `positional argument follows keyword argument ${firstKeyword.value}=; put positional arguments first`,
            start.start,
            this.lastEnd - start.start,
          );
        }
        args.push(value);
      }
      if (!this.separator("end")) break;
    }
    return { args, kwargs };
  }

  iterable(): PyValue[] {
    const t = this.tok;
    let items: PyValue[];
    if (t.kind === "name" && t.value === "range") {
      items = this.range();
    } else {
      const value = this.value();
      if (Array.isArray(value)) items = value;
      else if (value instanceof PyTuple) items = [...value.items];
      else throw this.error("NOT_A_LITERAL", "expected range(…) or a list or tuple of values, e.g. [1, 2, 3]", t, this.lastEnd - t.start);
    }
    this.expectEnd();
    return items;
  }

  private advance(): LiteralToken {
    const t = this.tok;
    this.lastEnd = t.end;
    this.tok = this.peeked ?? this.lexer.next();
    this.peeked = undefined;
    return t;
  }

  private isOp(value: string): boolean {
    return this.tok.kind === "op" && this.tok.value === value;
  }

  /** `name=` at the start of an argument: consumes both and returns the name token. */
  private keywordName(): LiteralToken | undefined {
    if (this.tok.kind !== "name") return undefined;
    const save = this.tok;
    const peek = this.peek();
    if (!(peek.kind === "op" && peek.value === "=")) return undefined;
    // Python reads identifiers NFKC-normalised: `ﬁ=1` is the keyword `fi`.
    const name = save.value.normalize("NFKC");
    if (CONSTANTS.has(name) || KEYWORDS.has(name) || name === "__debug__" || !IDENTIFIER.test(name)) {
      throw this.error("UNEXPECTED_TOKEN", `${brief(save.value)} cannot be used as a keyword argument name`, save);
    }
    this.advance();
    this.advance();
    return { ...save, value: name };
  }

  /** One token of lookahead beyond `tok` (for `name=` and `set()`). */
  private peek(): LiteralToken {
    this.peeked ??= this.lexer.next();
    return this.peeked;
  }

  private value(): PyValue {
    const t = this.tok;
    if (t.kind === "op" && (t.value === "-" || t.value === "+")) {
      // As in ast.literal_eval: one sign, directly on a number literal.
      this.advance();
      const operand = this.tok;
      if (operand.kind !== "int" && operand.kind !== "float") {
        throw this.error("NOT_A_LITERAL", `a sign can only stand directly before a number; ${t.value} is not evaluated here`, t);
      }
      const v = this.atom() as number | bigint | PyFloat;
      this.rejectTrailer();
      return t.value === "-" ? negate(v) : v;
    }
    const v = this.atom();
    this.rejectTrailer();
    return v;
  }

  private atom(): PyValue {
    const t = this.tok;
    switch (t.kind) {
      case "int":
        this.advance();
        return pyInt(t.value);
      case "float":
        this.advance();
        return pyFloat(t.value);
      case "str":
      case "bytes":
        return this.strings();
      case "name":
        this.advance();
        return this.name(t.value, t);
      case "end":
        throw this.error("UNEXPECTED_END", "a value is missing here", t);
      case "op":
        if (t.value === "(") return this.nested(() => this.parenthesized());
        if (t.value === "[") return this.nested(() => this.sequence("]"));
        if (t.value === "{") return this.nested(() => this.braces());
        throw this.unexpected(t);
    }
  }

  private name(name: string, t: LiteralToken): PyValue {
    const constant = CONSTANTS.get(name);
    if (constant !== undefined) return constant;
    if (name === "set" && this.isOp("(") && this.peek().kind === "op" && this.peek().value === ")") {
      this.advance();
      this.advance();
      return new PySet([]);
    }
    if (this.isOp("(")) {
      throw this.error("NOT_A_LITERAL", `${brief(name)}(…) is a call, which would run code; ${LITERAL_KINDS}`, t);
    }
    if (KEYWORDS.has(name)) throw this.error("UNEXPECTED_TOKEN", `${name} is a Python keyword, not a value`, t);
    if (name === "inf" || name === "nan") {
      throw this.error("NOT_A_LITERAL", `${name} is not a Python literal; there is no literal for float('${name}')`, t);
    }
    throw this.error("NOT_A_LITERAL", `${brief(name)} is a name, not a value: ${LITERAL_KINDS}`, t);
  }

  /** Adjacent string literals concatenate, as in Python; str and bytes cannot mix. */
  private strings(): PyValue {
    const first = this.tok;
    let text = "";
    const bytes: number[] = [];
    while (this.tok.kind === "str" || this.tok.kind === "bytes") {
      const t = this.advance();
      if (t.kind !== first.kind) throw this.error("INVALID_STRING", "bytes and str literals cannot be joined", t);
      if (t.kind === "str") text += t.value;
      else if (t.kind === "bytes") for (const b of t.value) bytes.push(b);
    }
    return first.kind === "str" ? text : new PyBytes(Uint8Array.from(bytes));
  }

  private parenthesized(): PyValue {
    const open = this.advance();
    if (this.isOp(")")) {
      this.advance();
      return new PyTuple([]);
    }
    const first = this.value();
    if (this.isOp(")")) {
      this.advance();
      return first;
    }
    this.expectSeparator(")", open);
    const rest = this.items(")", open);
    return new PyTuple([first, ...rest]);
  }

  private sequence(close: string): PyValue[] {
    const open = this.advance();
    return this.items(close, open);
  }

  /** Values separated by commas up to `close`, which it consumes; a trailing comma is allowed. */
  private items(close: string, open: LiteralToken): PyValue[] {
    const out: PyValue[] = [];
    while (!this.isOp(close)) {
      out.push(this.value());
      if (!this.separator(close, open)) break;
    }
    this.advance();
    return out;
  }

  private braces(): PyValue {
    const open = this.advance();
    if (this.isOp("}")) {
      this.advance();
      return new PyDict();
    }
    const keyToken = this.tok;
    const first = this.value();
    if (this.isOp(":")) return this.dictFrom(first, keyToken, open);
    const items: PyValue[] = [];
    const index = new HashIndex(this.canon);
    this.addToSet(items, index, first, keyToken);
    while (this.separator("}", open) && !this.isOp("}")) {
      const t = this.tok;
      this.addToSet(items, index, this.value(), t);
    }
    this.advance();
    return new PySet(items);
  }

  private dictFrom(firstKey: PyValue, firstKeyToken: LiteralToken, open: LiteralToken): PyDict {
    const dict = new PyDict();
    const index = new HashIndex(this.canon);
    let key = firstKey;
    let keyToken = firstKeyToken;
    for (;;) {
      this.requireHashable(key, keyToken, "a dict key");
      if (!this.isOp(":")) throw this.error("UNEXPECTED_TOKEN", "expected : between a dict key and its value", this.tok);
      this.advance();
      const value = this.value();
      // Python keeps the first key's position and the last value ({1: "a", True: "b"} is {1: "b"}).
      const at = index.find(key);
      if (at !== undefined) dict.entries[at][1] = value;
      else {
        index.add(key, dict.entries.length);
        dict.entries.push([key, value]);
      }
      if (!this.separator("}", open) || this.isOp("}")) break;
      keyToken = this.tok;
      key = this.value();
    }
    this.advance();
    return dict;
  }

  private addToSet(items: PyValue[], index: HashIndex, v: PyValue, t: LiteralToken): void {
    this.requireHashable(v, t, "a set item");
    // Python keeps the first of equal items ({1, True} is {1}).
    if (index.find(v) !== undefined) return;
    index.add(v, items.length);
    items.push(v);
  }

  private requireHashable(v: PyValue, t: LiteralToken, role: string): void {
    if (!isHashable(v)) {
      throw new ArgumentSyntaxError(
        "UNHASHABLE",
        `a list, dict or set cannot be ${role} (it is unhashable); use a tuple instead`,
        t.start,
        Math.max(1, this.lastEnd - t.start),
      );
    }
  }

  private range(): PyValue[] {
    const name = this.advance();
    if (!this.isOp("(")) throw this.error("UNEXPECTED_TOKEN", "expected ( after range", this.tok);
    const open = this.tok;
    const bounds = this.nested(() => this.sequence(")"));
    const ints = bounds.map((b) => (typeof b === "number" && Number.isInteger(b) ? BigInt(b) : typeof b === "bigint" ? b : undefined));
    const span = { start: name.start, end: this.lastEnd };
    if (ints.length < 1 || ints.length > 3 || ints.some((b) => b === undefined)) {
      throw new ArgumentSyntaxError(
        "INVALID_RANGE",
        "range takes 1 to 3 whole numbers: range(stop), range(start, stop) or range(start, stop, step)",
        open.start,
        span.end - open.start,
      );
    }
    const [start, stop, step] = ints.length === 1 ? [0n, ints[0]!, 1n] : [ints[0]!, ints[1]!, ints[2] ?? 1n];
    if (step === 0n) throw new ArgumentSyntaxError("INVALID_RANGE", "range step must not be zero", span.start, span.end - span.start);
    const count = step > 0n ? (stop - start + step - 1n) / step : (start - stop - step - 1n) / -step;
    if (count > BigInt(MAX_RANGE_LENGTH)) {
      throw new ArgumentSyntaxError(
        "INVALID_RANGE",
        `this range has ${count} items; at most ${MAX_RANGE_LENGTH} can be submitted at once`,
        span.start,
        span.end - span.start,
      );
    }
    const out: PyValue[] = [];
    const safe = (b: bigint) => b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER);
    if (safe(start) && safe(stop) && safe(step)) {
      // Plain numbers: a range of 100k items in a millisecond, not a BigInt per item.
      const [first, n, by] = [Number(start), Number(count), Number(step)];
      for (let i = 0; i < n; i++) out.push(first + i * by);
      return out;
    }
    for (let i = 0n, v = start; i < count; i++, v += step) out.push(pyInt(v));
    return out;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) {
      throw this.error("TOO_DEEP", `values are nested more than ${MAX_NESTING} levels deep`, this.tok);
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /**
   * After an element: consumes a comma and returns true, or returns false at `close` (not consumed).
   * Anything else is an error that names what was expected.
   */
  private separator(close: string, open?: LiteralToken): boolean {
    if (this.isOp(",")) {
      this.advance();
      return true;
    }
    if (close === "end" ? this.tok.kind === "end" : this.isOp(close)) return false;
    if (this.tok.kind === "end" && open) {
      throw new ArgumentSyntaxError("UNEXPECTED_END", `this ${open.value} is never closed: add ${close}`, open.start, 1);
    }
    throw this.unexpected(this.tok, close === "end" ? "expected , between arguments" : `expected , or ${close}`);
  }

  private expectSeparator(close: string, open: LiteralToken): void {
    if (!this.separator(close, open)) throw this.unexpected(this.tok);
  }

  private expectEnd(): void {
    if (this.tok.kind !== "end") throw this.unexpected(this.tok, "expected nothing more after the value");
  }

  /** Values followed by `(`, `[`, `.` or an operator would be evaluated by Python; say so precisely. */
  private rejectTrailer(): void {
    const t = this.tok;
    if (t.kind !== "op") return;
    if (t.value === "(") throw this.error("NOT_A_LITERAL", `calling a value would run code; ${LITERAL_KINDS}`, t);
    if (t.value === "[") throw this.error("NOT_A_LITERAL", `indexing a value would run code; ${LITERAL_KINDS}`, t);
    if (t.value === ".") throw this.error("NOT_A_LITERAL", `attribute access would run code; ${LITERAL_KINDS}`, t);
    if (!",:)]}=".includes(t.value)) {
      throw this.error("NOT_A_LITERAL", `operators such as ${t.value} are not evaluated; write the resulting value instead`, t);
    }
  }

  private unexpected(t: LiteralToken, expected?: string): ArgumentSyntaxError {
    if (t.kind === "end") return this.error("UNEXPECTED_END", expected ? `the text ends too early: ${expected}` : "a value is missing here", t);
    if (t.kind === "name" && !CONSTANTS.has(t.value)) {
      return this.error("NOT_A_LITERAL", `${brief(t.value)} is a name, not a value${expected ? ` (${expected})` : ""}: ${LITERAL_KINDS}`, t);
    }
    const text = t.kind === "op" ? t.value : this.text.slice(t.start, t.end);
    // An invisible character (a no-break space, say) is named, since it cannot be seen in the message.
    const shown = /^[\p{Z}\p{C}]$/u.test(text) ? `character U+${text.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} (invisible)` : brief(text);
    return this.error("UNEXPECTED_TOKEN", `unexpected ${shown}${expected ? `: ${expected}` : ""}`, t);
  }

  private error(code: ArgumentSyntaxError["code"], message: string, t: LiteralToken, length?: number): ArgumentSyntaxError {
    return new ArgumentSyntaxError(code, message, t.start, Math.max(1, length ?? t.end - t.start));
  }
}

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
const BRIEF = 40;

/** Text quoted in a message, cut short: a pasted 200 KB name must not become a 200 KB message. */
function brief(text: string): string {
  return text.length <= BRIEF ? text : `${text.slice(0, BRIEF)}…`;
}

function negate(v: number | bigint | PyFloat): PyValue {
  if (v instanceof PyFloat) return pyFloat(-v.value);
  if (typeof v === "bigint") return pyInt(-v);
  // A JS number here is an int (canonical form) or a non-integral float; 0 must stay int 0, not -0.
  return Number.isInteger(v) ? pyInt(-BigInt(v)) : -v;
}

function isHashable(v: PyValue): boolean {
  if (Array.isArray(v) || v instanceof PyDict || v instanceof PySet) return false;
  if (v instanceof PyTuple) return v.items.every(isHashable);
  return true;
}

/**
 * Reads the wire-format test vectors (`test/fixtures/vectors/wire-vectors.json`: the project's copy of
 * the team's `../shared/vectors/`, see PROVENANCE.md there) without losing Python's float/int
 * distinction.
 *
 * `JSON.parse` reads `2.0` as `2`, so in the lossless fields (`input.value`, `input.args`,
 * `input.kwargs`, `decoded_tagged`, `endpoint_view`, at any depth) an integral float literal within
 * ±(2^53−1) becomes `{"__float__": "<literal>"}`, as the vectors README prescribes. Everything else is
 * exactly what `JSON.parse` gives. Notes for consumers:
 * - `-0.0` stays the number `-0`; integral floats beyond ±(2^53−1) (`1e+16`, `1e+300`) stay plain
 *   numbers: ints that large are always written `{"__int__": ...}`, so a plain one is a float.
 * - the file is parsed once per process and shared: treat the returned objects as read-only.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const VECTORS_DIR = resolve(__dirname, "../fixtures/vectors");
export const VECTORS_PATH = resolve(VECTORS_DIR, "wire-vectors.json");
/** Where the shared originals sit beside a development checkout; absent in a user's clone. */
export const SHARED_VECTORS_DIR = resolve(__dirname, "../../../shared/vectors");

export interface VectorCase {
  id: string;
  kind: string;
  description: string;
  input: Record<string, unknown>;
  expected: unknown;
  [field: string]: unknown;
}

let cache: VectorCase[] | undefined;

/** All cases, or only those of one `kind` (e.g. `"dill_data"`), in file order. */
export function loadVectors(kind?: string): VectorCase[] {
  cache ??= parseVectorsJson(readFileSync(VECTORS_PATH, "utf8")) as VectorCase[];
  return kind === undefined ? cache : cache.filter((c) => c.kind === kind);
}

const LOSSLESS_FIELDS = new Set(["value", "args", "kwargs", "decoded_tagged", "endpoint_view"]);

/**
 * Parses JSON text like `JSON.parse`, except that integral float literals inside the lossless fields
 * come out as `{"__float__": literal}`. Exported for tests of the reader itself.
 */
export function parseVectorsJson(text: string): unknown {
  return new LosslessReader(text).read();
}

class LosslessReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  read(): unknown {
    const v = this.value(false);
    this.skipWs();
    if (this.pos !== this.text.length) this.fail("trailing data");
    return v;
  }

  private value(lossless: boolean): unknown {
    this.skipWs();
    const c = this.text[this.pos];
    if (c === "{") return this.object(lossless);
    if (c === "[") return this.array(lossless);
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number(lossless);
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail("unexpected character");
  }

  private object(lossless: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    this.skipWs();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      const key = this.string();
      this.expect(":");
      out[key] = this.value(lossless || LOSSLESS_FIELDS.has(key));
      this.skipWs();
      if (this.text[this.pos++] === "}") return out;
      if (this.text[this.pos - 1] !== ",") this.fail("expected , or }");
    }
  }

  private array(lossless: boolean): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    this.skipWs();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(lossless));
      this.skipWs();
      if (this.text[this.pos++] === "]") return out;
      if (this.text[this.pos - 1] !== ",") this.fail("expected , or ]");
    }
  }

  private string(): string {
    if (this.text[this.pos] !== '"') this.fail("expected string");
    let end = this.pos + 1;
    while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === "\\" ? 2 : 1;
    if (end >= this.text.length) this.fail("unterminated string");
    const lit = this.text.slice(this.pos, end + 1);
    this.pos = end + 1;
    return JSON.parse(lit) as string;
  }

  private number(lossless: boolean): unknown {
    const m = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const lit = m.exec(this.text)?.[0];
    if (!lit) return this.fail("bad number");
    this.pos += lit.length;
    const n = Number(lit);
    const isFloatLiteral = /[.eE]/.test(lit);
    if (lossless && isFloatLiteral && Number.isSafeInteger(n) && !Object.is(n, -0)) return { __float__: lit };
    return n;
  }

  private skipWs(): void {
    while (/\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  private expect(ch: string): void {
    this.skipWs();
    if (this.text[this.pos++] !== ch) this.fail(`expected ${ch}`);
  }

  private fail(msg: string): never {
    throw new SyntaxError(`vectors JSON: ${msg} at offset ${this.pos}`);
  }
}

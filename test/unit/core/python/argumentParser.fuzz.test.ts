import { test } from "node:test";
import assert from "node:assert/strict";
import { ArgumentSyntaxError, parseArguments } from "../../../../core/python/argumentParser";
import { PyDict, pyEquals, type PyValue } from "../../../../core/protocol/pyValue";
import { fromTagged, runPythonJson, type Tagged } from "./pythonOracle";

/** mulberry32: small, seeded, good enough to spread cases. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  number(): string {
    const digits = () => String(this.int(10 ** (1 + this.int(6))));
    return this.pick([
      () => digits(),
      () => "9".repeat(1 + this.int(40)),
      () => `0x${this.int(1e9).toString(16)}`,
      () => `0o${this.int(1e6).toString(8)}`,
      () => `0b${this.int(1e4).toString(2)}`,
      () => `1_000_${digits()}`,
      () => `${digits()}.${digits()}`,
      () => `${digits()}e${this.pick(["", "-", "+"])}${this.int(400)}`,
      () => `.${digits()}`,
      () => `${digits()}.`,
      () => `-${digits()}`,
    ])();
  }
  string(): string {
    const pieces = ["a", "é", "😀", "\\n", "\\t", "\\\\", "\\x41", "\\101", "\\u00e9", "\\U0001F600", "\\d", " ", "'", '"'];
    const prefix = this.pick(["", "", "r", "u", "b", "rb", "B", "R"]);
    const isBytes = prefix.toLowerCase().includes("b");
    let body = "";
    for (let i = this.int(6); i > 0; i--) {
      const p = this.pick(pieces);
      if (isBytes && /[é😀]|\\[uU]/u.test(p)) continue;
      body += p;
    }
    const q = this.pick(["'", '"', "'''", '"""']);
    // Escape the quote character; a string must not end in a lone backslash.
    body = body.replaceAll(q[0], "\\" + q[0]).replace(/\\+$/, "");
    return `${prefix}${q}${body}${q}`;
  }
  value(depth: number): string {
    const leaf = () => this.pick([() => this.number(), () => this.string(), () => this.pick(["True", "False", "None"])])();
    if (depth > 3 || this.r() < 0.5) return leaf();
    const items = () => Array.from({ length: this.int(4) }, () => this.value(depth + 1));
    const hashable = () => Array.from({ length: this.int(4) }, () => leaf());
    return this.pick([
      () => `[${items().join(", ")}]`,
      () => {
        const xs = items();
        return `(${xs.join(", ")}${xs.length === 1 || (xs.length > 0 && this.r() < 0.5) ? "," : ""})`;
      },
      () => `{${hashable().map((k) => `${k}: ${this.value(depth + 1)}`).join(", ")}}`,
      () => `{${[leaf(), ...hashable()].join(", ")}}`,
    ])();
  }
  argumentText(): string {
    const parts = Array.from({ length: this.int(4) }, () => this.value(0));
    const kws = Array.from({ length: this.int(3) }, (_, i) => `k${i}=${this.value(0)}`);
    return [...parts, ...kws].join(", ");
  }
  mutate(text: string): string {
    const junk = ["(", ")", "[", "]", "{", "}", ",", ":", "=", "'", '"', "\\", "-", "+", "*", ".", "x", "0", "_", "e", "j", " ", "\n", "#", "b", "f"];
    // Code points, not UTF-16 units: a lone surrogate is not Python source text.
    const s = Array.from(text);
    for (let n = 1 + this.int(3); n > 0; n--) {
      const i = this.int(s.length + 1);
      const op = this.int(3);
      if (op === 0) s.splice(i, 0, this.pick(junk));
      else if (op === 1) s.splice(i, 1);
      else s.splice(i, 1, this.pick(junk));
    }
    return s.join("");
  }
}

function tryParse(text: string): { ok: true; args: PyValue[]; kwargs: PyDict } | { ok: false; error: ArgumentSyntaxError } {
  try {
    return { ok: true, ...parseArguments(text) };
  } catch (e) {
    if (e instanceof ArgumentSyntaxError) return { ok: false, error: e };
    throw new Error(`crash on ${JSON.stringify(text)}: ${String(e)}`, { cause: e });
  }
}

test("100k random and mutated argument strings give a value or a positioned error", () => {
  const g = new Gen(rng(20261126));
  let errors = 0;
  for (let i = 0; i < 100_000; i++) {
    const valid = g.argumentText();
    const text = i % 2 === 0 ? valid : g.mutate(valid);
    const r = tryParse(text);
    if (!r.ok) {
      errors++;
      assert.ok(r.error.column >= 0 && r.error.column <= text.length, `column out of range for ${JSON.stringify(text)}`);
      assert.ok(r.error.length >= 1 && r.error.column + r.error.length <= text.length + 1, `length for ${JSON.stringify(text)}`);
      assert.ok(r.error.message.length > 0);
    }
    // Unmutated texts are valid Python literals, so they must parse.
    if (i % 2 === 0) assert.ok(r.ok, `valid text rejected: ${JSON.stringify(text)}: ${r.ok ? "" : r.error.message}`);
  }
  assert.ok(errors > 10_000, `mutations should produce errors (${errors})`);
});

const ORACLE = String.raw`
import ast, json, sys
out = []
for text in json.load(sys.stdin):
    try:
        call = ast.parse("f(" + text + "\n)", mode="eval").body
        names = [k.arg for k in call.keywords]
        if len(set(names)) != len(names) or any(isinstance(a, ast.Starred) for a in call.args) or None in names:
            raise SyntaxError("dup")
        out.append({"args": [tag(ast.literal_eval(a)) for a in call.args],
                    "kwargs": [[k.arg, tag(ast.literal_eval(k.value))] for k in call.keywords]})
    except Exception as e:
        out.append(None)
print(json.dumps(out))
`;

test("agrees with Python's ast.literal_eval on valid and mutated texts", () => {
  const g = new Gen(rng(7));
  const texts = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? g.argumentText() : g.mutate(g.argumentText())));
  const expected = runPythonJson<({ args: Tagged[]; kwargs: [string, Tagged][] } | null)[]>(ORACLE, texts);
  let compared = 0;
  texts.forEach((text, i) => {
    const ours = tryParse(text);
    const theirs = expected[i];
    // Known, deliberate differences: complex numbers and f-strings are rejected here; a final
    // backslash joins the oracle's own closing line.
    if (/\d[jJ]\b|\b[fF][rR]?['"]|\\$/.test(text)) return;
    if (theirs === null) {
      assert.ok(!ours.ok, `accepted what Python rejects: ${JSON.stringify(text)}`);
      return;
    }
    assert.ok(ours.ok, `rejected what Python accepts: ${JSON.stringify(text)}: ${ours.ok ? "" : ours.error.message}`);
    compared++;
    const want = theirs.args.map(fromTagged);
    assert.equal(ours.args.length, want.length, text);
    ours.args.forEach((v, j) => assert.ok(pyEquals(v, want[j]), `arg ${j} of ${JSON.stringify(text)}`));
    const wantKw = new PyDict(theirs.kwargs.map(([k, v]) => [k, fromTagged(v)] as const));
    assert.ok(pyEquals(ours.kwargs, wantKw), `kwargs of ${JSON.stringify(text)}`);
  });
  assert.ok(compared > 1000, `compared ${compared}`);
});

test("pathological inputs finish quickly and are rejected cleanly", () => {
  for (const text of ["(".repeat(50_000), "'" + "\\".repeat(50_000), "[1," + "1,".repeat(100_000) + "]", "\u0000\uffff\ud800", "b'" + "\\x".repeat(1000)]) {
    const r = tryParse(text);
    if (!r.ok) assert.ok(r.error.column <= text.length);
  }
});

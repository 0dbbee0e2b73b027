/**
 * Property-based fuzzing of the argument parser (fast-check; FUZZ_RUNS / FUZZ_SEED, see
 * test/support/fuzz.ts): valid Python literal texts must parse, mutated ones give a value or a
 * positioned ArgumentSyntaxError, each within the time budget; and on a sample, the parser agrees with
 * Python's own `ast.literal_eval`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ArgumentSyntaxError, parseArguments } from "../../../../core/python/argumentParser";
import { PyDict, pyEquals, type PyValue } from "../../../../core/protocol/pyValue";
import { fromTagged, runPythonJson, type Tagged } from "./pythonOracle";
import { fuzzProperty, fuzzSeed, fuzzTestOptions } from "../../../support/fuzz";

const digits = fc.oneof(fc.nat({ max: 999_999 }).map(String), fc.integer({ min: 1, max: 40 }).map((n) => "9".repeat(n)));

const numberText = fc.oneof(
  digits,
  fc.nat().map((n) => `0x${n.toString(16)}`),
  fc.nat({ max: 1e6 }).map((n) => `0o${n.toString(8)}`),
  fc.nat({ max: 1e4 }).map((n) => `0b${n.toString(2)}`),
  digits.map((d) => `1_000_${d}`),
  fc.tuple(digits, digits).map(([a, b]) => `${a}.${b}`),
  fc.tuple(digits, fc.constantFrom("", "-", "+"), fc.nat({ max: 400 })).map(([a, s, e]) => `${a}e${s}${e}`),
  digits.map((d) => `.${d}`),
  digits.map((d) => `${d}.`),
  digits.map((d) => `-${d}`),
);

const STRING_PIECES = ["a", "é", "😀", "\\n", "\\t", "\\\\", "\\x41", "\\101", "\\u00e9", "\\U0001F600", "\\d", " ", "'", '"'];

const stringText = fc
  .tuple(fc.constantFrom("", "", "r", "u", "b", "rb", "B", "R"), fc.array(fc.constantFrom(...STRING_PIECES), { maxLength: 6 }), fc.constantFrom("'", '"', "'''", '"""'))
  .map(([prefix, pieces, q]) => {
    const isBytes = prefix.toLowerCase().includes("b");
    const body = pieces
      .filter((p) => !(isBytes && /[é😀]|\\[uU]/u.test(p)))
      .join("")
      // Escape the quote character; a string must not end in a lone backslash.
      .replaceAll(q[0], "\\" + q[0])
      .replace(/\\+$/, "");
    return `${prefix}${q}${body}${q}`;
  });

const leaf = fc.oneof(numberText, stringText, fc.constantFrom("True", "False", "None"));

/** Python literal texts: nested lists, tuples, dicts (hashable keys) and sets. */
const { value: valueText } = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 4 }).map((xs) => `[${xs.join(", ")}]`),
    fc.tuple(fc.array(tie("value"), { maxLength: 4 }), fc.boolean()).map(([xs, comma]) => `(${xs.join(", ")}${xs.length === 1 || (xs.length > 0 && comma) ? "," : ""})`),
    fc.array(fc.tuple(leaf, tie("value")), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(", ")}}`),
    fc.array(leaf, { minLength: 1, maxLength: 4 }).map((xs) => `{${xs.join(", ")}}`),
  ),
}));

const argumentText = fc
  .tuple(fc.array(valueText, { maxLength: 4 }), fc.array(valueText, { maxLength: 3 }))
  .map(([args, kws]) => [...args, ...kws.map((v, i) => `k${i}=${v}`)].join(", "));

const JUNK = ["(", ")", "[", "]", "{", "}", ",", ":", "=", "'", '"', "\\", "-", "+", "*", ".", "x", "0", "_", "e", "j", " ", "\n", "#", "b", "f"];

/** 1–3 insertions, deletions or replacements of code points (a lone surrogate is not Python source). */
const mutatedText = fc
  .tuple(argumentText, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...JUNK)), { minLength: 1, maxLength: 3 }))
  .map(([text, edits]) => {
    const s = Array.from(text);
    for (const [pos, op, junk] of edits) {
      const i = pos % (s.length + 1);
      if (op === 0) s.splice(i, 0, junk);
      else if (op === 1) s.splice(i, 1);
      else s.splice(i, 1, junk);
    }
    return s.join("");
  });

type Outcome = { ok: true; args: PyValue[]; kwargs: PyDict } | { ok: false; error: ArgumentSyntaxError };

function tryParse(text: string): Outcome {
  try {
    return { ok: true, ...parseArguments(text) };
  } catch (e) {
    if (e instanceof ArgumentSyntaxError) return { ok: false, error: e };
    throw new Error(`crash on ${JSON.stringify(text)}: ${String(e)}`, { cause: e });
  }
}

function assertPositioned(text: string, r: Outcome): void {
  if (r.ok) return;
  assert.ok(r.error.column >= 0 && r.error.column <= text.length, `column out of range for ${JSON.stringify(text)}`);
  assert.ok(r.error.length >= 1 && r.error.column + r.error.length <= text.length + 1, `length for ${JSON.stringify(text)}`);
  assert.ok(r.error.message.length > 0);
}

test("valid literal argument texts always parse", fuzzTestOptions(60_000), (t) => {
  fuzzProperty(t, "argumentParser.valid", argumentText, (text) => {
    const r = tryParse(text);
    assert.ok(r.ok, `valid text rejected: ${JSON.stringify(text)}: ${r.ok ? "" : r.error.message}`);
  }, { ciRuns: 10_000 });
});

test("mutated and arbitrary texts give a value or a positioned ArgumentSyntaxError", fuzzTestOptions(60_000), (t) => {
  let errors = 0;
  const input = fc.oneof({ arbitrary: mutatedText, weight: 4 }, { arbitrary: fc.string({ unit: "binary", maxLength: 200 }), weight: 1 });
  const { inputs } = fuzzProperty(t, "argumentParser.mutated", input, (text) => {
    const r = tryParse(text);
    if (!r.ok) errors++;
    assertPositioned(text, r);
  }, { ciRuns: 20_000 });
  assert.ok(errors > inputs * 0.2, `mutations should produce errors (${errors} of ${inputs})`);
});

const ORACLE = String.raw`
import ast, json, sys
out = []
for text in json.load(sys.stdin):
    try:
        call = ast.parse("f(" + text + "\n)", mode="eval").body
        # ")(" makes "f()(...)": only one call of f itself is an argument list.
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "f"):
            raise SyntaxError("not one call")
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
  const texts = fc.sample(fc.oneof(argumentText, mutatedText, mutatedText), { numRuns: 3000, seed: fuzzSeed() });
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
    assertPositioned(text, tryParse(text));
  }
});

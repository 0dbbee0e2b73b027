/**
 * Byte-for-byte parity with CPython: random values go to one `/usr/bin/python3` process, which answers
 * `json.dumps(v)` (or the error) and `repr(v)` for each; pyJsonDumps and formatPython must agree, and
 * pyJsonLoads must read Python's JSON back to the same text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { formatPython } from "../../../../core/protocol/formatPython";
import { pyJsonDumps, pyJsonLoads } from "../../../../core/protocol/pyJson";
import { ProtocolError } from "../../../../core/protocol/errors";
import { toTagged } from "../../../../core/protocol/tagged";
import { pythonFloatRepr } from "../../../../core/protocol/numberText";
import { PyDict, PyFrozenSet, PySet, PyTuple, type PyValue } from "../../../../core/protocol/pyValue";
import { RandomPy } from "./randomPyValue";

const PYTHON = process.env.GC_TEST_PYTHON ?? "/usr/bin/python3";
const SEED = 20260826;
const COUNT = 1500;

/** Rebuilds tagged values (README convention) in Python and reports json.dumps / repr for each line. */
const PY_SCRIPT = String.raw`
import base64, json, sys
def build(t):
    if isinstance(t, list):
        return [build(x) for x in t]
    if isinstance(t, dict):
        if len(t) == 1:
            (k, b), = t.items()
            if k == "__tuple__": return tuple(build(x) for x in b)
            if k == "__set__": return set(build(x) for x in b)
            if k == "__frozenset__": return frozenset(build(x) for x in b)
            if k == "__bytes__": return base64.b64decode(b)
            if k == "__bytearray__": return bytearray(base64.b64decode(b))
            if k == "__int__": return int(b)
            if k == "__float__": return float(b)
            if k == "__dict__": return {build(a): build(v) for a, v in b}
        return {k: build(v) for k, v in t.items()}
    return t
for line in sys.stdin:
    v = build(json.loads(line))
    try:
        dumped = json.dumps(v)
    except (TypeError, ValueError) as e:
        dumped = None
    print(json.dumps([dumped, repr(v)]))
`;

/**
 * JSON text of a tagged value for Python's json to rebuild: dicts always as `__dict__` pairs (a JS object
 * would move integer-like keys first), and floats JSON would misread (`-0.0`, integral floats beyond 2^53)
 * as `__float__`.
 */
function transport(v: PyValue): string {
  const pairsOnly = (x: PyValue): unknown =>
    x instanceof PyDict
      ? { __dict__: x.entries.map(([k, val]) => [pairsOnly(k), pairsOnly(val)]) }
      : Array.isArray(x)
        ? x.map(pairsOnly)
        : x instanceof PyTuple || x instanceof PySet || x instanceof PyFrozenSet
          ? { [`__${x.kind}__`]: x.items.map(pairsOnly) }
          : toTagged(x);
  return JSON.stringify(pairsOnly(v), (_k, x: unknown) =>
    typeof x === "number" && Number.isInteger(x) && (Object.is(x, -0) || !Number.isSafeInteger(x)) ? { __float__: pythonFloatRepr(x) } : x,
  );
}

function tryDumps(v: PyValue): string | null {
  try {
    return pyJsonDumps(v);
  } catch (e) {
    assert.ok(e instanceof ProtocolError && e.code === "NOT_SERIALIZABLE", `unexpected error ${String(e)}`);
    return null;
  }
}

test(`json.dumps, repr and json.loads match CPython on ${COUNT} random values (seed ${SEED})`, () => {
  const rnd = new RandomPy(SEED);
  const values = Array.from({ length: COUNT }, (_, i) => rnd.value({ jsonOnly: i % 2 === 0 }));
  const out = execFileSync(PYTHON, ["-c", PY_SCRIPT], { input: values.map(transport).join("\n") + "\n", encoding: "utf8" });
  const answers = out.trimEnd().split("\n").map((l) => JSON.parse(l) as [string | null, string]);
  assert.equal(answers.length, COUNT);
  let jsonChecked = 0;
  values.forEach((v, i) => {
    const [pyDumped, pyRepr] = answers[i];
    assert.equal(formatPython(v), pyRepr, `repr of value #${i}`);
    assert.equal(tryDumps(v), pyDumped, `json.dumps of value #${i}: ${pyRepr}`);
    if (pyDumped !== null) {
      assert.equal(pyJsonDumps(pyJsonLoads(pyDumped)), pyDumped, `json.loads of value #${i}`);
      jsonChecked++;
    }
  });
  // Guard against a generator that stops producing JSON-able values (the test would then prove little).
  assert.ok(jsonChecked > COUNT / 3, `only ${jsonChecked} JSON round trips`);
});

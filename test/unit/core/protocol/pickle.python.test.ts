/**
 * Pickles from encodePickle against CPython itself: one `/usr/bin/python3` process rebuilds each value
 * from an independent JSON description, loads our protocol-4 and -5 pickles (and our MIME base64), and
 * reports whether they load to an equal value and are byte-identical to `pickle.dumps` and `dill.dumps`
 * of the same value. It also pickles each value with protocols 0–5 and dill, for decodePickle to read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { decodePickle, encodePickle } from "../../../../core/protocol/pickle";
import { decodeBase64Mime, encodeBase64Mime } from "../../../../core/protocol/base64Mime";
import {
  PyByteArray,
  PyBytes,
  PyDict,
  PyFloat,
  PyFrozenSet,
  PySet,
  PyTuple,
  floatValue,
  isPyInt,
  pyEquals,
  type PyValue,
} from "../../../../core/protocol/pyValue";
import { RandomPy } from "./randomPyValue";

const PYTHON = process.env.GC_TEST_PYTHON ?? "/usr/bin/python3";
const SEED = 4242;
const RANDOM_COUNT = 800;

const PY_SCRIPT = String.raw`
import base64, codecs, json, math, pickle, struct, sys
import dill
sys.setrecursionlimit(20000)

def build(t):
    if t is None or isinstance(t, bool):
        return t
    if isinstance(t, str):
        return sys.intern(t)  # equal strings are one object, as equal literals are in real code
    (k, b), = t.items()
    if k == "i": return int(b)
    if k == "f": return struct.unpack(">d", bytes.fromhex(b))[0]
    if k == "l": return [build(x) for x in b]
    if k == "t": return tuple([build(x) for x in b])
    if k == "s": return set(build(x) for x in b)
    if k == "z": return frozenset(build(x) for x in b)
    if k == "d": return {build(a): build(v) for a, v in b}
    if k == "b": return bytes.fromhex(b)
    if k == "a": return bytearray.fromhex(b)
    raise ValueError(k)

def same(a, b):
    if type(a) is not type(b): return False
    if type(a) is float: return (a != a and b != b) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) in (list, tuple): return len(a) == len(b) and all(map(same, a, b))
    if type(a) is dict: return len(a) == len(b) and all(same(k, l) and same(v, w) for (k, v), (l, w) in zip(a.items(), b.items()))
    return a == b

def has_bytearray(v):
    if isinstance(v, bytearray): return True
    if isinstance(v, (list, tuple, set, frozenset)): return any(has_bytearray(x) for x in v)
    if isinstance(v, dict): return any(has_bytearray(x) for x in v.values())
    return False

for line in sys.stdin:
    desc, ours4, ours5 = json.loads(line)
    expected = build(desc)
    raw4, raw5 = base64.decodebytes(ours4.encode()), base64.decodebytes(ours5.encode())
    print(json.dumps({
        "mime": codecs.encode(raw4, "base64").decode() == ours4 and codecs.encode(raw5, "base64").decode() == ours5,
        "equal4": same(pickle.loads(raw4), expected),
        "equal5": same(pickle.loads(raw5), expected),
        "bytes4": pickle.dumps(expected, 4) == raw4,
        "bytes5": pickle.dumps(expected, 5) == raw5,
        # dill writes bytearray its own way under protocol 4 (see the vectors README)
        "dill4": None if has_bytearray(expected) else dill.dumps(expected, protocol=4) == raw4,
        "theirs": [base64.b64encode(pickle.dumps(expected, p)).decode() for p in range(6)] + [base64.b64encode(dill.dumps(expected)).decode()],
    }))
`;

/** Exact, type-tagged JSON of a value for the Python side (independent of the pickle code under test). */
function describe(v: PyValue): unknown {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if ((typeof v === "number" || typeof v === "bigint") && isPyInt(v)) return { i: BigInt(v).toString() };
  if (typeof v === "number" || v instanceof PyFloat) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, floatValue(v));
    return { f: Buffer.from(view.buffer).toString("hex") };
  }
  if (Array.isArray(v)) return { l: v.map(describe) };
  if (v instanceof PyTuple) return { t: v.items.map(describe) };
  if (v instanceof PySet) return { s: v.items.map(describe) };
  if (v instanceof PyFrozenSet) return { z: v.items.map(describe) };
  if (v instanceof PyDict) return { d: v.entries.map(([k, x]) => [describe(k), describe(x)]) };
  if (v instanceof PyBytes) return { b: Buffer.from(v.bytes).toString("hex") };
  if (v instanceof PyByteArray) return { a: Buffer.from(v.bytes).toString("hex") };
  throw new Error(`cannot describe ${String(v)}`);
}

/**
 * Byte identity is expected unless the value shares a container (Python's rebuilt copy does not) or
 * has a set of several items (CPython iterates sets in hash order, a PySet in its own order).
 */
function bytewiseComparable(v: PyValue, seen = new Set<object>()): boolean {
  if (typeof v !== "object" || v === null || v instanceof PyFloat) return true;
  if (seen.has(v)) return false;
  seen.add(v);
  if ((v instanceof PySet || v instanceof PyFrozenSet) && v.items.length > 1) return false;
  const children = Array.isArray(v) ? v : v instanceof PyDict ? v.entries.flat() : "items" in v ? v.items : [];
  return children.every((c) => bytewiseComparable(c, seen));
}

const range = (n: number, f: (i: number) => PyValue): PyValue[] => Array.from({ length: n }, (_, i) => f(i));
const bytesOf = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) & 0xff);

function handPicked(): PyValue[] {
  const shared: PyValue = [1, "two"];
  let deep: PyValue = "bottom";
  for (let i = 0; i < 300; i++) deep = i % 3 === 0 ? [deep] : i % 3 === 1 ? new PyTuple([deep, i]) : PyDict.fromObject({ k: deep });
  return [
    null,
    true,
    [0, 1, 255, 256, 65535, 65536, -1, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
    [5n, -(2n ** 63n), 2n ** 64n, -(2n ** 64n), 2n ** 2100n, -(2n ** 2100n) + 1n, 1e16, 2 ** 53],
    [NaN, -0, Infinity, -Infinity, new PyFloat(2), new PyFloat(1e16), new PyFloat(-3), 5e-324, 0.1, 1e300, new PyFloat(0.25)],
    ["", "é", "😀", "h\u00e9llo w\u00f6rld \u2713 \ud83d\ude00", "\ud800", "a\udfffb\ud83d", "\u0000\n\\'\""],
    ["a", "a", "b", "a", PyDict.fromObject({ a: "a", b: ["a"] })],
    [[], new PyTuple([]), new PyDict(), new PySet([]), new PyFrozenSet([]), new PyBytes(new Uint8Array(0)), new PyByteArray(new Uint8Array(0)), ""],
    range(6, (n) => new PyTuple(range(n, (i) => i))),
    new PyDict([[1, "one"], [new PyTuple([1, "x"]), null], [2.5, 3], [null, 0], [true, 1], [new PyBytes(bytesOf(3, 5)), 2], ["s", 4]]),
    "a".repeat(70_000),
    "é😀".repeat(20_000),
    range(3000, (i) => `string number ${i} `.padEnd(30, "-")),
    range(2500, (i) => i * 7919),
    // ~100 KB of BININTs: a frame ends inside a batch of the list, so a run of ints stops short of its APPENDS.
    range(20_000, (i) => i * 65_537),
    new PyDict(Array.from({ length: 2500 }, (_, i) => [i, i % 3 ? String(i) : i] as const)),
    new PySet(range(1500, (i) => i)),
    new PyFrozenSet(range(1200, (i) => `f${i}`)),
    new PyBytes(bytesOf(100_000, 13)),
    new PyByteArray(bytesOf(70_000, 17)),
    new PyByteArray(bytesOf(10, 3)),
    [new PyByteArray(bytesOf(3, 3)), "builtins", "bytearray", new PyByteArray(bytesOf(300, 3))],
    [shared, shared, PyDict.fromObject({ k: shared })],
    deep,
    // Around the 64 KiB frame target and the ≥ 64 KiB outside-the-frame rule.
    ...[65_500, 65_524, 65_525, 65_526, 65_535, 65_536, 65_537].map((n) => ["x".repeat(n), 1, new PyBytes(bytesOf(n - 20, 3)), "y"]),
    range(40, (i) => "z".repeat(3000 + i)),
  ];
}

test(`CPython loads our pickles to equal values, byte-identical to pickle/dill, and we read theirs (seed ${SEED})`, (t) => {
  const rnd = new RandomPy(SEED);
  const values = [...handPicked(), ...range(RANDOM_COUNT, () => rnd.value({ maxDepth: 5 }))];
  const ours = values.map((v) => [encodeBase64Mime(encodePickle(v)), encodeBase64Mime(encodePickle(v, { protocol: 5 }))]);
  const input = values.map((v, i) => JSON.stringify([describe(v), ...ours[i]])).join("\n") + "\n";
  const out = execFileSync(PYTHON, ["-c", PY_SCRIPT], { input, encoding: "utf8", maxBuffer: 1 << 30, timeout: 120_000 });
  const answers = out.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(answers.length, values.length);

  let bytewise = 0;
  let dill = 0;
  values.forEach((v, i) => {
    const a = answers[i];
    const what = `value #${i}`;
    assert.equal(a.mime, true, `${what}: MIME base64 differs from codecs.encode`);
    assert.equal(a.equal4, true, `${what}: protocol 4 pickle loads to a different value`);
    assert.equal(a.equal5, true, `${what}: protocol 5 pickle loads to a different value`);
    if (bytewiseComparable(v)) {
      bytewise++;
      assert.equal(a.bytes4, true, `${what}: protocol 4 bytes differ from pickle.dumps`);
      assert.equal(a.bytes5, true, `${what}: protocol 5 bytes differ from pickle.dumps`);
      if (a.dill4 !== null) {
        assert.equal(a.dill4, true, `${what}: bytes differ from dill.dumps`);
        dill++;
      }
    }
    (a.theirs as string[]).forEach((b64, p) => {
      const label = p === 6 ? "dill" : `protocol ${p}`;
      assert.ok(pyEquals(decodePickle(decodeBase64Mime(b64)), v), `${what}: decoding Python's ${label} pickle`);
    });
  });
  t.diagnostic(`${values.length} values; ${bytewise} byte-identical to pickle.dumps (protocols 4 and 5), ${dill} also to dill.dumps`);
  // The comparison must keep covering most values, or it would prove little.
  assert.ok(bytewise > values.length * 0.9, `only ${bytewise} of ${values.length} compared byte for byte`);
});

/**
 * Python's dict-key / set-item equality for values being unpickled, so that a repeated key overwrites
 * (dict) or is dropped (set) as it would in Python: `1`, `1.0` and `True` are one key, `(1, "a")`
 * equals another `(1, "a")`.
 *
 * Every key gets a canonical text (equal keys, equal texts) so lookups are O(1) even for a set of
 * 100k tuples. A few keys can only be told apart by identity, as Python does first: NaN (each
 * unpickled NaN is its own object), opaque objects, and composite keys too deep or too large to
 * canonicalize (tuples can share sub-tuples via BINGET, so a few hundred bytes can describe a key whose
 * expansion is astronomically large). Python never pickles duplicate keys, so these only matter for
 * hand-made or corrupted pickles.
 */
import { PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PySet, PyTuple, type PyValue } from "../pyValue";
import { invalid } from "./pickleErrors";

const MAX_KEY_DEPTH = 64;
const MAX_KEY_CHARS = 1 << 16;

/** Canonical texts of keys, cached per composite key object for one decode. */
export class KeyCanonicalizer {
  private readonly cache = new Map<object, string | undefined>();

  /** Equal Python keys get equal texts; undefined when only identity can tell. */
  key(v: PyValue, depth = 0): string | undefined {
    switch (typeof v) {
      case "string":
        return "s" + v;
      case "boolean":
        return v ? "n1" : "n0";
      case "bigint":
        return "n" + v.toString();
      case "number":
        return numberKey(v);
    }
    if (v === null) return "N";
    if (v instanceof PyFloat) return numberKey(v.value);
    if (this.cache.has(v)) return this.cache.get(v);
    let text: string | undefined;
    if (v instanceof PyBytes) text = "b" + Buffer.from(v.bytes).toString("latin1");
    else if ((v instanceof PyTuple || v instanceof PyFrozenSet) && depth < MAX_KEY_DEPTH) {
      const parts: string[] = [];
      for (const item of v.items) {
        const part = this.key(item, depth + 1);
        if (part === undefined) break;
        parts.push(part);
      }
      // A frozenset equals another with the same items in any order.
      if (parts.length === v.items.length) text = (v instanceof PyTuple ? "t" : "f") + JSON.stringify(v instanceof PyTuple ? parts : parts.sort());
      if (text !== undefined && text.length > MAX_KEY_CHARS) text = undefined;
    }
    this.cache.set(v, text);
    return text;
  }

  same(a: PyValue, b: PyValue): boolean {
    if (a === b) return true; // the same object (NaN is never === itself)
    const ka = this.key(a);
    return ka !== undefined && ka === this.key(b);
  }
}

function numberKey(n: number): string | undefined {
  if (Number.isNaN(n)) return undefined;
  if (!Number.isInteger(n)) return "n" + String(n);
  return "n" + (Number.isSafeInteger(n) ? String(n + 0) : BigInt(n).toString()); // n + 0 turns -0 into 0
}

/** Python raises TypeError for these as keys; in a pickle that means the stream is corrupt. */
export function assertHashable(v: PyValue): void {
  if (typeof v !== "object" || v === null) return;
  if (!(v instanceof PyTuple)) return assertNotMutable(v);
  // Visit each (possibly shared) tuple once.
  const seen = new Set<PyValue>();
  const pending: PyValue[] = [v];
  while (pending.length > 0) {
    const x = pending.pop() as PyValue;
    if (typeof x !== "object" || x === null || seen.has(x)) continue;
    seen.add(x);
    assertNotMutable(x);
    if (x instanceof PyTuple) for (const item of x.items) pending.push(item);
  }
}

function assertNotMutable(x: Exclude<PyValue, null | boolean | number | bigint | string>): void {
  if (Array.isArray(x) || x instanceof PyDict || x instanceof PySet || x instanceof PyByteArray) {
    const kind = Array.isArray(x) ? "list" : x.kind;
    throw invalid(`unhashable type '${kind}' used as a dict key or set item`);
  }
}

/** Position lookup by Python key equality, O(1) per key. */
export class HashIndex {
  private readonly strings = new Map<string, number>();
  private readonly byKey = new Map<string, number>();
  private readonly byIdentity = new Map<object, number>();

  constructor(private readonly canon: KeyCanonicalizer) {}

  find(key: PyValue): number | undefined {
    if (typeof key === "string") return this.strings.get(key); // the common case, without a new string
    const k = this.canon.key(key);
    if (k !== undefined) return this.byKey.get(k);
    return typeof key === "object" && key !== null ? this.byIdentity.get(key) : undefined;
  }

  /** Records `key` at `position`; call only after `find` returned undefined. */
  add(key: PyValue, position: number): void {
    if (typeof key === "string") return void this.strings.set(key, position);
    const k = this.canon.key(key);
    if (k !== undefined) this.byKey.set(k, position);
    else if (typeof key === "object" && key !== null) this.byIdentity.set(key, position);
  }
}

/**
 * The two JSON views of a PyValue defined by the wire vectors README ("Value conventions"):
 * - tagged: lossless (`{"__tuple__": […]}`, `{"__int__": "…"}`, `{"__float__": "2.0"}`, `{"__dict__": […]}`);
 * - display (`decoded_json`): what a user should see; tuples and sets become arrays, keys become
 *   strings as `json.dumps` would make them.
 */
import { ProtocolError } from "./errors";
import { pythonFloatRepr } from "./numberText";
import { MAX_JSON_DEPTH } from "./pyJson";
import { formatPython } from "./formatPython";
import {
  PyByteArray,
  PyBytes,
  PyDict,
  PyFloat,
  PyFrozenSet,
  PyObject,
  PySet,
  PyTuple,
  pyFloat,
  pyInt,
  type PyValue,
} from "./pyValue";

// ------------------------------------------------------------------------------------------ fromTagged

export function fromTagged(tagged: unknown): PyValue {
  if (tagged === null || typeof tagged === "boolean" || typeof tagged === "string") return tagged;
  if (typeof tagged === "number") {
    // A plain integral number beyond ±(2^53−1) is a float: ints that large are always `__int__`.
    return Number.isSafeInteger(tagged) && !Object.is(tagged, -0) ? tagged : pyFloat(tagged);
  }
  if (Array.isArray(tagged)) return tagged.map(fromTagged);
  if (typeof tagged !== "object") throw invalid(`unsupported JS value of type ${typeof tagged}`);
  const keys = Object.keys(tagged);
  const obj = tagged as Record<string, unknown>;
  if (keys.length === 1 && keys[0] in TAGS) return TAGS[keys[0]](obj[keys[0]]);
  return new PyDict(keys.map((k) => [k, fromTagged(obj[k])]));
}

const TAGS: Record<string, (body: unknown) => PyValue> = {
  __tuple__: (b) => new PyTuple(list(b, "__tuple__").map(fromTagged)),
  __set__: (b) => new PySet(list(b, "__set__").map(fromTagged)),
  __frozenset__: (b) => new PyFrozenSet(list(b, "__frozenset__").map(fromTagged)),
  __bytes__: (b) => new PyBytes(base64(b, "__bytes__")),
  __bytearray__: (b) => new PyByteArray(base64(b, "__bytearray__")),
  __int__: (b) => {
    if (typeof b !== "string" || !/^-?\d+$/.test(b)) throw invalid("__int__ needs a decimal string");
    return pyInt(BigInt(b));
  },
  __float__: (b) => {
    const special: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };
    if (typeof b === "string" && b in special) return special[b];
    const x = typeof b === "string" && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(b) ? Number(b) : NaN;
    if (Number.isNaN(x)) throw invalid(`__float__ needs a float literal, got ${JSON.stringify(b)}`);
    return pyFloat(x);
  },
  __dict__: (b) =>
    new PyDict(
      list(b, "__dict__").map((pair) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw invalid("__dict__ entries must be [key, value] pairs");
        return [fromTagged(pair[0]), fromTagged(pair[1])] as const;
      }),
    ),
  __repr__: (b) => {
    if (typeof b !== "string") throw invalid("__repr__ needs a string");
    // An opaque placeholder `<module.Name object…>` keeps the class name; a repr the pickle gave (a
    // `datetime.date(…)`, a `Decimal('…')`) is kept as it is, with its class where it names it.
    const placeholder = /^<([\w.]+)\.(\w+) object/.exec(b);
    if (placeholder) return new PyObject(placeholder[1], placeholder[2]);
    const named = /^([\w.]+)\.(\w+)\(/.exec(b);
    return named ? new PyObject(named[1], named[2], b) : new PyObject("builtins", "object", b);
  },
};

function list(body: unknown, tag: string): unknown[] {
  if (!Array.isArray(body)) throw invalid(`${tag} needs an array`);
  return body;
}

function base64(body: unknown, tag: string): Uint8Array {
  if (typeof body !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw invalid(`${tag} needs a base64 string`);
  }
  return new Uint8Array(Buffer.from(body, "base64"));
}

function invalid(msg: string): ProtocolError {
  return new ProtocolError("INVALID_TAGGED", msg);
}

// -------------------------------------------------------------------------------------------- toTagged

export function toTagged(value: PyValue): unknown {
  return walk(value, new Walk(), TAGGED_VIEW);
}

// ---------------------------------------------------------------------------------------- toDisplayJson

export function toDisplayJson(value: PyValue): unknown {
  return walk(value, new Walk(), DISPLAY_VIEW);
}

/**
 * Values a view builds at most: a value sharing its parts (a pickle's memo) expands to a tree that can
 * be astronomically larger than the value itself.
 */
const MAX_NODES = 1_000_000;

/** One view's traversal: the containers on the current path (cycles), and the values built so far. */
class Walk {
  readonly open = new Set<object>();
  private nodes = 0;
  count(): void {
    if (++this.nodes > MAX_NODES) {
      throw new ProtocolError("NOT_SERIALIZABLE", `value too large: more than ${MAX_NODES.toLocaleString("en-US")} parts once its shared parts are expanded`);
    }
  }
}

interface View {
  /** A Python float (non-finite floats are tagged before this is called). */
  float(x: number): unknown;
  list(items: unknown[]): unknown;
  tuple(items: unknown[]): unknown;
  set(items: unknown[]): unknown;
  frozenset(items: unknown[]): unknown;
  bytes(b64: string): unknown;
  bytearray(b64: string): unknown;
  dict(d: PyDict, walking: Walk): unknown;
  object(o: PyObject): unknown;
}

const DISPLAY_VIEW: View = {
  float: (x) => x,
  list: (items) => items,
  tuple: (items) => items,
  set: (items) => items,
  frozenset: (items) => items,
  bytes: (b) => ({ __bytes__: b }),
  bytearray: (b) => ({ __bytes__: b }),
  dict: (d, walking) => objectOf(d.entries.map(([k, v]) => [displayKey(k), walk(v, walking, DISPLAY_VIEW)])),
  object: () => null,
};

const TAGGED_VIEW: View = {
  // Integral floats that JSON would read back as ints get the `__float__` tag (README convention).
  float: (x) => (Number.isSafeInteger(x) && !Object.is(x, -0) ? { __float__: pythonFloatRepr(x) } : x),
  list: (items) => items,
  tuple: (items) => ({ __tuple__: items }),
  set: (items) => ({ __set__: items }),
  frozenset: (items) => ({ __frozenset__: items }),
  bytes: (b) => ({ __bytes__: b }),
  bytearray: (b) => ({ __bytearray__: b }),
  dict: (d, walking) =>
    d.hasOnlyStringKeys()
      ? objectOf(d.entries.map(([k, v]) => [k as string, walk(v, walking, TAGGED_VIEW)]))
      : { __dict__: d.entries.map(([k, v]) => [walk(k, walking, TAGGED_VIEW), walk(v, walking, TAGGED_VIEW)]) },
  object: (o) => ({ __repr__: o.toString() }),
};

/** Shared traversal: scalars the same way in both views, containers per view, cycles and expansions beyond MAX_NODES rejected. */
function walk(v: PyValue, walking: Walk, view: View): unknown {
  walking.count();
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v) && !Object.is(v, -0))) {
    const n = pyInt(typeof v === "number" ? BigInt(v) : v);
    return typeof n === "number" ? n : { __int__: n.toString() };
  }
  if (typeof v === "number" || v instanceof PyFloat) {
    const x = typeof v === "number" ? v : v.value;
    return Number.isFinite(x) ? view.float(x) : { __float__: pythonFloatRepr(x) };
  }
  if (v instanceof PyBytes) return view.bytes(Buffer.from(v.bytes).toString("base64"));
  if (v instanceof PyByteArray) return view.bytearray(Buffer.from(v.bytes).toString("base64"));
  if (v instanceof PyObject) return view.object(v);
  const open = walking.open;
  if (open.has(v)) throw new ProtocolError("NOT_SERIALIZABLE", "Circular reference detected");
  // `open` holds the containers on the current path, so its size is the nesting depth.
  if (open.size >= MAX_JSON_DEPTH) throw new ProtocolError("NOT_SERIALIZABLE", "maximum recursion depth exceeded");
  open.add(v);
  try {
    if (v instanceof PyDict) return view.dict(v, walking);
    const items = (Array.isArray(v) ? v : v.items).map((x) => walk(x, walking, view));
    if (Array.isArray(v)) return view.list(items);
    if (v instanceof PyTuple) return view.tuple(items);
    return v instanceof PySet ? view.set(items) : view.frozenset(items);
  } finally {
    open.delete(v);
  }
}

/** Dict keys as `json.dumps` converts them; other hashable keys (tuples, bytes) as Python's `str()`. */
function displayKey(k: PyValue): string {
  if (typeof k === "string") return k;
  if (k === null) return "null";
  if (typeof k === "boolean") return k ? "true" : "false";
  if (typeof k === "number" || k instanceof PyFloat) {
    const x = typeof k === "number" ? k : k.value;
    if (Number.isNaN(x)) return "NaN";
    if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  }
  return formatPython(k);
}

/** A plain object with the entries in order (safe for a `__proto__` key). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

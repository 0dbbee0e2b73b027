/**
 * PyValue: the one representation of Python data on the TypeScript side.
 *
 * JavaScript cannot tell `2` from `2.0`, a tuple from a list, or keep a dict's integer-like keys in
 * insertion order, so the Python types that plain JS loses get small wrapper classes:
 *
 * | Python            | PyValue                                                              |
 * | ----------------- | -------------------------------------------------------------------- |
 * | None              | `null`                                                               |
 * | bool              | `boolean`                                                            |
 * | int               | `number` when an integer within ±(2^53−1) and not -0, else `bigint`  |
 * | float             | `number` when non-integral, non-finite or -0; `PyFloat` when integral |
 * | str               | `string`                                                             |
 * | list              | `PyValue[]`                                                          |
 * | tuple             | `PyTuple`                                                            |
 * | dict              | `PyDict` (ordered entries, keys of any hashable PyValue)             |
 * | set / frozenset   | `PySet` / `PyFrozenSet` (items in their pickle/iteration order)      |
 * | bytes / bytearray | `PyBytes` / `PyByteArray`                                            |
 * | anything else     | `PyObject` (opaque; renders as `<module.Name object>`)               |
 *
 * Canonical form: decoders produce a plain `number` for ints in the safe range and `bigint` beyond it;
 * `PyFloat` only for integral floats. Encoders accept both `number` and `bigint` for ints and a `PyFloat`
 * of any value.
 */

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyFrozenSet
  | PyBytes
  | PyByteArray
  | PyFloat
  | PyObject;

export type PyKind =
  | "NoneType"
  | "bool"
  | "int"
  | "float"
  | "str"
  | "list"
  | "tuple"
  | "dict"
  | "set"
  | "frozenset"
  | "bytes"
  | "bytearray"
  | "object";

/** A Python float whose value JavaScript would otherwise read as an int (e.g. `2.0`). */
export class PyFloat {
  readonly kind = "float" as const;
  constructor(readonly value: number) {}
}

export class PyTuple {
  readonly kind = "tuple" as const;
  constructor(readonly items: readonly PyValue[]) {}
}

export class PySet {
  readonly kind = "set" as const;
  constructor(readonly items: readonly PyValue[]) {}
}

export class PyFrozenSet {
  readonly kind = "frozenset" as const;
  constructor(readonly items: readonly PyValue[]) {}
}

export class PyBytes {
  readonly kind = "bytes" as const;
  constructor(readonly bytes: Uint8Array) {}
}

export class PyByteArray {
  readonly kind = "bytearray" as const;
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * An object the TypeScript side cannot rebuild (a GLOBAL/REDUCE in a pickle, e.g. a datetime). Its names
 * and repr come from the pickle and are shown on one line (the output channel, a tree item, an error
 * message), so they are shown with control, bidi and separator characters escaped (`\n`, `\u202e`): a
 * class named `"X object>\n[info] …"` must not forge a line. No Python identifier has such characters.
 * (Escaped when shown, not when built: a pickle can name one huge string a million times.)
 */
export class PyObject {
  readonly kind = "object" as const;
  /** `module` and `name` of the class, e.g. `datetime` / `datetime`. */
  constructor(
    readonly module: string,
    readonly name: string,
    /** What Python's repr() shows for it, where the pickle says (a date, a Decimal: see knownReprs.ts). */
    readonly repr?: string,
    /**
     * Arguments its repr shows as `name(arg, …)` (an exception: `ValueError('bad')`), rendered by
     * formatPython within its budget; toString shows the placeholder.
     */
    readonly args?: readonly PyValue[],
  ) {}
  toString(): string {
    return escapeControls(this.repr ?? `<${this.module}.${this.name} object>`);
  }
}

/** Control, format (bidi, zero-width), separator characters and lone surrogates. */
const CONTROLS = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** `text` with CONTROLS written as Python's repr writes them (`\n`, `\x1b`, `\u202e`, `\U000e0001`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (ch) => {
    const escaped = SHORT_ESCAPES[ch];
    if (escaped !== undefined) return escaped;
    const code = ch.codePointAt(0) as number;
    const [prefix, width] = code <= 0xff ? ["\\x", 2] : code <= 0xffff ? ["\\u", 4] : ["\\U", 8];
    return prefix + code.toString(16).padStart(width, "0");
  });
}

const SHORT_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A dict that keeps insertion order and key types (a JS object would reorder `"2"` before `"a"`). */
export class PyDict {
  readonly kind = "dict" as const;
  readonly entries: [PyValue, PyValue][];
  constructor(entries: Iterable<readonly [PyValue, PyValue]> = []) {
    this.entries = [];
    for (const [k, v] of entries) this.set(k, v);
  }

  /** Builds a str-keyed dict from a plain object, in the object's key order. */
  static fromObject(obj: Record<string, PyValue>): PyDict {
    return new PyDict(Object.entries(obj));
  }

  get size(): number {
    return this.entries.length;
  }

  get(key: PyValue): PyValue | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.entries[i][1];
  }

  has(key: PyValue): boolean {
    return this.indexOf(key) >= 0;
  }

  /** Python semantics: assigning an existing key keeps its position. */
  set(key: PyValue, value: PyValue): this {
    const i = this.indexOf(key);
    if (i < 0) this.entries.push([key, value]);
    else this.entries[i][1] = value;
    return this;
  }

  keys(): PyValue[] {
    return this.entries.map((e) => e[0]);
  }

  /** True when every key is a str (the only dicts JSON and Python kwargs can carry). */
  hasOnlyStringKeys(): boolean {
    return this.entries.every(([k]) => typeof k === "string");
  }

  private indexOf(key: PyValue): number {
    // String keys are by far the common case; avoid the structural comparison for them.
    if (typeof key === "string") return this.entries.findIndex(([k]) => k === key);
    return this.entries.findIndex(([k]) => pyHashEquals(k, key));
  }
}

export function pyFloat(value: number): PyValue {
  return Number.isInteger(value) && !Object.is(value, -0) ? new PyFloat(value) : value;
}

/** An int from a bigint, in canonical form (number when safe). */
export function pyInt(value: bigint | number): number | bigint {
  if (typeof value === "number") return value;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

export function isPyInt(v: PyValue): v is number | bigint {
  return typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v) && !Object.is(v, -0));
}

export function isPyFloat(v: PyValue): boolean {
  return v instanceof PyFloat || (typeof v === "number" && !isPyInt(v));
}

/** The numeric value of a Python float PyValue (throws for anything else). */
export function floatValue(v: PyValue): number {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "number" && !isPyInt(v)) return v;
  throw new TypeError(`not a float: ${pyKind(v)}`);
}

export function pyKind(v: PyValue): PyKind {
  if (v === null) return "NoneType";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return isPyInt(v) ? "int" : "float";
    case "string":
      return "str";
  }
  if (Array.isArray(v)) return "list";
  return (v as Exclude<PyValue, null | boolean | number | bigint | string | PyValue[]>).kind;
}

/**
 * Strict structural equality: same Python type and equal contents (so `1` ≠ `1.0` ≠ `True`, unlike
 * Python's `==`). Dicts compare in order; sets compare as multisets. NaN equals NaN here so that a
 * decoded value can be compared with what was encoded.
 */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  const ka = pyKind(a);
  if (ka !== pyKind(b)) return false;
  switch (ka) {
    case "NoneType":
    case "bool":
    case "str":
      return a === b;
    case "int":
      return BigInt(a as number | bigint) === BigInt(b as number | bigint);
    case "float":
      return Object.is(floatValue(a), floatValue(b));
    case "list":
      return seqEquals(a as PyValue[], b as PyValue[]);
    case "tuple":
      return seqEquals((a as PyTuple).items, (b as PyTuple).items);
    case "dict": {
      const ea = (a as PyDict).entries;
      const eb = (b as PyDict).entries;
      return ea.length === eb.length && ea.every(([k, v], i) => pyEquals(k, eb[i][0]) && pyEquals(v, eb[i][1]));
    }
    case "set":
    case "frozenset": {
      const ia = (a as PySet).items;
      const rest = [...(b as PySet).items];
      if (ia.length !== rest.length) return false;
      for (const x of ia) {
        const j = rest.findIndex((y) => pyEquals(x, y));
        if (j < 0) return false;
        rest.splice(j, 1);
      }
      return true;
    }
    case "bytes":
    case "bytearray":
      return Buffer.from((a as PyBytes).bytes).equals((b as PyBytes).bytes);
    case "object":
      return (a as PyObject).module === (b as PyObject).module && (a as PyObject).name === (b as PyObject).name;
  }
}

/**
 * Python's hash equality for dict keys and set items: `1`, `1.0` and `True` are the same key.
 */
export function pyHashEquals(a: PyValue, b: PyValue): boolean {
  const na = numericKey(a);
  const nb = numericKey(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && na === nb;
  return pyEquals(a, b);
}

function numericKey(v: PyValue): string | undefined {
  if (typeof v === "boolean") return v ? "1" : "0";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" || v instanceof PyFloat) {
    const n = typeof v === "number" ? v : v.value;
    if (Number.isInteger(n)) return BigInt(n).toString();
    return Number.isNaN(n) ? "nan" : String(n);
  }
  return undefined;
}

function seqEquals(a: readonly PyValue[], b: readonly PyValue[]): boolean {
  return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
}

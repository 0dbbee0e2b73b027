/**
 * Seeded random PyValues for parity tests against CPython and for fuzzing. Deterministic per seed, so a
 * failure names a seed that reproduces it.
 */
import { PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PySet, PyTuple, pyFloat, type PyValue } from "../../../../core/protocol/pyValue";

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomValueOptions {
  /** Only what `json.dumps` accepts (no sets, bytes; only str/int/float/bool/None dict keys). */
  jsonOnly?: boolean;
  maxDepth?: number;
}

/**
 * Code points whose `str.isprintable()` is the same in CPython 3.11 (Unicode 14) and V8's ICU, chosen
 * to cover each repr/JSON escaping rule: controls, DEL, Latin-1, format and separator characters,
 * private use, unassigned, CJK, astral, and lone surrogates.
 */
const SPECIAL_CHARS = [
  0x00, 0x07, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1b, 0x1f, 0x22, 0x27, 0x2f, 0x5c, 0x7f, 0x80, 0x9f, 0xa0, 0xad, 0xe9, 0xff,
  0x100, 0x378, 0x3a9, 0x200b, 0x2028, 0x2029, 0x2713, 0x3000, 0x4e2d, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfeff,
  0xfffe, 0xffff, 0x1d11e, 0x1f600, 0x10ffff, 0xe0001,
];

export class RandomPy {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  float(): number {
    switch (this.int(6)) {
      case 0:
        return this.pick([0.1, -0.0, 0, 1e16, 1e15, 1e-7, 1.5e-7, 1e-4, 1e-5, 5e-324, 1e300, 100, 1, NaN, Infinity, -Infinity, 123456789.123]);
      case 1: {
        // Any double from random bits (subnormals, huge, tiny).
        const buf = new DataView(new ArrayBuffer(8));
        buf.setUint32(0, this.int(2 ** 32));
        buf.setUint32(4, this.int(2 ** 32));
        return buf.getFloat64(0);
      }
      case 2:
        return (this.next() - 0.5) * 10 ** (this.int(40) - 20);
      case 3:
        return this.int(2000) - 1000;
      default:
        return Math.round((this.next() - 0.5) * 1e6) / 1000;
    }
  }

  int_(): number | bigint {
    switch (this.int(4)) {
      case 0:
        return this.int(300) - 150;
      case 1:
        return this.int(2 ** 32) - 2 ** 31;
      case 2:
        return Number.MAX_SAFE_INTEGER - this.int(3) * (this.next() < 0.5 ? 1 : -1);
      default: {
        const digits = 1 + this.int(60);
        let s = String(1 + this.int(9));
        for (let i = 1; i < digits; i++) s += String(this.int(10));
        const b = BigInt(s) * (this.next() < 0.5 ? -1n : 1n);
        return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
      }
    }
  }

  str(maxLen = 12): string {
    const n = this.int(maxLen + 1);
    let s = "";
    for (let i = 0; i < n; i++) {
      const r = this.next();
      if (r < 0.5) s += String.fromCharCode(0x20 + this.int(95));
      else s += String.fromCodePoint(this.pick(SPECIAL_CHARS));
    }
    return s;
  }

  bytes(): Uint8Array {
    return Uint8Array.from({ length: this.int(10) }, () => (this.next() < 0.5 ? 0x20 + this.int(95) : this.int(256)));
  }

  /** A hashable scalar usable as a dict key. */
  key(jsonOnly: boolean): PyValue {
    const r = this.int(jsonOnly ? 5 : 7);
    if (r <= 1) return this.str(6);
    if (r === 2) return this.int_();
    if (r === 3) return this.pick([null, true, false, 2.5, -0.5, new PyFloat(3)]);
    if (r === 4) return pyFloat(this.float());
    if (r === 5) return new PyTuple([this.int(9), this.str(3)]);
    return new PyBytes(this.bytes());
  }

  scalar(jsonOnly: boolean): PyValue {
    switch (this.int(jsonOnly ? 6 : 8)) {
      case 0:
        return this.pick([null, true, false]);
      case 1:
        return this.int_();
      case 2:
      case 3:
        return pyFloat(this.float());
      case 4:
      case 5:
        return this.str();
      case 6:
        return new PyBytes(this.bytes());
      default:
        return new PyByteArray(this.bytes());
    }
  }

  value(options: RandomValueOptions = {}, depth = 0): PyValue {
    const jsonOnly = options.jsonOnly ?? false;
    if (depth >= (options.maxDepth ?? 4) || this.next() < 0.45) return this.scalar(jsonOnly);
    const len = this.int(5);
    const items = (): PyValue[] => Array.from({ length: len }, () => this.value(options, depth + 1));
    switch (this.int(jsonOnly ? 3 : 5)) {
      case 0:
        return items();
      case 1:
        return new PyTuple(items());
      case 2: {
        const d = new PyDict();
        for (let i = 0; i < len; i++) {
          const k = this.key(jsonOnly);
          // NaN keys are distinct objects in Python but equal here: leave them out of comparisons.
          if (typeof k === "number" && Number.isNaN(k)) continue;
          d.set(k, this.value(options, depth + 1));
        }
        return d;
      }
      case 3:
        // At most one item: CPython iterates sets in hash order, which a PySet does not model.
        return new PySet(len ? [this.str(4)] : []);
      default:
        return new PyFrozenSet(len ? [this.int_()] : []);
    }
  }
}

/**
 * PyValue → pickle bytes, mirroring CPython's `pickle._Pickler` (which dill subclasses) so that the
 * output is byte-identical to `dill.dumps` / `pickle.dumps` for the same value: same opcodes, framing,
 * memo indices and batch sizes.
 *
 * Memoization follows what CPython does for the values Python code actually builds: containers and
 * bytes by identity (the same JS object twice → BINGET); strings by value (Python interns/dedups equal
 * string literals, so equal strings in a real value are usually one object); and bytes of length 0 or 1
 * by value too, as CPython keeps a single object for each of those.
 */
import { ProtocolError } from "../errors";
import {
  PyByteArray,
  PyBytes,
  PyDict,
  PyFloat,
  PyFrozenSet,
  PyObject,
  PySet,
  PyTuple,
  type PyValue,
} from "../pyValue";
import { encodeLong } from "./long";
import { OP as OPCODES } from "./opcodes";
import { encodeSurrogatepass, hasLoneSurrogate, utf8Encoder, writeUtf8 } from "./utf8";

/** A module-local copy: run under tsx (CommonJS), every `OP.X` on the import would be a getter call. */
const OP = OPCODES;

export interface EncodePickleOptions {
  /** Pickle protocol: 4 (dill's default up to Python 3.13, the default here) or 5 (Python 3.14). */
  protocol?: 4 | 5;
}

/**
 * Nesting limit. The encoder keeps its own stack (so the JS stack is never the limit; CPython's
 * pickler itself stops near 1000 levels), and this bound catches a tuple that contains itself, which
 * no memo can break.
 */
const MAX_DEPTH = 100_000;
/** "No value pending" in the save loop (undefined is not a PyValue, but can arrive from bad input). */
const NOTHING = Symbol("nothing");
/** CPython's `_Framer`: a frame is committed once it holds 64 KiB; payloads that big bypass frames. */
const FRAME_SIZE_TARGET = 64 * 1024;
/** A frame smaller than this is written without a FRAME header. */
const FRAME_SIZE_MIN = 4;
const FRAME_HEADER_SIZE = 9;
/** Items per APPENDS / SETITEMS / ADDITEMS batch (`Pickler._BATCHSIZE`). */
const BATCH_SIZE = 1000;
/** Strings up to this many UTF-16 units fit SHORT_BINUNICODE's 255 bytes whatever their content. */
const SHORT_STR_UNITS = 85;
/** Stands for the `builtins.bytearray` class in the memo (protocol 4 pickles it via REDUCE). */
const BYTEARRAY_CLASS = {};

export function encodePickle(value: PyValue, options: EncodePickleOptions = {}): Uint8Array {
  const protocol = options.protocol ?? 4;
  if (protocol !== 4 && protocol !== 5) {
    throw new ProtocolError("NOT_SERIALIZABLE", `pickle protocol ${String(protocol)} is not supported (use 4 or 5)`);
  }
  return new Pickler(protocol).dump(value);
}

class Pickler {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;
  /** Offset of the current frame's reserved header, or -1 outside a frame. */
  private frameStart = -1;
  private readonly strMemo = new Map<string, number>();
  private readonly objMemo = new Map<object, number>();
  /** Memo of the bytes objects CPython shares: key 256 is b"", 0–255 the one-byte values. */
  private readonly smallBytesMemo = new Map<number, number>();
  private memoSize = 0;

  constructor(private readonly protocol: 4 | 5) {}

  dump(value: PyValue): Uint8Array {
    this.byte(OP.PROTO);
    this.byte(this.protocol);
    this.openFrame();
    this.saveAll(value);
    this.byte(OP.STOP);
    this.commitFrame(true, false);
    return this.buf.slice(0, this.len);
  }

  // --- output buffer and framing (CPython's _Framer) ---

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  private opWithU8(op: number, n: number): void {
    this.ensure(2);
    this.buf[this.len++] = op;
    this.buf[this.len++] = n;
  }

  private opWithU32(op: number, n: number): void {
    this.ensure(5);
    this.buf[this.len] = op;
    this.view.setUint32(this.len + 1, n, true);
    this.len += 5;
  }

  private opWithU64(op: number, n: number): void {
    this.ensure(9);
    this.buf[this.len] = op;
    this.view.setBigUint64(this.len + 1, BigInt(n), true);
    this.len += 9;
  }

  private raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private openFrame(): void {
    this.frameStart = this.len;
    this.ensure(FRAME_HEADER_SIZE);
    this.len += FRAME_HEADER_SIZE;
  }

  /**
   * Closes the current frame once it holds ≥ 64 KiB (or always, when forced), writing its FRAME header
   * into the reserved space, or dropping that space when the frame is under 4 bytes as CPython does.
   */
  private commitFrame(force: boolean, reopen = true): void {
    if (this.frameStart < 0) return;
    const size = this.len - this.frameStart - FRAME_HEADER_SIZE;
    if (!force && size < FRAME_SIZE_TARGET) return;
    if (size >= FRAME_SIZE_MIN) {
      this.buf[this.frameStart] = OP.FRAME;
      this.view.setBigUint64(this.frameStart + 1, BigInt(size), true);
    } else {
      this.buf.copyWithin(this.frameStart, this.frameStart + FRAME_HEADER_SIZE, this.len);
      this.len -= FRAME_HEADER_SIZE;
    }
    this.frameStart = -1;
    if (reopen) this.openFrame();
  }

  /** A payload of ≥ 64 KiB goes outside any frame, right after its header (`write_large_bytes`). */
  private beginLargePayload(): void {
    this.commitFrame(true, false);
  }

  private endLargePayload(): void {
    this.openFrame();
  }

  // --- memo ---

  private memoizeString(s: string): void {
    this.strMemo.set(s, this.memoSize++);
    this.byte(OP.MEMOIZE);
  }

  private memoize(obj: object): void {
    this.objMemo.set(obj, this.memoSize++);
    this.byte(OP.MEMOIZE);
  }

  /** Memoizes a temporary object that nothing can refer to again (it still takes a memo index). */
  private memoizeTemporary(): void {
    this.memoSize++;
    this.byte(OP.MEMOIZE);
  }

  private get(index: number): void {
    if (index < 256) this.opWithU8(OP.BINGET, index);
    else this.opWithU32(OP.LONG_BINGET, index);
  }

  // --- save: an explicit stack of container iterators, so nesting depth is bounded by the heap ---

  /** Writes `root`; each container's generator yields its children, which are saved in turn. */
  private saveAll(root: PyValue): void {
    const open: Iterator<PyValue, void, undefined>[] = [];
    let pending: PyValue | typeof NOTHING = root;
    for (;;) {
      if (pending !== NOTHING) {
        const children = this.save(pending);
        if (children) {
          if (open.length >= MAX_DEPTH) {
            throw new ProtocolError("NOT_SERIALIZABLE", `value nested deeper than ${MAX_DEPTH} levels (or a tuple that contains itself)`);
          }
          open.push(children);
        }
      }
      const top = open.at(-1);
      if (!top) return;
      const step = top.next();
      if (step.done) {
        open.pop();
        pending = NOTHING;
      } else pending = step.value;
    }
  }

  /** Writes a scalar, or starts a container and returns the iterator over what it still has to save. */
  private save(v: PyValue): Iterator<PyValue, void, undefined> | undefined {
    this.commitFrame(false);
    switch (typeof v) {
      case "boolean":
        this.byte(v ? OP.NEWTRUE : OP.NEWFALSE);
        return;
      case "number":
        this.saveNumber(v);
        return;
      case "bigint":
        this.saveBigInt(v);
        return;
      case "string": {
        const index = this.strMemo.get(v);
        if (index === undefined) this.saveStr(v);
        else this.get(index);
        return;
      }
      case "object": {
        if (v === null) {
          this.byte(OP.NONE);
          return;
        }
        const index = this.objMemo.get(v);
        if (index !== undefined) {
          this.get(index);
          return;
        }
        return this.saveObject(v);
      }
    }
    throw new ProtocolError("NOT_SERIALIZABLE", `a JavaScript ${typeof v} is not a Python value`);
  }

  private saveObject(v: Exclude<PyValue, null | boolean | number | bigint | string>): Iterator<PyValue, void, undefined> | undefined {
    if (Array.isArray(v)) return this.saveList(v);
    if (v instanceof PyDict) return this.saveDict(v);
    if (v instanceof PyTuple) return this.saveTuple(v);
    if (v instanceof PySet) return this.saveSet(v);
    if (v instanceof PyFrozenSet) return this.saveFrozenSet(v);
    if (v instanceof PyFloat) this.saveFloat(v.value);
    else if (v instanceof PyBytes) this.saveBytesObject(v);
    else if (v instanceof PyByteArray) this.saveByteArray(v);
    else if (v instanceof PyObject) {
      throw new ProtocolError("NOT_SERIALIZABLE", `${v.toString()} is an opaque Python object and cannot be pickled again`);
    } else {
      const what = (v as object).constructor?.name ?? "object";
      throw new ProtocolError("NOT_SERIALIZABLE", `a JavaScript ${what} is not a Python value (use PyDict for dicts)`);
    }
    return undefined;
  }

  /** A JS number is a Python int when integral (but not -0), else a float. */
  private saveNumber(v: number): void {
    if (Number.isInteger(v) && !Object.is(v, -0)) this.saveInt(v);
    else this.saveFloat(v);
  }

  /** BININT1 / BININT2 / BININT when the int fits, else LONG1/LONG4 (`save_long`). */
  private saveInt(n: number): void {
    if (n >= 0 && n <= 0xff) return this.opWithU8(OP.BININT1, n);
    if (n >= 0 && n <= 0xffff) {
      this.ensure(3);
      this.buf[this.len] = OP.BININT2;
      this.view.setUint16(this.len + 1, n, true);
      this.len += 3;
      return;
    }
    if (n >= -0x80000000 && n <= 0x7fffffff) return this.opWithU32(OP.BININT, n >>> 0);
    this.saveLong(BigInt(n));
  }

  private saveBigInt(n: bigint): void {
    if (n >= -0x80000000n && n <= 0x7fffffffn) this.saveInt(Number(n));
    else this.saveLong(n);
  }

  private saveLong(n: bigint): void {
    const bytes = encodeLong(n);
    if (bytes.length < 256) this.opWithU8(OP.LONG1, bytes.length);
    else this.opWithU32(OP.LONG4, bytes.length);
    this.raw(bytes);
  }

  private saveFloat(x: number): void {
    this.ensure(9);
    this.buf[this.len] = OP.BINFLOAT;
    this.view.setFloat64(this.len + 1, x, false);
    this.len += 9;
  }

  private saveStr(s: string, memoByValue = true): void {
    if (s.length <= SHORT_STR_UNITS) {
      // Encode straight into the output, then patch the length byte.
      this.ensure(2 + s.length * 3);
      this.buf[this.len] = OP.SHORT_BINUNICODE;
      const n = writeUtf8(s, this.buf, this.len + 2);
      this.buf[this.len + 1] = n;
      this.len += 2 + n;
    } else if (hasLoneSurrogate(s)) {
      this.saveBinary(OP.SHORT_BINUNICODE, OP.BINUNICODE, OP.BINUNICODE8, encodeSurrogatepass(s));
    } else {
      const n = Buffer.byteLength(s, "utf8");
      const large = n >= FRAME_SIZE_TARGET;
      if (n <= 0xff) this.opWithU8(OP.SHORT_BINUNICODE, n);
      else {
        if (large) this.beginLargePayload();
        if (n > 0xffffffff) this.opWithU64(OP.BINUNICODE8, n);
        else this.opWithU32(OP.BINUNICODE, n);
      }
      this.ensure(n);
      this.len += utf8Encoder.encodeInto(s, this.buf.subarray(this.len, this.len + n)).written;
      if (large) this.endLargePayload();
    }
    if (memoByValue) this.memoizeString(s);
    else this.memoizeTemporary();
  }

  /** bytes and str payloads: short form, 4-byte length, or 8-byte length; ≥ 64 KiB outside frames. */
  private saveBinary(shortOp: number, op4: number, op8: number, bytes: Uint8Array): void {
    const n = bytes.length;
    if (n <= 0xff) {
      this.opWithU8(shortOp, n);
      this.raw(bytes);
      return;
    }
    const large = n >= FRAME_SIZE_TARGET;
    if (large) this.beginLargePayload();
    if (n > 0xffffffff) this.opWithU64(op8, n);
    else this.opWithU32(op4, n);
    this.raw(bytes);
    if (large) this.endLargePayload();
  }

  private saveBytesObject(v: PyBytes): void {
    if (v.bytes.length > 1) {
      this.saveBinary(OP.SHORT_BINBYTES, OP.BINBYTES, OP.BINBYTES8, v.bytes);
      return this.memoize(v);
    }
    const key = v.bytes.length === 0 ? 256 : v.bytes[0];
    const index = this.smallBytesMemo.get(key);
    if (index !== undefined) return this.get(index);
    this.saveBinary(OP.SHORT_BINBYTES, OP.BINBYTES, OP.BINBYTES8, v.bytes);
    this.smallBytesMemo.set(key, this.memoSize++);
    this.byte(OP.MEMOIZE);
  }

  /**
   * Protocol 5 has BYTEARRAY8. Protocol 4 has no bytearray opcode: CPython writes
   * `builtins.bytearray(b"...")` via REDUCE, which stdlib `pickle.loads` can load. (dill 0.3.6 writes
   * `dill._dill._load_type('bytearray')` instead, which only loads where dill is installed.)
   */
  private saveByteArray(v: PyByteArray): void {
    const n = v.bytes.length;
    if (this.protocol >= 5) {
      const large = n >= FRAME_SIZE_TARGET;
      if (large) this.beginLargePayload();
      this.opWithU64(OP.BYTEARRAY8, n);
      this.raw(v.bytes);
      if (large) this.endLargePayload();
      this.memoize(v);
      return;
    }
    this.saveByteArrayClass();
    this.commitFrame(false); // save(args)
    if (n === 0) this.byte(OP.EMPTY_TUPLE);
    else {
      this.commitFrame(false); // save(bytes(obj)): a new object, even for one byte
      this.saveBinary(OP.SHORT_BINBYTES, OP.BINBYTES, OP.BINBYTES8, v.bytes);
      this.memoizeTemporary();
      this.byte(OP.TUPLE1);
      this.memoizeTemporary();
    }
    this.byte(OP.REDUCE);
    this.memoize(v);
  }

  /** `save_global(bytearray)`: module and name strings, STACK_GLOBAL, memoized like any object. */
  private saveByteArrayClass(): void {
    this.commitFrame(false);
    const index = this.objMemo.get(BYTEARRAY_CLASS);
    if (index !== undefined) return this.get(index);
    this.save("builtins");
    // CPython builds a builtin type's __qualname__ afresh on each access, so the name is never a memo hit.
    this.commitFrame(false);
    this.saveStr("bytearray", false);
    this.byte(OP.STACK_GLOBAL);
    this.memoize(BYTEARRAY_CLASS);
  }

  private *saveTuple(t: PyTuple): Generator<PyValue, void, undefined> {
    const items = t.items;
    const n = items.length;
    if (n === 0) return this.byte(OP.EMPTY_TUPLE);
    if (n > 3) this.byte(OP.MARK);
    yield* items;
    // An item that (through a list) contains this tuple has already pickled it: fetch that copy.
    const index = this.objMemo.get(t);
    if (index !== undefined) {
      if (n > 3) this.byte(OP.POP_MARK);
      else for (let i = 0; i < n; i++) this.byte(OP.POP);
      return this.get(index);
    }
    this.byte(n === 1 ? OP.TUPLE1 : n === 2 ? OP.TUPLE2 : n === 3 ? OP.TUPLE3 : OP.TUPLE);
    this.memoize(t);
  }

  private *saveList(list: readonly PyValue[]): Generator<PyValue, void, undefined> {
    this.byte(OP.EMPTY_LIST);
    this.memoize(list);
    for (let start = 0; start < list.length; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, list.length);
      this.startBatch(start, end);
      for (let i = start; i < end; i++) {
        const v = list[i];
        // A number is saved here as save() would (same frame check, same opcodes): lists of numbers are
        // what maps send, and a generator step per item was most of their cost.
        if (typeof v !== "number") yield v;
        else {
          this.commitFrame(false);
          this.saveNumber(v);
        }
      }
      this.endBatch(start, end, OP.APPEND, OP.APPENDS);
    }
  }

  private *saveDict(d: PyDict): Generator<PyValue, void, undefined> {
    this.byte(OP.EMPTY_DICT);
    this.memoize(d);
    const entries = d.entries;
    for (let start = 0; start < entries.length; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, entries.length);
      this.startBatch(start, end);
      for (let i = start; i < end; i++) {
        yield entries[i][0];
        yield entries[i][1];
      }
      this.endBatch(start, end, OP.SETITEM, OP.SETITEMS);
    }
  }

  /** `_batch_appends` / `_batch_setitems`: MARK … APPENDS around up to 1000 items; a lone item uses APPEND. */
  private startBatch(start: number, end: number): void {
    if (end - start > 1) this.byte(OP.MARK);
  }

  private endBatch(start: number, end: number, singleOp: number, batchOp: number): void {
    this.byte(end - start > 1 ? batchOp : singleOp);
  }

  private *saveSet(s: PySet): Generator<PyValue, void, undefined> {
    this.byte(OP.EMPTY_SET);
    this.memoize(s);
    const items = s.items;
    // Unlike lists, a set's lone last item still gets MARK … ADDITEMS.
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      this.byte(OP.MARK);
      for (let i = start; i < Math.min(start + BATCH_SIZE, items.length); i++) yield items[i];
      this.byte(OP.ADDITEMS);
    }
  }

  private *saveFrozenSet(s: PyFrozenSet): Generator<PyValue, void, undefined> {
    this.byte(OP.MARK);
    yield* s.items;
    const index = this.objMemo.get(s);
    if (index !== undefined) {
      this.byte(OP.POP_MARK);
      return this.get(index);
    }
    this.byte(OP.FROZENSET);
    this.memoize(s);
  }
}

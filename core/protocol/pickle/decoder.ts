/**
 * Pickle bytes → PyValue: an iterative stack machine (like CPython's `_Unpickler`), so deep nesting
 * cannot overflow the JS stack, and every length is checked against the input before anything is
 * allocated, so a pickle claiming a 4 GiB string fails at once.
 *
 * Reads protocols 0–5. Objects it cannot rebuild (GLOBAL / STACK_GLOBAL / REDUCE / NEWOBJ / BUILD …)
 * become opaque `PyObject(module, name)` placeholders, except for a few reconstructors whose result is
 * unambiguous (see reconstruct.ts). Malformed input → ProtocolError("INVALID_PICKLE"); well-formed input
 * needing something this side cannot provide → ProtocolError("UNSUPPORTED_PICKLE").
 */
import {
  PyByteArray,
  PyBytes,
  PyDict,
  PyFrozenSet,
  PyObject,
  PySet,
  PyTuple,
  pyFloat,
  pyKind,
  type PyValue,
} from "../pyValue";
import { HashIndex, KeyCanonicalizer, assertHashable } from "./hashIndex";
import { decodeLong } from "./long";
import { OP as OPCODES, opName } from "./opcodes";
import { decodeSurrogatepass } from "./utf8";
import { invalid, underflow, unsupported } from "./pickleErrors";
import { build, instanceOf, makeGlobal, reduce } from "./reconstruct";
import { decodeRawUnicodeEscape, parseFloatText, parseIntText } from "./textScalars";

/** A module-local copy: run under tsx (CommonJS), every `OP.X` on the import would be a getter call. */
const OP = OPCODES;

/** Highest pickle protocol there is (CPython 3.8+ writes up to 5). */
const HIGHEST_PROTOCOL = 5;
/** Dicts and sets up to this size are searched linearly; larger ones get a HashIndex. */
const LINEAR_LOOKUP_MAX = 8;
/** V8 cannot hold a BigInt over 2^30 bits; refuse such a LONG4 before trying to build it. */
const MAX_LONG_BYTES = 2 ** 27;

export function decodePickle(bytes: Uint8Array): PyValue {
  return new Unpickler(bytes).load();
}

class Unpickler {
  private pos = 0;
  private readonly view: DataView;
  /** One flat stack; `marks` holds where each open MARK starts (CPython's C unpickler does the same). */
  private readonly stack: PyValue[] = [];
  private readonly marks: number[] = [];
  /** Python's memo is a dict; an array is much faster and stays sparse for odd BINPUT indexes. */
  private readonly memo: PyValue[] = [];
  private memoSize = 0;
  /** Lookup indexes of the larger dicts and sets being filled (a repeated key overwrites, as in Python). */
  private readonly indexes = new Map<PyDict | PyValue[], HashIndex>();
  private readonly canon = new KeyCanonicalizer();

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  load(): PyValue {
    for (;;) {
      if (this.pos >= this.data.length) throw invalid("pickle ends before STOP (truncated)");
      const op = this.data[this.pos++];
      if (op === OP.STOP) return this.pop(op);
      this.step(op);
    }
  }

  private step(op: number): void {
    switch (op) {
      // --- framing and structure
      case OP.PROTO: {
        const version = this.u8(op);
        if (version > HIGHEST_PROTOCOL) throw unsupported(`pickle protocol ${version} is newer than ${HIGHEST_PROTOCOL}`);
        return;
      }
      case OP.FRAME:
        // Frames only group opcodes; what matters is that the claimed size really is there.
        this.lengthU64(op);
        return;
      case OP.MARK:
        this.marks.push(this.stack.length);
        this.intRun();
        return;
      case OP.POP:
        // Python 3.11: POP with nothing above the last MARK discards the mark.
        if (this.stack.length > this.base()) this.stack.pop();
        else this.takeMarked(op);
        return;
      case OP.POP_MARK:
        this.takeMarked(op);
        return;
      case OP.DUP:
        this.stack.push(this.top(op));
        return;

      // --- memo
      case OP.PUT:
        return this.put(op, this.lineInt(op));
      case OP.BINPUT:
        return this.put(op, this.u8(op));
      case OP.LONG_BINPUT:
        return this.put(op, this.u32(op));
      case OP.MEMOIZE:
        return this.put(op, this.memoSize);
      case OP.GET:
        return this.getMemo(op, this.lineInt(op));
      case OP.BINGET:
        return this.getMemo(op, this.u8(op));
      case OP.LONG_BINGET:
        return this.getMemo(op, this.u32(op));

      // --- scalars
      case OP.NONE:
        this.stack.push(null);
        return;
      case OP.NEWTRUE:
        this.stack.push(true);
        return;
      case OP.NEWFALSE:
        this.stack.push(false);
        return;
      case OP.BININT1:
        this.stack.push(this.u8(op));
        return;
      case OP.BININT2:
        this.need(op, 2);
        this.stack.push(this.view.getUint16(this.pos, true));
        this.pos += 2;
        return;
      case OP.BININT:
        this.need(op, 4);
        this.stack.push(this.view.getInt32(this.pos, true));
        this.pos += 4;
        return;
      case OP.LONG1:
        this.stack.push(decodeLong(this.take(op, this.u8(op))));
        return;
      case OP.LONG4: {
        const n = this.i32(op);
        this.need(op, n);
        if (n > MAX_LONG_BYTES) throw unsupported(`LONG4 of ${n} bytes is too large an int`);
        this.stack.push(decodeLong(this.take(op, n)));
        return;
      }
      case OP.BINFLOAT:
        this.need(op, 8);
        this.stack.push(pyFloat(this.view.getFloat64(this.pos, false)));
        this.pos += 8;
        return;
      case OP.INT: {
        const text = this.line(op);
        this.stack.push(text === "00" ? false : text === "01" ? true : parseIntText(op, text));
        return;
      }
      case OP.LONG:
        this.stack.push(parseIntText(op, this.line(op).replace(/L$/, "")));
        return;
      case OP.FLOAT:
        this.stack.push(parseFloatText(op, this.line(op)));
        return;

      // --- strings and bytes
      case OP.SHORT_BINUNICODE:
        this.stack.push(this.utf8(op, this.u8(op)));
        return;
      case OP.BINUNICODE:
        this.stack.push(this.utf8(op, this.u32(op)));
        return;
      case OP.BINUNICODE8:
        this.stack.push(this.utf8(op, this.lengthU64(op)));
        return;
      case OP.UNICODE:
        this.stack.push(decodeRawUnicodeEscape(op, this.line(op)));
        return;
      case OP.SHORT_BINSTRING:
        this.stack.push(this.ascii(op, this.u8(op)));
        return;
      case OP.BINSTRING:
        this.stack.push(this.ascii(op, this.i32(op)));
        return;
      case OP.SHORT_BINBYTES:
        this.stack.push(new PyBytes(this.take(op, this.u8(op)).slice()));
        return;
      case OP.BINBYTES:
        this.stack.push(new PyBytes(this.take(op, this.u32(op)).slice()));
        return;
      case OP.BINBYTES8:
        this.stack.push(new PyBytes(this.take(op, this.lengthU64(op)).slice()));
        return;
      case OP.BYTEARRAY8:
        this.stack.push(new PyByteArray(this.take(op, this.lengthU64(op)).slice()));
        return;

      // --- containers
      case OP.EMPTY_TUPLE:
        this.stack.push(new PyTuple([]));
        return;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        if (this.stack.length - n < this.base()) throw underflow(op);
        this.stack.push(new PyTuple(this.stack.splice(this.stack.length - n, n)));
        return;
      }
      case OP.TUPLE: {
        const items = this.takeMarked(op);
        this.stack.push(new PyTuple(items));
        return;
      }
      case OP.EMPTY_LIST:
        this.stack.push([]);
        return;
      case OP.LIST: {
        const items = this.takeMarked(op);
        this.stack.push(items);
        return;
      }
      case OP.APPEND:
        return this.appendTo(op, this.stack.length - 1);
      case OP.APPENDS:
        return this.appendTo(op, this.popMark(op));
      case OP.EMPTY_DICT:
        this.stack.push(new PyDict());
        return;
      case OP.DICT: {
        const from = this.popMark(op);
        const dict = new PyDict();
        this.setItems(op, dict, from);
        this.stack.push(dict);
        return;
      }
      case OP.SETITEM:
        return this.setItems(op, this.targetBelow(op, this.stack.length - 2), this.stack.length - 2);
      case OP.SETITEMS: {
        const from = this.popMark(op);
        return this.setItems(op, this.targetBelow(op, from), from);
      }
      case OP.EMPTY_SET:
        this.stack.push(new PySet([]));
        return;
      case OP.ADDITEMS: {
        const from = this.popMark(op);
        const target = this.targetBelow(op, from);
        if (target instanceof PySet) this.addToSet(target.items as PyValue[], this.stack, from);
        else if (!(target instanceof PyObject)) throw invalid(`ADDITEMS to a ${pyKind(target)}`);
        this.stack.length = from;
        return;
      }
      case OP.FROZENSET: {
        const items = this.dedup(this.takeMarked(op));
        this.stack.push(new PyFrozenSet(items));
        return;
      }

      // --- objects: opaque placeholders
      case OP.GLOBAL: {
        const module = this.line(op, "utf8");
        this.stack.push(makeGlobal(module, this.line(op, "utf8")));
        return;
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop(op);
        const module = this.pop(op);
        if (typeof module !== "string" || typeof name !== "string") throw invalid("STACK_GLOBAL needs two str");
        this.stack.push(makeGlobal(module, name));
        return;
      }
      case OP.REDUCE: {
        const args = this.pop(op);
        const callable = this.pop(op);
        this.stack.push(reduce(callable, args, (items) => this.dedup(items)));
        return;
      }
      case OP.NEWOBJ:
      case OP.NEWOBJ_EX: {
        if (op === OP.NEWOBJ_EX) this.pop(op); // kwargs
        this.pop(op); // args
        this.stack.push(instanceOf(op, this.pop(op)));
        return;
      }
      case OP.INST: {
        const module = this.line(op, "utf8");
        const name = this.line(op, "utf8");
        this.takeMarked(op);
        this.stack.push(instanceOf(op, makeGlobal(module, name)));
        return;
      }
      case OP.OBJ: {
        const [cls] = this.takeMarked(op);
        if (cls === undefined) throw underflow(op);
        this.stack.push(instanceOf(op, cls));
        return;
      }
      case OP.BUILD: {
        const state = this.pop(op);
        const target = this.top(op);
        if (!(target instanceof PyObject)) throw invalid(`BUILD on a ${pyKind(target)}`);
        build(target, state);
        return;
      }

      // --- well-formed but outside what a stand-alone decoder can provide
      case OP.PERSID:
      case OP.BINPERSID:
        throw unsupported(`${opName(op)}: persistent IDs need the pickler's own persistent_load`);
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4:
        throw unsupported(`${opName(op)}: the copyreg extension registry is not available`);
      case OP.NEXT_BUFFER:
      case OP.READONLY_BUFFER:
        throw unsupported(`${opName(op)}: out-of-band buffers are not available`);
      case OP.STRING:
        throw unsupported("STRING: Python 2 text-mode str is not supported");
    }
    throw invalid(`unknown opcode 0x${op.toString(16).padStart(2, "0")} at offset ${this.pos - 1}`);
  }

  // --- stack helpers

  /** Where the innermost open MARK starts: nothing below it may be popped until the mark is. */
  private base(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
  }

  private pop(op: number): PyValue {
    if (this.stack.length <= this.base()) throw underflow(op);
    return this.stack.pop() as PyValue;
  }

  private top(op: number): PyValue {
    if (this.stack.length <= this.base()) throw underflow(op);
    return this.stack[this.stack.length - 1];
  }

  /** Closes the innermost MARK; the items above it stay on the stack from the returned index. */
  private popMark(op: number): number {
    const from = this.marks.pop();
    if (from === undefined) throw invalid(`${opName(op)} without a MARK`);
    return from;
  }

  /** Closes the innermost MARK and removes the items above it. */
  private takeMarked(op: number): PyValue[] {
    const from = this.popMark(op);
    return this.stack.splice(from);
  }

  /**
   * The small ints that follow a MARK (a batch of a list of ints, most map results), pushed in one loop
   * rather than one dispatch each; stops at anything else, or at an argument cut short (the general path
   * then reports it).
   */
  private intRun(): void {
    const { data, stack } = this;
    const end = data.length;
    const first = this.pos;
    let pos = first;
    for (;;) {
      const op = data[pos];
      if (op === OP.BININT1 && pos + 1 < end) pos += 2;
      else if (op === OP.BININT2 && pos + 2 < end) pos += 3;
      else if (op === OP.BININT && pos + 4 < end) pos += 5;
      else break;
    }
    if (pos === first) return;
    // A run that an APPENDS closes goes straight into the list below its MARK (which APPENDS would do
    // next): one push per item instead of two, and no stack growth. Anything else is left on the stack.
    const below = stack.length > 0 && data[pos] === OP.APPENDS ? stack[stack.length - 1] : undefined;
    const out = Array.isArray(below) ? below : stack;
    for (let at = first; at < pos; ) {
      const op = data[at];
      if (op === OP.BININT1) {
        out.push(data[at + 1]);
        at += 2;
      } else if (op === OP.BININT2) {
        out.push(data[at + 1] | (data[at + 2] << 8));
        at += 3;
      } else {
        out.push(this.view.getInt32(at + 1, true));
        at += 5;
      }
    }
    this.pos = pos;
  }

  /** The container that items from `from` on are added to: the value just below them. */
  private targetBelow(op: number, from: number): PyValue {
    if (from <= this.base()) throw underflow(op);
    return this.stack[from - 1];
  }

  private put(op: number, index: number): void {
    const value = this.top(op);
    if (this.memo[index] === undefined) this.memoSize++;
    this.memo[index] = value;
  }

  private getMemo(op: number, index: number): void {
    const value = this.memo[index];
    if (value === undefined) throw invalid(`${opName(op)} ${index}: no such memo entry`);
    this.stack.push(value);
  }

  /** APPEND(S): the stack items from `from` on go into the list below them, then leave the stack. */
  private appendTo(op: number, from: number): void {
    const target = this.targetBelow(op, from);
    const stack = this.stack;
    if (Array.isArray(target)) for (let i = from; i < stack.length; i++) target.push(stack[i]);
    // An opaque object (a list subclass, a deque …) absorbs its items.
    else if (!(target instanceof PyObject)) throw invalid(`${opName(op)} to a ${pyKind(target)}`);
    stack.length = from;
  }

  /** SETITEM(S) / DICT: the key, value pairs on the stack from `from` on go into `target`, then leave. */
  private setItems(op: number, target: PyValue, from: number): void {
    const stack = this.stack;
    if ((stack.length - from) % 2 !== 0) throw invalid(`${opName(op)} with an odd number of items`);
    if (target instanceof PyDict) {
      const entries = target.entries;
      for (let i = from; i < stack.length; i += 2) {
        const key = stack[i];
        assertHashable(key);
        const index = this.indexFor(target, entries.length);
        const at = index ? index.find(key) : this.findLinear(entries, key, (e) => e[0]);
        if (at !== undefined) entries[at][1] = stack[i + 1];
        else {
          index?.add(key, entries.length);
          entries.push([key, stack[i + 1]]);
        }
      }
    } else if (!(target instanceof PyObject)) {
      // (an opaque target, e.g. an OrderedDict or defaultdict, absorbs its items)
      throw invalid(`${opName(op)} to a ${pyKind(target)}`);
    }
    stack.length = from;
  }

  /** Adds `src[from..]` to a set's item array `out`, skipping items already there (`set.update`). */
  private addToSet(out: PyValue[], src: readonly PyValue[], from: number): void {
    for (let i = from; i < src.length; i++) {
      const item = src[i];
      assertHashable(item);
      const index = this.indexFor(out, out.length);
      if ((index ? index.find(item) : this.findLinear(out, item, (x) => x)) !== undefined) continue;
      index?.add(item, out.length);
      out.push(item);
    }
  }

  /** Python's `set(items)`: duplicates dropped, first occurrence kept. */
  private dedup(items: readonly PyValue[]): PyValue[] {
    const out: PyValue[] = [];
    this.addToSet(out, items, 0);
    this.indexes.delete(out);
    return out;
  }

  /** The hash index of a dict or set (by its item array) once too big for linear search. */
  private indexFor(container: PyDict | PyValue[], size: number): HashIndex | undefined {
    if (size <= LINEAR_LOOKUP_MAX) return undefined;
    const existing = this.indexes.get(container);
    if (existing) return existing;
    const index = new HashIndex(this.canon);
    const keys = container instanceof PyDict ? container.keys() : container;
    for (let i = 0; i < keys.length; i++) index.add(keys[i], i);
    this.indexes.set(container, index);
    return index;
  }

  /** Position of `key` in a small dict or set, by Python key equality. */
  private findLinear<T>(items: readonly T[], key: PyValue, keyOf: (item: T) => PyValue): number | undefined {
    const isStr = typeof key === "string";
    for (let i = 0; i < items.length; i++) {
      const k = keyOf(items[i]);
      // A str only ever equals the same str: skip the general comparison for the common case.
      if (k === key || (!isStr && typeof k !== "string" && this.canon.same(k, key))) return i;
    }
    return undefined;
  }

  // --- input readers; every length is checked against the bytes actually left

  private need(op: number, n: number): void {
    if (n > this.data.length - this.pos) {
      throw invalid(`${opName(op)} needs ${n} bytes at offset ${this.pos} but only ${this.data.length - this.pos} remain (truncated)`);
    }
  }

  private take(op: number, n: number): Uint8Array {
    this.need(op, n);
    const bytes = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return bytes;
  }

  private u8(op: number): number {
    this.need(op, 1);
    return this.data[this.pos++];
  }

  private u32(op: number): number {
    this.need(op, 4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private i32(op: number): number {
    this.need(op, 4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    if (v < 0) throw invalid(`${opName(op)} has a negative length`);
    return v;
  }

  /** An 8-byte length that must fit in what is left of the input (never trusted for allocation). */
  private lengthU64(op: number): number {
    this.need(op, 8);
    const low = this.view.getUint32(this.pos, true);
    const high = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    const n = high * 2 ** 32 + low;
    this.need(op, n);
    return n;
  }

  /** The text up to the next newline: latin-1 for numbers and raw-unicode-escape, UTF-8 for names. */
  private line(op: number, encoding: "latin1" | "utf8" = "latin1"): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) throw invalid(`${opName(op)}: missing end of line (truncated)`);
    const bytes = this.data.subarray(this.pos, end);
    this.pos = end + 1;
    if (encoding === "latin1") return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
    const text = decodeSurrogatepass(bytes);
    if (text === undefined) throw invalid(`${opName(op)} name is not valid UTF-8`);
    return text;
  }

  private lineInt(op: number): number {
    const text = this.line(op);
    if (!/^\d{1,10}$/.test(text)) throw invalid(`${opName(op)} argument ${JSON.stringify(text.slice(0, 40))} is not a memo index`);
    return Number(text);
  }

  private utf8(op: number, n: number): string {
    const text = decodeSurrogatepass(this.take(op, n));
    if (text === undefined) throw invalid(`${opName(op)} is not valid UTF-8`);
    return text;
  }

  /** Python 2 `str`: Python 3 loads it as ASCII text by default. */
  private ascii(op: number, n: number): string {
    const bytes = this.take(op, n);
    if (bytes.some((b) => b >= 0x80)) throw unsupported(`${opName(op)}: Python 2 str with non-ASCII bytes`);
    return Buffer.from(bytes).toString("latin1");
  }
}


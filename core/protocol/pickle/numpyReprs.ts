/**
 * numpy values in a result, shown by their type and, where it is plain data, their value, rather than
 * by the reconstructor that rebuilds them (`<numpy.core.multiarray.scalar object>`).
 *
 * How numpy pickles them (numpy 1 names its module `numpy.core.multiarray`, numpy 2 `numpy._core.multiarray`):
 * - a dtype: `numpy.dtype(code, False, True)`, then BUILD with `(3, byteorder, …)`;
 * - a scalar: `multiarray.scalar(dtype, raw bytes)`;
 * - an array: `multiarray._reconstruct(numpy.ndarray, (0,), b'b')`, then BUILD with
 *   `(1, shape, dtype, is_fortran, raw bytes)` (dill: the same two steps in `dill._dill._create_array`);
 *   with protocol 5, `numeric._frombuffer(raw bytes, dtype, shape, order)`.
 *
 * Scalars show as numpy 2's repr does (`np.float64(0.5)`, `np.int64(3)`, `np.True_`), whichever numpy
 * pickled them: numpy 1 would print `0.5`, which reads as a Python float. Nothing is evaluated: the raw
 * bytes are read as the dtype says, and anything not of the exact expected shape keeps a placeholder
 * naming the numpy type.
 */
import { strRepr } from "../formatPython";
import { pythonFloatRepr } from "../numberText";
import { PyByteArray, PyBytes, PyObject, PyTuple, escapeControls, isPyInt, type PyValue } from "../pyValue";

const NUMPY_MODULES = new Set(["numpy.core.multiarray", "numpy._core.multiarray", "numpy.core.numeric", "numpy._core.numeric"]);

/** Whether `module.name` is one of numpy's reconstructors `name`, under numpy 1's or numpy 2's module. */
export function isNumpyReconstructor(module: string, name: string, expected: "scalar" | "_reconstruct" | "_frombuffer"): boolean {
  return name === expected && NUMPY_MODULES.has(module);
}

/** numpy's type names by dtype code (`dtype.str` without its byte order). */
const TYPE_NAMES: Record<string, string> = {
  b1: "bool", i1: "int8", i2: "int16", i4: "int32", i8: "int64", u1: "uint8", u2: "uint16", u4: "uint32", u8: "uint64",
  f2: "float16", f4: "float32", f8: "float64", f16: "longdouble", c8: "complex64", c16: "complex128", c32: "clongdouble",
  O8: "object", O4: "object",
};

/** A dtype being unpickled: its code from `numpy.dtype(code, False, True)`, its byte order from BUILD. */
export class NumpyDtype extends PyObject {
  /** `<`, `>`, `|` (not applicable) or `=` (native), as the BUILD state says. */
  byteOrder = "=";
  constructor(readonly code: string) {
    super("numpy", "dtype");
  }

  /** numpy's name of the scalar type (`float64`, `str_`), or undefined for a code not known here. */
  get typeName(): string | undefined {
    if (/^U\d+$/.test(this.code)) return "str_";
    if (/^S\d+$/.test(this.code)) return "bytes_";
    return TYPE_NAMES[this.code];
  }

  get bigEndian(): boolean {
    return this.byteOrder === ">";
  }

  override toString(): string {
    const name = this.typeName;
    if (name === undefined || this.bigEndian) return super.toString();
    return `dtype(${strRepr(name === "str_" ? `<${this.code}` : name === "bytes_" ? this.code : name)})`;
  }
}

/** BUILD on a dtype: `(3, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])`. */
export function buildDtype(dtype: NumpyDtype, state: PyValue): void {
  if (state instanceof PyTuple && typeof state.items[1] === "string" && /^[<>|=]$/.test(state.items[1])) dtype.byteOrder = state.items[1];
}

/** `multiarray.scalar(dtype, raw)`: numpy 2's repr of the value, or a placeholder naming its type. */
export function numpyScalar(a: readonly PyValue[]): PyObject | undefined {
  if (a.length !== 2 || !(a[0] instanceof NumpyDtype) || !(a[1] instanceof PyBytes)) return undefined;
  const [dtype, raw] = [a[0], a[1].bytes];
  const name = dtype.typeName;
  if (name === undefined) return undefined;
  return new PyObject("numpy", name, scalarRepr(dtype, name, raw));
}

function scalarRepr(dtype: NumpyDtype, name: string, raw: Uint8Array): string | undefined {
  const little = !dtype.bigEndian;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size = (bytes: number) => raw.length === bytes;
  switch (name) {
    case "bool":
      return size(1) && raw[0] <= 1 ? (raw[0] ? "np.True_" : "np.False_") : undefined;
    case "int8":
      return size(1) ? `np.int8(${view.getInt8(0)})` : undefined;
    case "uint8":
      return size(1) ? `np.uint8(${view.getUint8(0)})` : undefined;
    case "int16":
      return size(2) ? `np.int16(${view.getInt16(0, little)})` : undefined;
    case "uint16":
      return size(2) ? `np.uint16(${view.getUint16(0, little)})` : undefined;
    case "int32":
      return size(4) ? `np.int32(${view.getInt32(0, little)})` : undefined;
    case "uint32":
      return size(4) ? `np.uint32(${view.getUint32(0, little)})` : undefined;
    case "int64":
      return size(8) ? `np.int64(${view.getBigInt64(0, little)})` : undefined;
    case "uint64":
      return size(8) ? `np.uint64(${view.getBigUint64(0, little)})` : undefined;
    case "float32":
      return size(4) ? `np.float32(${float32Repr(view.getFloat32(0, little))})` : undefined;
    case "float64":
      return size(8) ? `np.float64(${pythonFloatRepr(view.getFloat64(0, little))})` : undefined;
    case "str_":
      return size(4 * Number(dtype.code.slice(1))) ? strScalarRepr(view, little) : undefined;
  }
  return undefined;
}

/** The shortest decimal that reads back as the same float32, written as Python writes floats. */
function float32Repr(x: number): string {
  if (!Number.isFinite(x)) return pythonFloatRepr(x);
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(x.toPrecision(digits));
    if (Math.fround(shortest) === x) return pythonFloatRepr(shortest);
  }
  return pythonFloatRepr(Number(x.toPrecision(9)));
}

/** A `str_` is UTF-32 code points padded with NULs to the dtype's length. */
function strScalarRepr(view: DataView, little: boolean): string | undefined {
  let text = "";
  for (let at = 0; at < view.byteLength; at += 4) {
    const cp = view.getUint32(at, little);
    if (cp > 0x10ffff) return undefined;
    text += String.fromCodePoint(cp);
  }
  return `np.str_(${strRepr(text.replace(/\0+$/, ""))})`;
}

/** An ndarray being unpickled: its shape and dtype once its state is known. */
export class NumpyArray extends PyObject {
  shape: number[] | undefined;
  dtype: NumpyDtype | undefined;
  constructor() {
    super("numpy", "ndarray");
  }

  override toString(): string {
    if (this.shape === undefined || this.dtype === undefined) return super.toString();
    const shape = this.shape.length === 1 ? `(${this.shape[0]},)` : `(${this.shape.join(", ")})`;
    return `<numpy.ndarray shape=${shape} dtype=${this.dtype.typeName ?? escapeControls(this.dtype.code)}>`;
  }
}

/** `_reconstruct(numpy.ndarray, (0,), b'b')`: an array whose state follows (BUILD, or dill's `_create_array`). */
export function reconstructArray(a: readonly PyValue[]): NumpyArray | undefined {
  const cls = a[0];
  return a.length === 3 && cls instanceof PyObject && cls.module === "numpy" && cls.name === "ndarray" ? new NumpyArray() : undefined;
}

/** An ndarray's state: `(1, shape, dtype, is_fortran, raw bytes or a list of objects)`. */
export function buildArray(array: NumpyArray, state: PyValue): void {
  if (!(state instanceof PyTuple) || state.items.length !== 5) return;
  const [, shape, dtype] = state.items;
  setShape(array, shape, dtype);
}

/** `_frombuffer(raw, dtype, shape, order)` (protocol 5). */
export function arrayFromBuffer(a: readonly PyValue[]): NumpyArray | undefined {
  if (a.length !== 4 || !(a[0] instanceof PyBytes || a[0] instanceof PyByteArray)) return undefined;
  const array = new NumpyArray();
  setShape(array, a[2], a[1]);
  return array.shape === undefined ? undefined : array;
}

function setShape(array: NumpyArray, shape: PyValue, dtype: PyValue): void {
  if (!(shape instanceof PyTuple) || !(dtype instanceof NumpyDtype)) return;
  if (!shape.items.every((n) => typeof n === "number" && isPyInt(n) && n >= 0)) return;
  array.shape = shape.items as number[];
  array.dtype = dtype;
}

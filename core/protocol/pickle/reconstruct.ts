/**
 * What the object opcodes (GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ, INST, OBJ) leave on the stack: opaque
 * `PyObject` placeholders named after the class, or, for the few reconstructors of plain data that
 * CPython and dill emit, the data itself.
 */
import {
  PyByteArray,
  PyBytes,
  PyDict,
  PyFrozenSet,
  PyObject,
  PySet,
  PyTuple,
  pyKind,
  type PyValue,
} from "../pyValue";
import { knownRepr } from "./knownReprs";
import { NumpyArray, NumpyDtype, arrayFromBuffer, buildArray, buildDtype, isNumpyReconstructor, numpyScalar, reconstructArray } from "./numpyReprs";
import { opName } from "./opcodes";
import { invalid } from "./pickleErrors";

/** A class or function named by GLOBAL / STACK_GLOBAL (as opposed to an instance built from one). */
export class PyGlobal extends PyObject {}

/**
 * REDUCE: `callable(*args)`. The result is an opaque instance of whatever was called, except for the
 * reconstructors of plain data that Python's own picklers emit (so a protocol-4 bytearray from dill or
 * stdlib comes back as a bytearray). Each special case is taken only when the arguments have exactly
 * the expected shape, so the value is never a guess.
 */
export function reduce(callable: PyValue, args: PyValue, dedup: (items: readonly PyValue[]) => PyValue[]): PyValue {
  if (!(callable instanceof PyObject)) throw invalid(`REDUCE calls a ${pyKind(callable)}`);
  if (!(args instanceof PyTuple)) throw invalid(`REDUCE arguments are a ${pyKind(args)}, not a tuple`);
  const a = args.items;
  if (callable instanceof PyGlobal) {
    switch (`${callable.module}.${callable.name}`) {
      case "builtins.bytearray": {
        const bytes = a.length === 0 ? new Uint8Array(0) : bytesArgument(a);
        if (bytes) return new PyByteArray(bytes);
        break;
      }
      case "builtins.bytes": {
        const bytes = a.length === 0 ? new Uint8Array(0) : bytesArgument(a);
        if (bytes) return new PyBytes(bytes);
        break;
      }
      case "_codecs.encode": {
        const bytes = bytesArgument(a);
        if (bytes) return new PyBytes(bytes);
        break;
      }
      case "builtins.set":
      case "builtins.frozenset":
        if (a.length === 0 || (a.length === 1 && Array.isArray(a[0]))) {
          const items = dedup(a.length === 0 ? [] : (a[0] as PyValue[]));
          return callable.name === "set" ? new PySet(items) : new PyFrozenSet(items);
        }
        break;
      case "dill._dill._load_type":
        if (a.length === 1 && typeof a[0] === "string") return new PyGlobal(BUILTIN_TYPES.has(a[0]) || BUILTIN_EXCEPTION.test(a[0]) ? "builtins" : "types", a[0]);
        break;
      case "dill._dill._create_type":
        // (metaclass, name, bases, namespace): a class pickled by value, usually from __main__.
        if (a.length === 4 && typeof a[1] === "string") {
          const module = a[3] instanceof PyDict ? a[3].get("__module__") : undefined;
          return new PyGlobal(typeof module === "string" ? module : "__main__", a[1]);
        }
        break;
      case "dill._dill._create_namedtuple":
        // (name, field names, module[, defaults]): a NamedTuple class pickled by value.
        if (a.length >= 3 && typeof a[0] === "string" && typeof a[2] === "string") return new PyGlobal(a[2], a[0]);
        break;
      case "builtins.getattr":
        // `getattr(cls, "name")`: how protocol 4 names a classmethod (zoneinfo.ZoneInfo._unpickle).
        if (a.length === 2 && a[0] instanceof PyGlobal && typeof a[1] === "string") return new PyGlobal(a[0].module, `${a[0].name}.${a[1]}`);
        break;
      case "copyreg._reconstructor":
        if (a.length >= 1 && a[0] instanceof PyObject) return new PyObject(a[0].module, a[0].name);
        break;
      case "dill._dill._eval_repr":
        // dill ships the repr of a few builtins (range, Ellipsis) to be eval()'d: shown, never evaluated.
        if (a.length === 1 && typeof a[0] === "string") return new PyObject("builtins", /^[A-Za-z_]\w*/.exec(a[0])?.[0] ?? "object", a[0]);
        break;
      case "numpy.dtype":
        if (a.length === 3 && typeof a[0] === "string" && typeof a[1] === "boolean" && typeof a[2] === "boolean") return new NumpyDtype(a[0]);
        break;
      case "dill._dill._create_array": {
        // (numpy's _reconstruct, its arguments, the array's state, its __dict__)
        const [f, args, state] = a;
        if (a.length >= 3 && f instanceof PyGlobal && isNumpyReconstructor(f.module, f.name, "_reconstruct") && args instanceof PyTuple) {
          const array = reconstructArray(args.items);
          if (array) {
            buildArray(array, state);
            return array;
          }
        }
        break;
      }
      case "_operator.or_":
      case "_operator.and_":
      case "_operator.xor": {
        // An enum.Flag combination (dill): `F.A | F.B` is an F.
        const [x, y] = a.length === 2 ? [flagClass(a[0]), flagClass(a[1])] : [];
        if (x && y && x.module === y.module && x.name === y.name) return new PyObject(x.module, x.name);
        break;
      }
    }
    const numpy =
      isNumpyReconstructor(callable.module, callable.name, "scalar") ? numpyScalar(a)
      : isNumpyReconstructor(callable.module, callable.name, "_reconstruct") ? reconstructArray(a)
      : isNumpyReconstructor(callable.module, callable.name, "_frombuffer") ? arrayFromBuffer(a)
      : undefined;
    if (numpy) return numpy;
  }
  const cls = `${callable.module}.${callable.name}`;
  // An exception's repr is its class and arguments: `ValueError('bad')`.
  if (callable instanceof PyGlobal && callable.module === "builtins" && BUILTIN_EXCEPTION.test(callable.name)) return new PyObject("builtins", callable.name, undefined, a);
  const made = MADE_BY[cls] ?? callable.name;
  return new PyObject(callable.module, made, callable instanceof PyGlobal ? knownRepr(cls, a) : undefined);
}

/** Reconstructors named after something else than the class they make. */
const MADE_BY: Record<string, string> = {
  // a classmethod of the class it makes
  "zoneinfo.ZoneInfo._unpickle": "ZoneInfo",
  "pandas._libs.tslibs.timestamps._unpickle_timestamp": "Timestamp",
};

/** BUILD: the state of the few objects whose display depends on it (a numpy dtype's byte order, an array's shape). */
export function build(target: PyObject, state: PyValue): void {
  if (target instanceof NumpyDtype) buildDtype(target, state);
  else if (target instanceof NumpyArray) buildArray(target, state);
}

/** The class of a Flag member: of a member named via getattr (`F.A`), or of an instance. */
function flagClass(v: PyValue): { module: string; name: string } | undefined {
  if (!(v instanceof PyObject)) return undefined;
  if (!(v instanceof PyGlobal)) return v;
  const dot = v.name.lastIndexOf(".");
  return dot > 0 ? { module: v.module, name: v.name.slice(0, dot) } : undefined;
}

/** Python 2 names that Python 3's unpickler maps (`fix_imports`) and the reconstructors handled below. */
const MODULE_ALIASES: Record<string, string> = { __builtin__: "builtins", copy_reg: "copyreg" };

export function makeGlobal(module: string, name: string): PyGlobal {
  return new PyGlobal(MODULE_ALIASES[module] ?? module, name);
}

/** dill's `_load_type(name)` names builtin types by their bare name; the rest live in `types`. */
const BUILTIN_TYPES = new Set([
  "bool", "bytearray", "bytes", "classmethod", "complex", "dict", "float", "frozenset", "int", "list",
  "memoryview", "object", "property", "range", "set", "slice", "staticmethod", "str", "super", "tuple", "type",
]);

/** The builtin exception classes (which dill's `_load_type` names too), by their names. */
const BUILTIN_EXCEPTION =
  /^(?:[A-Z]\w*(?:Error|Exception|Warning)|Exception|Warning|BaseException(?:Group)?|ExceptionGroup|KeyboardInterrupt|SystemExit|GeneratorExit|StopIteration|StopAsyncIteration)$/;

/** `(b"…",)` or `("latin-1 text", "latin1")` (how protocols < 3 carry bytes). */
function bytesArgument(a: readonly PyValue[]): Uint8Array | undefined {
  if (a.length === 1 && (a[0] instanceof PyBytes || a[0] instanceof PyByteArray)) return a[0].bytes.slice();
  if (a.length === 2 && typeof a[0] === "string" && (a[1] === "latin1" || a[1] === "latin-1")) {
    const text = a[0];
    if (/[\u0100-\uffff]/.test(text)) throw invalid("latin-1 bytes argument has characters above U+00FF");
    return new Uint8Array(Buffer.from(text, "latin1"));
  }
  return undefined;
}

/** NEWOBJ / INST / OBJ: an instance of a class we can only name. */
export function instanceOf(op: number, cls: PyValue): PyObject {
  if (!(cls instanceof PyObject)) throw invalid(`${opName(op)} on a ${pyKind(cls)}, not a class`);
  return new PyObject(cls.module, cls.name);
}


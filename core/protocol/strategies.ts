/**
 * The SDK's serialization strategies (protocol.md §5.2): every serialized value is a 3-character header
 * (`11\n` JSON, `00\n` dill/pickle, `13\n` both; `st\n`/`sd\n`/`04\n` function source) and a body.
 */
import { decodeBase64Mime, encodeBase64Mime } from "./base64Mime";
import { packBuffers, unpackBuffers } from "./buffers";
import { ProtocolError } from "./errors";
import { decodePickle, encodePickle } from "./pickle";
import { pyJsonDumps, pyJsonLoads } from "./pyJson";
import { PyDict, PyTuple, type PyValue } from "./pyValue";

export type DataStrategy = "json" | "dill" | "all";
export type CodeStrategy = "st" | "sd" | "04";

/** Pickle protocol of dill on Python ≤ 3.13, the one the vectors (and most endpoints) use. */
const PICKLE_PROTOCOL = 4;

export const DATA_HEADERS: Readonly<Record<DataStrategy, string>> = { json: "11\n", dill: "00\n", all: "13\n" };

export function serializeData(value: PyValue, strategy: DataStrategy): string {
  switch (strategy) {
    case "json":
      return DATA_HEADERS.json + pyJsonDumps(value);
    case "dill":
      return DATA_HEADERS.dill + encodeBase64Mime(encodePickle(value, { protocol: PICKLE_PROTOCOL }));
    case "all":
      return DATA_HEADERS.all + packBuffers(serializeEach(value));
    default:
      throw new ProtocolError("INVALID_HEADER", `unknown data strategy: ${String(strategy)}`);
  }
}

/** AllDataStrategies: JSON then dill, leaving out whichever cannot carry the value. */
function serializeEach(value: PyValue): string[] {
  const parts: string[] = [];
  let lastError: ProtocolError | undefined;
  for (const s of ["json", "dill"] as const) {
    try {
      parts.push(serializeData(value, s));
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      lastError = e;
    }
  }
  if (parts.length === 0) throw lastError!;
  return parts;
}

export function deserializeData(payload: string): PyValue {
  const header = payload.slice(0, 3);
  const body = payload.slice(3);
  switch (header) {
    case DATA_HEADERS.json:
      return pyJsonLoads(body);
    case DATA_HEADERS.dill:
      return decodePickle(decodeBase64Mime(body));
    case DATA_HEADERS.all:
      return firstDecodable(unpackBuffers(body));
  }
  if (CODE_HEADERS.has(header)) {
    throw new ProtocolError("INVALID_HEADER", `Invalid header: ${JSON.stringify(header)} is a function, not data`);
  }
  throw new ProtocolError("INVALID_HEADER", `Invalid header: ${JSON.stringify(header)} in data payload`);
}

/** The `13` combo returns the first sub-buffer that deserializes (only `11`/`00` may nest). */
function firstDecodable(buffers: string[]): PyValue {
  let lastError: ProtocolError = new ProtocolError("INVALID_BUFFER", "13 payload holds no buffers");
  for (const b of buffers) {
    const h = b.slice(0, 3);
    if (h !== DATA_HEADERS.json && h !== DATA_HEADERS.dill) {
      lastError = new ProtocolError("INVALID_HEADER", `Invalid header: ${JSON.stringify(h)} inside a 13 payload`);
      continue;
    }
    try {
      return deserializeData(b);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      lastError = e;
    }
  }
  throw lastError;
}

// ---------------------------------------------------------------------------------------------- code

const CODE_HEADERS = new Set(["01\n", "02\n", "03\n", "04\n", "10\n", "12\n", "st\n", "sd\n"]);

/**
 * A function as the endpoint receives it. `st`/`sd` are `name:source` text; `04` is a pickled
 * `(name, source)` tuple. The endpoint execs `source` and calls `name`, so `name` must not hold `:`.
 */
export function serializeCode(name: string, source: string, strategy: CodeStrategy): string {
  if (name === "" || /[:\n]/.test(name)) {
    throw new ProtocolError("NOT_SERIALIZABLE", `function name ${JSON.stringify(name)} must be non-empty, without ':' or newline`);
  }
  switch (strategy) {
    case "st":
    case "sd":
      return `${strategy}\n${name}:${source}`;
    case "04":
      return "04\n" + encodeBase64Mime(encodePickle(new PyTuple([name, source]), { protocol: PICKLE_PROTOCOL }));
    default:
      throw new ProtocolError("INVALID_HEADER", `unknown code strategy: ${String(strategy)}`);
  }
}

export interface SourceFunction {
  /** The entry point the endpoint calls after executing `source`. */
  name: string;
  source: string;
}

/** Reads the source-carrying code strategies (`st`, `sd`, `03`, `04`, and `12` through its `st`/`sd` part). */
export function deserializeCode(payload: string): SourceFunction {
  const header = payload.slice(0, 3);
  const body = payload.slice(3);
  switch (header) {
    case "st\n":
    case "sd\n": {
      const colon = body.indexOf(":");
      if (colon < 0) throw new ProtocolError("INVALID_BUFFER", "source payload has no ':' after the function name");
      return { name: body.slice(0, colon), source: body.slice(colon + 1) };
    }
    case "03\n":
    case "04\n": {
      const value = decodePickle(decodeBase64Mime(body));
      const items = value instanceof PyTuple ? value.items : [];
      if (items.length !== 2 || typeof items[0] !== "string" || typeof items[1] !== "string") {
        throw new ProtocolError("INVALID_PICKLE", "code pickle is not a (name, source) tuple of two strings");
      }
      return { name: items[0], source: items[1] };
    }
    case "12\n": {
      const sourcePart = unpackBuffers(body).find((b) => b.startsWith("st\n") || b.startsWith("sd\n"));
      if (sourcePart === undefined) throw new ProtocolError("UNSUPPORTED_PICKLE", "12 payload carries no source (only dill bytecode)");
      return deserializeCode(sourcePart);
    }
    case "01\n":
    case "02\n":
    case "10\n":
      throw new ProtocolError("UNSUPPORTED_PICKLE", `code strategy ${JSON.stringify(header)} carries CPython bytecode, not source`);
  }
  throw new ProtocolError("INVALID_HEADER", `Invalid header: ${JSON.stringify(header)} in code payload`);
}

// ----------------------------------------------------------------------------------------- task payload

export type TaskArgs = readonly PyValue[] | PyTuple;
export type TaskKwargs = PyDict | Readonly<Record<string, PyValue>>;

/**
 * One entry of a submit request's `tasks[function_id]` list: `pack_buffers([serialize(args),
 * serialize(kwargs)])`, args as a tuple (as Python's `*args`), kwargs a str-keyed dict.
 */
export function packTaskPayload(
  args: TaskArgs,
  kwargs: TaskKwargs,
  strategy: DataStrategy | { args: DataStrategy; kwargs: DataStrategy },
): string {
  const argsTuple = args instanceof PyTuple ? args : new PyTuple([...args]);
  const kwargsDict = kwargs instanceof PyDict ? kwargs : PyDict.fromObject({ ...kwargs });
  if (!kwargsDict.hasOnlyStringKeys()) throw new ProtocolError("NOT_SERIALIZABLE", "kwargs keys must all be str");
  const s = typeof strategy === "string" ? { args: strategy, kwargs: strategy } : strategy;
  return packBuffers([serializeData(argsTuple, s.args), serializeData(kwargsDict, s.kwargs)]);
}

export interface UnpackedTask {
  fn: SourceFunction;
  args: PyValue;
  kwargs: PyValue;
}

/** The endpoint's `unpack_and_deserialize(task_buffer)`: exactly function, args and kwargs. */
export function unpackTaskBuffer(taskBuffer: string): UnpackedTask {
  const buffers = unpackBuffers(taskBuffer);
  if (buffers.length !== 3) throw new ProtocolError("INVALID_BUFFER", `Unpack expects 3 buffers, got ${buffers.length}`);
  return { fn: deserializeCode(buffers[0]), args: deserializeData(buffers[1]), kwargs: deserializeData(buffers[2]) };
}

/**
 * The Python pickle codec behind the `00\n` (DillDataBase64) strategy: `encodePickle` writes what
 * `dill.dumps` / `pickle.dumps` write for the same value (protocol 4 or 5); `decodePickle` reads
 * protocols 0–5, turning objects it cannot rebuild into opaque `PyObject` placeholders. Both throw only
 * `ProtocolError`.
 */
export { encodePickle, type EncodePickleOptions } from "./pickle/encoder";
export { decodePickle } from "./pickle/decoder";

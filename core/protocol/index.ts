/** The Globus Compute wire format (protocol.md §2–§6): the one entry point for everything in core/protocol. */
export * from "./pyValue";
export * from "./errors";
export * from "./messages";
export { packBuffers, unpackBuffers, codePointLength } from "./buffers";
export { isSafePyInt, pyJsonDumps, pyJsonLoads, scalarJson, scalarListJson } from "./pyJson";
export { pythonFloatRepr } from "./numberText";
export {
  serializeData,
  deserializeData,
  serializeCode,
  deserializeCode,
  packTaskPayload,
  unpackTaskBuffer,
  DATA_HEADERS,
  type DataStrategy,
  type CodeStrategy,
  type SourceFunction,
  type TaskArgs,
  type TaskKwargs,
  type UnpackedTask,
} from "./strategies";
export { fromTagged, toTagged, toDisplayJson } from "./tagged";
export { formatPython, type FormatPythonOptions } from "./formatPython";
export { packMessage, unpackMessage, PROTOCOL_VERSION } from "./envelope";
export { ComputeApiError, type ComputeApiErrorInit, type HeaderSource } from "./apiError";
export * from "./taskState";
export { encodePickle, decodePickle } from "./pickle";
export { encodeBase64Mime, decodeBase64Mime } from "./base64Mime";

/** Typed errors of the wire format. Every error has a stable `code` that callers can switch on. */

export type ProtocolErrorCode =
  | "INVALID_BUFFER" // packed buffers malformed (bad length, truncated)
  | "INVALID_HEADER" // unknown serialization strategy header
  | "INVALID_JSON" // a `11\n` body that is not JSON
  | "INVALID_PICKLE" // a pickle stream that is malformed or truncated
  | "UNSUPPORTED_PICKLE" // a well-formed pickle the TypeScript side cannot rebuild
  | "NOT_SERIALIZABLE" // a value the chosen strategy cannot carry (e.g. a set as JSON)
  | "UNRECOGNIZED_PROTOCOL_VERSION" // envelope version byte is not 0x01
  | "UNKNOWN_MESSAGE_TYPE" // envelope message_type is not known
  | "INVALID_MESSAGE" // envelope JSON malformed or a required field missing/mistyped
  | "INVALID_TAGGED"; // a tagged-JSON value (vectors README convention) that is malformed

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

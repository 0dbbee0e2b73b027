/** The decoder's typed errors: malformed input, or well-formed input this side cannot rebuild. */
import { ProtocolError } from "../errors";
import { opName } from "./opcodes";

export function invalid(message: string): ProtocolError {
  return new ProtocolError("INVALID_PICKLE", message);
}

export function unsupported(message: string): ProtocolError {
  return new ProtocolError("UNSUPPORTED_PICKLE", message);
}

export function underflow(op: number): ProtocolError {
  return invalid(`${opName(op)}: stack underflow`);
}

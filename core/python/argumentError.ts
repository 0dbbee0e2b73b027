/** Why an argument text could not be read as Python literals. Stable, so callers can switch on it. */
export type ArgumentErrorCode =
  | "NOT_A_LITERAL" // a name, call, operator, f-string…: something that would need Python to evaluate
  | "UNEXPECTED_TOKEN" // a character or token that does not fit where it is
  | "UNEXPECTED_END" // the text stops in the middle of a value (an unclosed bracket, a dangling comma)
  | "INVALID_NUMBER" // a malformed number literal (`1__0`, `0x`, `012`)
  | "INVALID_STRING" // an unterminated string, a bad escape, non-ASCII in bytes, bytes mixed with str
  | "UNHASHABLE" // a list, dict or set used as a dict key or set item
  | "POSITIONAL_AFTER_KEYWORD"
  | "DUPLICATE_KEYWORD"
  | "TOO_DEEP" // nesting beyond the parser's depth limit
  | "INVALID_RANGE" // a range() that Python would reject or that is too large to expand
  // The call does not fit the function's signature (see callCheck.ts):
  | "MISSING_ARGUMENT"
  | "UNEXPECTED_KEYWORD"
  | "TOO_MANY_POSITIONAL"
  | "MULTIPLE_VALUES";

/**
 * An argument text error pointing at the offending characters: `column` is the 0-based UTF-16 offset
 * into the text (the text is normally one line), `length` how many characters to underline (≥ 1).
 */
export class ArgumentSyntaxError extends Error {
  override readonly name = "ArgumentSyntaxError";
  constructor(
    readonly code: ArgumentErrorCode,
    message: string,
    readonly column: number,
    readonly length = 1,
  ) {
    super(message);
  }
}

/**
 * Results are most of the traffic (one per task, thousands a second in a big map). A Result in exactly
 * the layout pydantic writes (compact JSON, the fields once each in declaration order, a canonical task
 * id) is read here by position from its bytes: no string is made of the whole message, nothing is
 * sliced to be compared, and only the fields become strings; JSON.parse sees only `error_details` and a
 * `details` text not seen just before. Reading the message as text first made ~1.8 KB of garbage per
 * Result, which the extension host's garbage collector paid for on every task. Anything else is left to
 * the text paths in envelope.ts (undefined); both give identical Messages (envelopeFastPath tests).
 *
 * The bytes must be valid UTF-8 (the caller checks the whole body), so every slice between ASCII
 * delimiters decodes exactly.
 */
import { exactValue, isPlainObject } from "./exactJson";
import type { ErrorDetails, Message, TaskTransition } from "./messages";
import { PyDict, type PyValue } from "./pyValue";

/** Buffers, like the bytes read, so that comparing them sees one kind of array. */
const ascii = (s: string): Buffer => Buffer.from(s, "latin1");

const HEAD = ascii('{"message_type":"result","data":{"task_id":"');
const DATA_KEY = ascii('","data":');
const DETAILS_KEY = ascii(',"details":');
const ERROR_DETAILS_KEY = ascii(',"error_details":');
const STATUSES_KEY = ascii(',"task_statuses":');
const NULL = ascii("null");
const TRANSITION_HEAD = ascii('{"timestamp":');
const STATE_KEY = ascii(',"state":');
const ACTOR_KEY = ascii(',"actor":');
/**
 * Transition states and actors: a handful of words, matched in place and shared, found by their length
 * (one candidate for most lengths) rather than compared one after another.
 */
const KNOWN_BY_LENGTH: { word: string; bytes: Buffer }[][] = [];
for (const word of ["execution-start", "execution-end", "worker", "manager", "interchange", "endpoint", "running", "waiting-for-ep"])
  (KNOWN_BY_LENGTH[word.length] ??= []).push({ word, bytes: ascii(word) });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LOWER_N = 0x6e;

/**
 * Where the last positional read stopped: one index, not an object per field, since there is one Result
 * per task.
 */
let end = 0;

/** `bytes` holds `part` at `at`. */
function has(bytes: Buffer, at: number, part: Buffer): boolean {
  if (at + part.length > bytes.length) return false;
  for (let i = 0; i < part.length; i++) if (bytes[at + i] !== part[i]) return false;
  return true;
}

/** The Result whose JSON starts at `start` and fills the rest of `bytes`, or undefined for any other layout. */
export function readCanonicalResult(bytes: Buffer, start: number): Message | undefined {
  if (!has(bytes, start, HEAD)) return undefined;
  const idAt = start + HEAD.length;
  if (!isCanonicalUuid(bytes, idAt) || !has(bytes, idAt + 36, DATA_KEY)) return undefined;
  const data = readString(bytes, idAt + 36 + DATA_KEY.length);
  if (data === undefined || !has(bytes, end, DETAILS_KEY)) return undefined;
  const details = readDetails(bytes, end + DETAILS_KEY.length);
  if (details === undefined || !has(bytes, end, ERROR_DETAILS_KEY)) return undefined;
  const errorDetails = readErrorDetails(bytes, end + ERROR_DETAILS_KEY.length);
  if (errorDetails === undefined || !has(bytes, end, STATUSES_KEY)) return undefined;
  let at = end + STATUSES_KEY.length;
  let transitions: TaskTransition[] | null = null;
  if (has(bytes, at, NULL)) at += NULL.length;
  else {
    const read = readTransitions(bytes, at);
    if (read === undefined) return undefined;
    transitions = read;
    at = end;
  }
  if (at + 2 !== bytes.length || bytes[at] !== 0x7d || bytes[at + 1] !== 0x7d) return undefined;
  return {
    message_type: "result",
    data: { task_id: bytes.toString("latin1", idAt, idAt + 36), data, details, error_details: errorDetails, task_statuses: transitions },
  };
}

/** A lower-case hyphenated UUID at `at` (as Python's `str(uuid)`). */
function isCanonicalUuid(bytes: Uint8Array, at: number): boolean {
  if (at + 36 > bytes.length) return false;
  for (let i = 0; i < 36; i++) {
    const c = bytes[at + i];
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** The JSON string starting at `at` (its opening quote); `end` is then the index after its closing quote. */
function readString(bytes: Buffer, at: number): string | undefined {
  if (bytes[at] !== QUOTE) return undefined;
  // Escapes are skipped pairwise, noting whether all are `\n` (a result's data is "<serializer id>\n
  // <payload>\n": nearly every one has two and no other). Bytes of multi-byte characters are all ≥ 0x80.
  let escapes = 0;
  let onlyNewlines = true;
  let i = at + 1;
  for (; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      escapes++;
      if (bytes[++i] !== LOWER_N) onlyNewlines = false;
    } else if (c < 0x20) return undefined; // JSON forbids control characters inside a string
  }
  if (i >= bytes.length) return undefined;
  end = i + 1;
  if (escapes === 0) return bytes.toString("utf8", at + 1, i);
  if (onlyNewlines) return bytes.toString("utf8", at + 1, i).replaceAll("\\n", "\n");
  try {
    // JSON.parse unescapes, and rejects what JSON forbids (bad escapes, control characters after one).
    return JSON.parse(bytes.toString("utf8", at, i + 1)) as string;
  } catch {
    return undefined;
  }
}

/** The index just past the JSON object or array starting at `at`; strings are skipped whole. */
function objectEnd(bytes: Uint8Array, at: number): number | undefined {
  const open = bytes[at];
  if (open !== 0x7b && open !== 0x5b) return undefined;
  let depth = 0;
  for (let i = at; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      for (i++; i < bytes.length; i++) {
        const s = bytes[i];
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
  }
  return undefined;
}

/** `null`, or the JSON object at `at` as JSON.parse reads it (then `end` is past it); undefined when neither. */
function nullOrParsed(bytes: Buffer, at: number): unknown {
  if (has(bytes, at, NULL)) {
    end = at + NULL.length;
    return null;
  }
  const close = objectEnd(bytes, at);
  if (close === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8", at, close));
    end = close;
    return value;
  } catch {
    return undefined;
  }
}

/**
 * The last `details` read, by its bytes (a copy: a delivery's bytes view the socket's read buffer): an
 * endpoint's workers send the same environment with every result, so most results reuse it. It is
 * frozen, since many results share it.
 */
let lastDetails: { bytes: Buffer; value: PyDict } | undefined;

function readDetails(bytes: Buffer, at: number): PyDict | null | undefined {
  const last = lastDetails;
  // A JSON object ends where its text does, so the same bytes at `at` are the whole object.
  if (last !== undefined && at + last.bytes.length <= bytes.length && bytes.compare(last.bytes, 0, last.bytes.length, at, at + last.bytes.length) === 0) {
    end = at + last.bytes.length;
    return last.value;
  }
  const parsed = nullOrParsed(bytes, at);
  if (parsed === null || parsed === undefined) return parsed;
  const exact = exactValue(parsed);
  if (!(exact instanceof PyDict)) return undefined;
  lastDetails = { bytes: Buffer.from(bytes.subarray(at, end)), value: deepFreeze(exact) };
  return exact;
}

function deepFreeze<T extends PyValue>(v: T): T {
  if (v instanceof PyDict) {
    for (const entry of v.entries) deepFreeze(Object.freeze(entry)[1]);
    Object.freeze(v.entries);
    Object.freeze(v);
  } else if (Array.isArray(v)) {
    for (const x of v) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function readErrorDetails(bytes: Buffer, at: number): ErrorDetails | null | undefined {
  const v = nullOrParsed(bytes, at);
  if (v === null || v === undefined) return v;
  if (!isPlainObject(v) || typeof v.code !== "string" || typeof v.user_message !== "string") return undefined;
  return { code: v.code, user_message: v.user_message };
}

/** One of the known words as the JSON string at `at` (then `end` is past it), else the string read in full. */
function readWord(bytes: Buffer, at: number): string | undefined {
  if (bytes[at] !== QUOTE) return undefined;
  // The known words have no escapes: the first quote after the opening one closes a candidate.
  let close = at + 1;
  while (close < bytes.length && bytes[close] !== QUOTE) close++;
  const candidates = close < bytes.length ? KNOWN_BY_LENGTH[close - at - 1] : undefined;
  if (candidates !== undefined)
    for (const known of candidates)
      if (has(bytes, at + 1, known.bytes)) {
        end = close + 1;
        return known.word;
      }
  return readString(bytes, at);
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10n ** BigInt(k));

/** Decimal digits from `from` to `to` as a bigint; a ns timestamp (19 digits) is beyond a double's integers. */
function digitsToBigInt(bytes: Buffer, from: number, to: number): bigint {
  // Up to 15 digits at a time are exact in a double; two parts cover any timestamp without a string.
  if (to - from > 30) return BigInt(bytes.toString("latin1", from, to));
  const split = Math.max(from, to - 15);
  let high = 0;
  for (let i = from; i < split; i++) high = high * 10 + bytes[i] - 0x30;
  let low = 0;
  for (let i = split; i < to; i++) low = low * 10 + bytes[i] - 0x30;
  return split === from ? BigInt(low) : BigInt(high) * POWERS_OF_TEN[to - split] + BigInt(low);
}

/**
 * Transitions are read into this array (its first `count` slots), then copied out at exactly their
 * length: a fresh array pushed to grows 17 slots for 2 transitions, garbage on every Result.
 */
const reading: TaskTransition[] = [];

/** `[{"timestamp":<int>,"state":"…","actor":"…"},…]` as pydantic writes it (then `end` is past it); undefined for anything else. */
function readTransitions(bytes: Buffer, at: number): TaskTransition[] | undefined {
  if (bytes[at] !== 0x5b) return undefined;
  at++;
  if (bytes[at] === 0x5d) {
    end = at + 1;
    return [];
  }
  let count = 0;
  for (;;) {
    if (!has(bytes, at, TRANSITION_HEAD)) return undefined;
    let i = at + TRANSITION_HEAD.length;
    const digits = i;
    if (bytes[i] === 0x2d) i++;
    const first = i;
    while (bytes[i] >= 0x30 && bytes[i] <= 0x39) i++;
    // An int as JSON writes it: digits, no leading zero, no "-0".
    if (i === first || (bytes[first] === 0x30 && (i > first + 1 || first > digits))) return undefined;
    if (!has(bytes, i, STATE_KEY)) return undefined;
    const state = readWord(bytes, i + STATE_KEY.length);
    if (state === undefined || !has(bytes, end, ACTOR_KEY)) return undefined;
    const actor = readWord(bytes, end + ACTOR_KEY.length);
    if (actor === undefined || bytes[end] !== 0x7d) return undefined;
    const magnitude = digitsToBigInt(bytes, first, i);
    reading[count++] = { timestamp: first > digits ? -magnitude : magnitude, state, actor };
    at = end + 1;
    const next = bytes[at];
    if (next === 0x5d) {
      end = at + 1;
      return reading.slice(0, count);
    }
    if (next !== 0x2c) return undefined;
    at++;
  }
}

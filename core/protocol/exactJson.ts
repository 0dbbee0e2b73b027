/**
 * JSON.parse output taken as the exact parser's PyValue only where nothing was lost: the Result fast
 * paths use it for `details` and leave anything else to the exact parser.
 */
import { PyDict, type PyValue } from "./pyValue";

/** Returned where JSON.parse may have lost something. */
export const NOT_EXACT = Symbol("not exact");

const INDEX_LIKE_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * A JSON.parse value as the exact parser's PyValue, or NOT_EXACT: numbers (int vs float, big ints), keys
 * JavaScript reorders (integer-like), and strings starting with U+0000 (unpackResultFast's marker).
 */
export function exactValue(v: unknown): PyValue | typeof NOT_EXACT {
  switch (typeof v) {
    case "string":
      return v.startsWith("\0") ? NOT_EXACT : v;
    case "boolean":
      return v;
    case "object": {
      if (v === null) return null;
      if (Array.isArray(v)) {
        const items: PyValue[] = [];
        for (const x of v as unknown[]) {
          const e = exactValue(x);
          if (e === NOT_EXACT) return NOT_EXACT;
          items.push(e);
        }
        return items;
      }
      // JSON.parse already merged repeated keys as Python does (first position, last value).
      const dict = new PyDict();
      for (const k of Object.keys(v)) {
        const e = exactValue((v as Record<string, unknown>)[k]);
        if (e === NOT_EXACT || INDEX_LIKE_KEY.test(k)) return NOT_EXACT;
        dict.entries.push([k, e]);
      }
      return dict;
    }
    default:
      return NOT_EXACT;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * What Python's repr() shows for instances of a few standard classes a result often holds (a date, a
 * Decimal, a complex), read from the arguments their pickles rebuild them from. The TypeScript side
 * cannot rebuild the objects; shown as `<datetime.datetime object>`, a result would lose its value.
 * Undefined for anything else, or for arguments not of the exact shape CPython writes.
 */
import { strRepr } from "../formatPython";
import { pythonFloatRepr, pythonIntRepr } from "../numberText";
import { PyBytes, PyFloat, PyObject, isPyInt, type PyValue } from "../pyValue";

export function knownRepr(cls: string, a: readonly PyValue[]): string | undefined {
  switch (cls) {
    case "builtins.complex":
      return a.length === 2 ? complexRepr(a[0], a[1]) : undefined;
    case "decimal.Decimal":
      return a.length === 1 && typeof a[0] === "string" ? `Decimal(${strRepr(a[0])})` : undefined;
    case "datetime.date":
      return a.length === 1 && a[0] instanceof PyBytes && a[0].bytes.length === 4 ? `datetime.date(${dateFields(a[0].bytes).join(", ")})` : undefined;
    case "datetime.datetime":
      if (!(a[0] instanceof PyBytes) || a[0].bytes.length !== 10 || a.length > 2) return undefined;
      return timeRepr("datetime.datetime", [...dateFields(a[0].bytes), ...clockFields(a[0].bytes.subarray(4))], a[0].bytes[2] >= 128, a[1]);
    case "datetime.time":
      if (!(a[0] instanceof PyBytes) || a[0].bytes.length !== 6 || a.length > 2) return undefined;
      return timeRepr("datetime.time", clockFields(a[0].bytes), a[0].bytes[0] >= 128, a[1]);
    case "datetime.timedelta":
      return a.length === 3 && a.every(isInt) ? timedeltaRepr(a as (number | bigint)[]) : undefined;
    case "datetime.timezone": {
      const offset = a[0] instanceof PyObject && a[0].module === "datetime" && a[0].name === "timedelta" ? a[0].repr : undefined;
      if (offset === undefined || a.length > 2 || (a.length === 2 && typeof a[1] !== "string")) return undefined;
      if (a.length === 1 && offset === "datetime.timedelta(0)") return "datetime.timezone.utc";
      return `datetime.timezone(${offset}${a.length === 2 ? `, ${strRepr(a[1] as string)}` : ""})`;
    }
    case "zoneinfo.ZoneInfo._unpickle":
      return a.length === 2 && typeof a[0] === "string" ? `zoneinfo.ZoneInfo(key=${strRepr(a[0])})` : undefined;
    case "pandas._libs.tslibs.timestamps._unpickle_timestamp":
      // (value, freq, tz[, resolution]): nanoseconds since the epoch unless another resolution is named.
      if (a.length < 3 || a.length > 4 || !isInt(a[0]) || a[1] !== null || a[2] !== null || (a.length === 4 && a[3] !== NS_RESOLUTION)) return undefined;
      return timestampRepr(BigInt(a[0] as number | bigint));
  }
  return undefined;
}

/** numpy's NPY_FR_ns: the resolution of every pandas 1 Timestamp and pandas 2's default. */
const NS_RESOLUTION = 10;

/** pandas' repr of a tz-naive Timestamp: seconds always, then microseconds or nanoseconds when not zero. */
function timestampRepr(ns: bigint): string | undefined {
  const second = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const fraction = Number(ns - second * 1_000_000_000n);
  const date = new Date(Number(second) * 1000);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return undefined;
  const text = date.toISOString().slice(0, 19).replace("T", " ");
  const digits = fraction === 0 ? "" : fraction % 1000 === 0 ? `.${String(fraction / 1000).padStart(6, "0")}` : `.${String(fraction).padStart(9, "0")}`;
  return `Timestamp('${text}${digits}')`;
}

function isInt(v: PyValue): boolean {
  return typeof v === "bigint" || (typeof v === "number" && isPyInt(v));
}

/** A float's repr as complex's repr writes its parts: `1`, not `1.0`. */
function part(v: PyValue): string | undefined {
  const x = v instanceof PyFloat ? v.value : typeof v === "number" ? v : undefined;
  return x === undefined ? undefined : pythonFloatRepr(x).replace(/\.0$/, "");
}

function complexRepr(re: PyValue, im: PyValue): string | undefined {
  const r = part(re);
  const i = part(im);
  if (r === undefined || i === undefined) return undefined;
  // The real part is left out when it is +0.0 (not -0.0).
  if (r === "0" && !Object.is((re instanceof PyFloat ? re.value : re) as number, -0)) return `${i}j`;
  return `(${r}${i.startsWith("-") ? "" : "+"}${i}j)`;
}

function dateFields(b: Uint8Array): number[] {
  return [b[0] * 256 + b[1], b[2] & 0x7f, b[3]];
}

/** hour, minute, second, microsecond from 6 bytes (the hour's high bit is the fold of a time). */
function clockFields(b: Uint8Array): number[] {
  return [b[0] & 0x7f, b[1], b[2], (b[3] << 16) | (b[4] << 8) | b[5]];
}

/**
 * datetime and time reprs leave out a zero microsecond, then a zero second (never the minute). CPython
 * writes a datetime's fold before its tzinfo, and a time's after it.
 */
function timeRepr(cls: string, fields: number[], fold: boolean, tzinfo: PyValue | undefined): string | undefined {
  const shown = [...fields];
  if (shown[shown.length - 1] === 0) {
    shown.pop();
    if (shown[shown.length - 1] === 0) shown.pop();
  }
  if (tzinfo !== undefined && !(tzinfo instanceof PyObject)) return undefined;
  const tz = tzinfo === undefined ? [] : [`tzinfo=${tzinfo.repr ?? tzinfo.toString()}`];
  const folded = fold ? ["fold=1"] : [];
  const keywords = cls === "datetime.datetime" ? [...folded, ...tz] : [...tz, ...folded];
  return `${cls}(${[...shown, ...keywords].join(", ")})`;
}

function timedeltaRepr([days, seconds, us]: (number | bigint)[]): string {
  const parts: string[] = [];
  if (Number(days) !== 0) parts.push(`days=${pythonIntRepr(days)}`);
  if (Number(seconds) !== 0) parts.push(`seconds=${pythonIntRepr(seconds)}`);
  if (Number(us) !== 0) parts.push(`microseconds=${pythonIntRepr(us)}`);
  return `datetime.timedelta(${parts.length > 0 ? parts.join(", ") : "0"})`;
}

/**
 * Writes a task group's results to a file the user picked: CSV (one row per call: its index, its input,
 * status, result as a Python repr, error) or JSON Lines (one object per call, values as JSON where JSON
 * carries them exactly and every parser reads them, else as their Python repr: a NaN or an infinity goes
 * as `"result_repr": "nan"`, so each line is JSON). The rows are written in slices with a turn of the
 * event loop every few milliseconds and the stream's backpressure respected, so 100k rows never block the
 * host.
 *
 * Values are written whole up to EXPORT_LIMITS (tens of MB of text and two seconds of CPU time each, not
 * the display's 100,000 characters): a value beyond them (or one sharing its parts, whose text can be
 * astronomically long) is cut, and its row says so: CSV appends `[truncated: …]` to the cell, JSON Lines
 * adds `"<field>_truncated": "…"`.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { stringify } from "csv-stringify/sync";
import { formatPythonCut } from "../protocol/formatPython";
import { writeExactJson } from "../protocol/pyJson";
import { PyDict, type PyValue } from "../protocol/pyValue";
import { TextBudget, type TextCut } from "../protocol/textBudget";

export type ExportFormat = "csv" | "jsonl";

/** One call's row: its position, what it was called with, and how it ended. */
export interface ExportRow {
  index: number;
  /** The item (a map over values), the keyword arguments (a map over a file's rows), or the call's text; absent when not known (a reloaded map's items). */
  input?: PyValue;
  outcome: { value: PyValue } | { error: string } | { pending: true };
}

/** The format a file name implies: `.csv` is CSV, anything else JSON Lines. */
export function exportFormatOf(path: string): ExportFormat {
  return path.toLowerCase().endsWith(".csv") ? "csv" : "jsonl";
}

/** Rows formatted and written at once (fewer when they are long); after TURN_BUDGET_MS of them, the event loop gets a turn. */
const SLICE = 50;
const SLICE_CHARS = 1 << 20;
const TURN_BUDGET_MS = 4;

/** How much of one value a file gets: its text up to `maxLength` characters, rendered in `maxMillis` of CPU time. */
export const EXPORT_LIMITS = { maxLength: 32_000_000, maxMillis: 2_000 } as const;
/** What a repr gets after its JSON attempt ran out of time: enough to show the value's start. */
const MIN_REPR_MILLIS = 250;

/**
 * Writes `rows` to `path` (replacing it) and resolves with the number written. With keyword-argument
 * inputs (PyDicts with str keys), CSV gets one column per argument, named as `columns` lists them.
 * `onCut` hears of each row whose input or result was cut (see EXPORT_LIMITS), so the caller can count them.
 */
export async function writeResults(
  path: string,
  rows: Iterable<ExportRow>,
  format: ExportFormat,
  columns: readonly string[] = [],
  onCut: (row: ExportRow) => void = () => undefined,
): Promise<number> {
  const out = createWriteStream(path, { encoding: "utf8" });
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  let count = 0;
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, "drain"), failed]);
  };
  try {
    if (format === "csv") {
      const inputColumns = columns.length > 0 ? [...columns] : ["input"];
      await write(stringify([["index", ...inputColumns, "status", "result", "error"]]));
    }
    // One stringify call per slice: csv-stringify's per-call set-up costs more than a row.
    const flush = (records: (string[] | string)[]) =>
      write(format === "csv" ? stringify(records as string[][]) : (records as string[]).join(""));
    const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));
    // The caller's turn may be long already (a map's last result, a command): start on a turn of our own.
    await yieldTurn();
    let turnStarted = performance.now();
    let slice: (string[] | string)[] = [];
    let sliceChars = 0;
    for (const row of rows) {
      const cuts: TextCut[] = [];
      const record = format === "csv" ? csvRecord(row, columns, cuts) : jsonLine(row, cuts);
      if (cuts.length > 0) onCut(row);
      slice.push(record);
      sliceChars += typeof record === "string" ? record.length : record.reduce((n, cell) => n + cell.length, 0);
      count++;
      const overBudget = performance.now() - turnStarted >= TURN_BUDGET_MS;
      if (slice.length >= SLICE || sliceChars >= SLICE_CHARS || overBudget) {
        await flush(slice);
        slice = [];
        sliceChars = 0;
        if (overBudget) {
          await yieldTurn();
          turnStarted = performance.now();
        }
      }
    }
    await flush(slice);
    out.end();
    await Promise.race([once(out, "finish"), failed]);
    return count;
  } catch (err) {
    out.destroy();
    throw err;
  }
}

function status(outcome: ExportRow["outcome"]): string {
  return "value" in outcome ? "success" : "error" in outcome ? "failed" : "pending";
}

/** Cells and JSON fields note the cuts they make in `cuts`, so that the row can be counted as cut. */
type Cuts = TextCut[];

function csvRecord(row: ExportRow, columns: readonly string[], cuts: Cuts): string[] {
  const inputs =
    columns.length > 0 && row.input instanceof PyDict
      ? columns.map((c) => {
          const v = (row.input as PyDict).get(c);
          return v === undefined ? "" : cellText(v, cuts);
        })
      : [row.input === undefined ? "" : cellText(row.input, cuts)];
  const o = row.outcome;
  return [String(row.index), ...inputs, status(o), "value" in o ? reprCell(o.value, cuts) : "", "error" in o ? o.error : ""];
}

/** Strings as themselves (so a CSV of names reads back as names), everything else as its Python repr. */
function cellText(v: PyValue, cuts: Cuts): string {
  return typeof v === "string" ? v : reprCell(v, cuts);
}

function reprCell(v: PyValue, cuts: Cuts): string {
  const { text, cut } = formatPythonCut(v, EXPORT_LIMITS);
  if (cut === undefined) return text;
  cuts.push(cut);
  return `${text} [truncated: ${cutReason(cut)}]`;
}

function cutReason(cut: TextCut): string {
  return cut === "length"
    ? `longer than ${EXPORT_LIMITS.maxLength.toLocaleString("en-US")} characters`
    : `writing it stopped after ${EXPORT_LIMITS.maxMillis / 1000} s`;
}

function jsonLine(row: ExportRow, cuts: Cuts): string {
  const o = row.outcome;
  const fields = [`"index": ${row.index}`];
  if (row.input !== undefined) fields.push(jsonField("input", row.input, cuts));
  fields.push(`"status": "${status(o)}"`);
  if ("value" in o) fields.push(jsonField("result", o.value, cuts));
  if ("error" in o) fields.push(`"error": ${JSON.stringify(o.error)}`);
  return `{${fields.join(", ")}}\n`;
}

/**
 * `"name": <JSON>` when JSON carries the value exactly, else `"name_repr": "<Python repr>"` (and
 * `"name_truncated": "<why>"` when that was cut). Both are written under EXPORT_LIMITS, the repr with
 * what time the JSON attempt left.
 */
function jsonField(name: string, v: PyValue, cuts: Cuts): string {
  const json = new TextBudget(EXPORT_LIMITS.maxLength, EXPORT_LIMITS.maxMillis);
  if (writeExactJson(v, json) && json.cut === undefined) return `"${name}": ${json.text}`;
  const { text, cut } = formatPythonCut(v, { ...EXPORT_LIMITS, maxMillis: Math.max(MIN_REPR_MILLIS, json.millisLeft()) });
  const repr = `"${name}_repr": ${JSON.stringify(text)}`;
  if (cut === undefined) return repr;
  cuts.push(cut);
  return `${repr}, "${name}_truncated": ${JSON.stringify(cutReason(cut))}`;
}

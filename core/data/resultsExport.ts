/**
 * Writes a task group's results to a file the user picked: CSV (one row per call: its index, its input,
 * status, result as a Python repr, error) or JSON Lines (one object per call, values as JSON where JSON
 * carries them exactly, else as their Python repr). The rows are written in slices with a turn of the
 * event loop every few milliseconds and the stream's backpressure respected, so 100k rows never block the
 * host.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { stringify } from "csv-stringify/sync";
import { jsonCarriesExactly } from "../executor/taskPayload";
import { formatPython } from "../protocol/formatPython";
import { pyJsonDumps } from "../protocol/pyJson";
import { PyDict, type PyValue } from "../protocol/pyValue";

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

/** Rows formatted and written at once; after TURN_BUDGET_MS of them, the event loop gets a turn. */
const SLICE = 50;
const TURN_BUDGET_MS = 4;

/**
 * Writes `rows` to `path` (replacing it) and resolves with the number written. With keyword-argument
 * inputs (PyDicts with str keys), CSV gets one column per argument, named as `columns` lists them.
 */
export async function writeResults(path: string, rows: Iterable<ExportRow>, format: ExportFormat, columns: readonly string[] = []): Promise<number> {
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
    for (const row of rows) {
      slice.push(format === "csv" ? csvRecord(row, columns) : jsonLine(row));
      count++;
      const overBudget = performance.now() - turnStarted >= TURN_BUDGET_MS;
      if (slice.length >= SLICE || overBudget) {
        await flush(slice);
        slice = [];
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

function csvRecord(row: ExportRow, columns: readonly string[]): string[] {
  const inputs =
    columns.length > 0 && row.input instanceof PyDict
      ? columns.map((c) => {
          const v = (row.input as PyDict).get(c);
          return v === undefined ? "" : cellText(v);
        })
      : [row.input === undefined ? "" : cellText(row.input)];
  const o = row.outcome;
  return [String(row.index), ...inputs, status(o), "value" in o ? formatPython(o.value) : "", "error" in o ? o.error : ""];
}

/** Strings as themselves (so a CSV of names reads back as names), everything else as its Python repr. */
function cellText(v: PyValue): string {
  return typeof v === "string" ? v : formatPython(v);
}

function jsonLine(row: ExportRow): string {
  const o = row.outcome;
  const fields = [`"index": ${row.index}`];
  if (row.input !== undefined) fields.push(jsonField("input", row.input));
  fields.push(`"status": "${status(o)}"`);
  if ("value" in o) fields.push(jsonField("result", o.value));
  if ("error" in o) fields.push(`"error": ${JSON.stringify(o.error)}`);
  return `{${fields.join(", ")}}\n`;
}

/** `"name": <JSON>` when JSON carries the value exactly, else `"name_repr": "<Python repr>"`. */
function jsonField(name: string, v: PyValue): string {
  return jsonCarriesExactly(v, 0) ? `"${name}": ${pyJsonDumps(v)}` : `"${name}_repr": ${JSON.stringify(formatPython(v))}`;
}

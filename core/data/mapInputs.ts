/**
 * A map's inputs read from a file: a CSV file with a header row, or JSON Lines with one object per line.
 * Each row is one call, its columns the keyword arguments. CSV cells are text, except those that read as
 * a Python int or float literal (`42`, `-1.5e3`), which become numbers; JSON Lines keep JSON's types
 * exactly (`2.0` stays a float). Problems are reported with the file's line number.
 */
import { parse } from "csv-parse/sync";
import { pyJsonLoads } from "../protocol/pyJson";
import { PyDict, PyFloat, type PyValue } from "../protocol/pyValue";

export type MapInputFormat = "csv" | "jsonl";

export class MapInputError extends Error {
  override readonly name = "MapInputError";
  readonly code = "MAP_INPUT_INVALID";
}

/** The input format a file name implies, or undefined when it names neither. */
export function mapInputFormat(path: string): MapInputFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  return undefined;
}

/** The rows of file `name`'s `text` as keyword-argument dicts, one per call; the name gives the format. */
export function readMapInputs(text: string, name: string): PyDict[] {
  const format = mapInputFormat(name);
  if (format === undefined) throw new MapInputError(`${name} is neither a CSV (.csv) nor a JSON Lines (.jsonl) file.`);
  const rows = format === "csv" ? readCsv(text, name) : readJsonLines(text, name);
  if (rows.length === 0) throw new MapInputError(`${name} has no rows to map over.`);
  return rows;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][-+]?\d+)?$/;

function readCsv(text: string, name: string): PyDict[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw new MapInputError(`${name}: ${(err as Error).message}`, { cause: err });
  }
  const [header, ...body] = records;
  if (header === undefined) return [];
  header.forEach((column, i) => checkName(column.trim(), `${name}, column ${i + 1} of the header`));
  const columns = header.map((c) => c.trim());
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate !== undefined) throw new MapInputError(`${name}: the header names the column ${duplicate} twice.`);
  return body.map((cells) => new PyDict(columns.map((c, i): [PyValue, PyValue] => [c, cellValue(cells[i])])));
}

function cellValue(cell: string): PyValue {
  const t = cell.trim();
  if (INT.test(t)) {
    const n = BigInt(t);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if (FLOAT.test(t)) return new PyFloat(Number(t));
  return cell;
}

function readJsonLines(text: string, name: string): PyDict[] {
  const rows: PyDict[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    let value: PyValue;
    try {
      value = pyJsonLoads(line);
    } catch (err) {
      throw new MapInputError(`${name}, line ${i + 1}: not JSON (${(err as Error).message}).`, { cause: err });
    }
    if (!(value instanceof PyDict))
      throw new MapInputError(`${name}, line ${i + 1}: expected a JSON object of keyword arguments, like {"x": 1}.`);
    for (const [k] of value.entries) checkName(k, `${name}, line ${i + 1}`);
    rows.push(value);
  });
  return rows;
}

function checkName(key: PyValue, where: string): void {
  if (typeof key !== "string" || !IDENTIFIER.test(key))
    throw new MapInputError(`${where}: ${JSON.stringify(key)} is not a Python parameter name, so it cannot be a keyword argument.`);
}

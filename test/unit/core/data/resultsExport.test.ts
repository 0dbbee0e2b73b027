import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import { exportFormatOf, writeResults, type ExportRow } from "../../../../core/data/resultsExport";
import { PyDict, PyFloat, PyTuple } from "../../../../core/protocol/pyValue";

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "gc-export-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const rows: ExportRow[] = [
  { index: 0, input: 1, outcome: { value: 2 } },
  { index: 1, input: "a,\"b\"", outcome: { value: new PyTuple([1, new PyFloat(2)]) } },
  { index: 2, input: 0, outcome: { error: "ZeroDivisionError: division by zero" } },
  { index: 3, input: 5, outcome: { pending: true } },
];

describe("results export", () => {
  it("picks the format from the name", () => {
    assert.equal(exportFormatOf("/x/results.CSV"), "csv");
    assert.equal(exportFormatOf("/x/results.jsonl"), "jsonl");
  });

  it("CSV: a header, one row per call, reprs for results, and it reads back with a CSV parser", withDir(async (dir) => {
    const path = join(dir, "r.csv");
    assert.equal(await writeResults(path, rows, "csv"), 4);
    assert.deepEqual(parse(readFileSync(path, "utf8")), [
      ["index", "input", "status", "result", "error"],
      ["0", "1", "success", "2", ""],
      ["1", 'a,"b"', "success", "(1, 2.0)", ""],
      ["2", "0", "failed", "", "ZeroDivisionError: division by zero"],
      ["3", "5", "pending", "", ""],
    ]);
  }));

  it("CSV with keyword-argument inputs: a column per argument", withDir(async (dir) => {
    const path = join(dir, "r.csv");
    const kw = (x: number, name: string) => PyDict.fromObject({ x, name });
    await writeResults(path, [{ index: 0, input: kw(1, "p"), outcome: { value: 2 } }], "csv", ["x", "name"]);
    assert.deepEqual(parse(readFileSync(path, "utf8")), [
      ["index", "x", "name", "status", "result", "error"],
      ["0", "1", "p", "success", "2", ""],
    ]);
  }));

  it("JSON Lines: JSON where exact, the Python repr where not; 25k rows in slices", withDir(async (dir) => {
    const path = join(dir, "r.jsonl");
    await writeResults(path, rows, "jsonl");
    assert.deepEqual(readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l)), [
      { index: 0, input: 1, status: "success", result: 2 },
      { index: 1, input: 'a,"b"', status: "success", result_repr: "(1, 2.0)" },
      { index: 2, input: 0, status: "failed", error: "ZeroDivisionError: division by zero" },
      { index: 3, input: 5, status: "pending" },
    ]);
    const many = function* (): Generator<ExportRow> {
      for (let i = 0; i < 25_000; i++) yield { index: i, input: i, outcome: { value: 2 * i } };
    };
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    assert.equal(await writeResults(path, many(), "jsonl"), 25_000);
    clearInterval(ticker);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    assert.equal(lines.length, 25_000);
    assert.deepEqual(JSON.parse(lines[24_999]), { index: 24_999, input: 24_999, status: "success", result: 49_998 });
    assert.ok(turns > 0, "the event loop turned while writing");
  }));

  it("an unwritable path rejects with the file system's error", async () => {
    await assert.rejects(writeResults("/nonexistent-dir/r.csv", rows, "csv"), /ENOENT/);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import { EXPORT_LIMITS, exportFormatOf, writeResults, type ExportRow } from "../../../../core/data/resultsExport";
import { formatPython } from "../../../../core/protocol/formatPython";
import { PyDict, PyFloat, PyTuple, type PyValue } from "../../../../core/protocol/pyValue";

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

  it("writes results longer than the display's 100,000 characters whole, in both formats", withDir(async (dir) => {
    const floats = Array.from({ length: 20_000 }, (_, i) => i + 0.123456789);
    const big: PyValue = new PyTuple(floats);
    const repr = formatPython(big, { maxLength: Infinity, maxMillis: Infinity });
    assert.ok(repr.length > 300_000);
    const cut: number[] = [];
    const row: ExportRow = { index: 0, input: big, outcome: { value: big } };
    await writeResults(join(dir, "r.csv"), [row], "csv", [], (r) => cut.push(r.index));
    assert.deepEqual(parse(readFileSync(join(dir, "r.csv"), "utf8"))[1], ["0", repr, "success", repr, ""]);
    await writeResults(join(dir, "r.jsonl"), [{ index: 0, outcome: { value: floats } }, row], "jsonl", [], (r) => cut.push(r.index));
    const [asJson, asRepr] = readFileSync(join(dir, "r.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(asJson.result, floats);
    assert.deepEqual(asRepr, { index: 0, input_repr: repr, status: "success", result_repr: repr });
    assert.deepEqual(cut, []);
  }));

  it("a value beyond the export limits is cut, and its row says so and is counted", withDir(async (dir) => {
    const long = "x".repeat(EXPORT_LIMITS.maxLength + 10);
    const rowsIn: ExportRow[] = [
      { index: 0, input: 1, outcome: { value: new PyTuple([long]) } },
      { index: 1, input: 2, outcome: { value: 3 } },
    ];
    const cut: number[] = [];
    await writeResults(join(dir, "r.csv"), rowsIn, "csv", [], (r) => cut.push(r.index));
    const csv = parse(readFileSync(join(dir, "r.csv"), "utf8")) as string[][];
    assert.ok(csv[1][3].startsWith("('xxx") && csv[1][3].endsWith("x… [truncated: longer than 32,000,000 characters]"));
    assert.deepEqual(csv[2], ["1", "2", "success", "3", ""]);
    await writeResults(join(dir, "r.jsonl"), rowsIn, "jsonl", [], (r) => cut.push(r.index));
    const line = JSON.parse(readFileSync(join(dir, "r.jsonl"), "utf8").split("\n")[0]);
    assert.equal(line.result_repr.length, EXPORT_LIMITS.maxLength);
    assert.equal(line.result_truncated, "longer than 32,000,000 characters");
    assert.deepEqual(cut, [0, 0]);
  }));

  it("JSON Lines: NaN and infinities go as the Python repr, so every line is JSON", withDir(async (dir) => {
    const path = join(dir, "r.jsonl");
    const values: PyValue[] = [NaN, [1.5, Infinity], PyDict.fromObject({ x: -Infinity }), new PyFloat(2)];
    await writeResults(path, values.map((value, index) => ({ index, outcome: { value } })), "jsonl");
    assert.deepEqual(readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l)), [
      { index: 0, status: "success", result_repr: "nan" },
      { index: 1, status: "success", result_repr: "[1.5, inf]" },
      { index: 2, status: "success", result_repr: "{'x': -inf}" },
      { index: 3, status: "success", result: 2 },
    ]);
  }));

  it("a result sharing its parts (2^60 leaves from 60 lists) is written cut within the time budget, both formats", withDir(async (dir) => {
    let bomb: PyValue = [];
    for (let i = 0; i < 60; i++) bomb = [bomb, bomb];
    for (const format of ["jsonl", "csv"] as const) {
      const path = join(dir, `r.${format}`);
      let cut = 0;
      const start = process.cpuUsage();
      await writeResults(path, [{ index: 0, input: 1, outcome: { value: bomb } }, { index: 1, input: 2, outcome: { value: 4 } }], format, [], () => cut++);
      const used = process.cpuUsage(start);
      assert.ok((used.user + used.system) / 1000 < 2 * EXPORT_LIMITS.maxMillis, `${format}: ${(used.user + used.system) / 1000} ms`);
      assert.equal(cut, 1);
      const text = readFileSync(path, "utf8");
      if (format === "jsonl") {
        const [first, second] = text.trimEnd().split("\n").map((l) => JSON.parse(l));
        assert.ok(first.result_repr.startsWith("[[[[") && first.result_repr.endsWith("…"));
        assert.match(first.result_truncated, /^(longer than|writing it stopped after)/);
        assert.deepEqual(second, { index: 1, input: 2, status: "success", result: 4 });
      } else {
        const [, first, second] = parse(text) as string[][];
        assert.match(first[3], /^\[\[\[\[.*… \[truncated: (longer than|writing it stopped after)/s);
        assert.deepEqual(second, ["1", "2", "success", "4", ""]);
      }
    }
  }));

  it("an unwritable path rejects with the file system's error", async () => {
    await assert.rejects(writeResults("/nonexistent-dir/r.csv", rows, "csv"), /ENOENT/);
  });
});

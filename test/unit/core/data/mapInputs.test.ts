import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mapInputFormat, MapInputError, readMapInputs } from "../../../../core/data/mapInputs";
import { PyDict, PyFloat } from "../../../../core/protocol/pyValue";

const plain = (d: PyDict) => d.entries;

describe("map inputs from a file", () => {
  it("knows CSV and JSON Lines by their names", () => {
    assert.equal(mapInputFormat("data/points.CSV"), "csv");
    assert.equal(mapInputFormat("points.jsonl"), "jsonl");
    assert.equal(mapInputFormat("points.ndjson"), "jsonl");
    assert.equal(mapInputFormat("points.json"), undefined);
    assert.throws(() => readMapInputs("{}", "points.json"), /neither a CSV/);
  });

  it("CSV: one dict per row, header as keyword names, numbers as numbers, quoted text kept whole", () => {
    const rows = readMapInputs('\uFEFFx, label,scale\n1,"a, b",2.5\n-7,plain,1e3\n99999999999999999999,"line\nbreak",.5\n', "p.csv");
    assert.deepEqual(rows.map(plain), [
      [["x", 1], ["label", "a, b"], ["scale", new PyFloat(2.5)]],
      [["x", -7], ["label", "plain"], ["scale", new PyFloat(1000)]],
      [["x", 99999999999999999999n], ["label", "line\nbreak"], ["scale", new PyFloat(0.5)]],
    ]);
  });

  it("CSV: a ragged row, a bad or repeated column name, or no rows is a clear error", () => {
    assert.throws(() => readMapInputs("x,y\n1,2\n3\n", "p.csv"), (e: MapInputError) => e.code === "MAP_INPUT_INVALID" && /p\.csv/.test(e.message));
    assert.throws(() => readMapInputs("x,two words\n1,2\n", "p.csv"), /column 2 of the header: "two words" is not a Python parameter name/);
    assert.throws(() => readMapInputs("x,x\n1,2\n", "p.csv"), /names the column x twice/);
    assert.throws(() => readMapInputs("x,y\n", "p.csv"), /p\.csv has no rows/);
  });

  it("JSON Lines: exact types, blank lines skipped, errors name the line", () => {
    const rows = readMapInputs('{"x": 2.0, "tags": ["a"]}\n\n{"x": 3}\n', "p.jsonl");
    assert.deepEqual(rows.map(plain), [
      [["x", new PyFloat(2)], ["tags", ["a"]]],
      [["x", 3]],
    ]);
    assert.throws(() => readMapInputs('{"x": 1}\n[1, 2]\n', "p.jsonl"), /p\.jsonl, line 2: expected a JSON object/);
    assert.throws(() => readMapInputs('{"x": 1}\n{"x": \n', "p.jsonl"), /p\.jsonl, line 2: not JSON/);
    assert.throws(() => readMapInputs('{"class-name": 1}\n', "p.jsonl"), /line 1: "class-name" is not a Python parameter name/);
  });
});

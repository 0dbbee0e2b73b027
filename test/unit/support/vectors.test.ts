import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SHARED_VECTORS_DIR, VECTORS_DIR, loadVectors, parseVectorsJson } from "../../support/vectors";

test("integral float literals in lossless fields become __float__ tags, elsewhere plain numbers", () => {
  const text = `{"input": {"value": [2.0, 2, -0.0, 1e+16, 1.5, {"__int__": "9"}], "other": 3.0},
    "decoded_tagged": {"a": [100.0]}, "decoded_json": [100.0], "expected": "11\\n[2.0]"}`;
  const parsed = parseVectorsJson(text) as Record<string, Record<string, unknown>>;
  assert.deepEqual(parsed.input.value, [{ __float__: "2.0" }, 2, -0, 1e16, 1.5, { __int__: "9" }]);
  assert.ok(Object.is((parsed.input.value as number[])[2], -0));
  assert.equal(parsed.input.other, 3);
  assert.deepEqual(parsed.decoded_tagged, { a: [{ __float__: "100.0" }] });
  assert.deepEqual(parsed.decoded_json, [100]);
  assert.equal(parsed.expected, "11\n[2.0]");
});

test("the vectors file reads like JSON.parse apart from the float tags", () => {
  const all = loadVectors();
  assert.equal(all.length, 73);
  const floats = all.find((c) => c.id === "json_data/float-formatting");
  assert.ok(JSON.stringify(floats?.input.value).includes('{"__float__":"1.0"}'));
  assert.ok(loadVectors("dill_data").every((c) => c.kind === "dill_data"));
});

test("malformed JSON is a SyntaxError with the offset", () => {
  assert.throws(() => parseVectorsJson('{"a": [1, 2'), /offset/);
  assert.throws(() => parseVectorsJson('{"a": 1} x'), /trailing data/);
});

test("the project's vectors are identical to ../shared/vectors when that exists", (t) => {
  if (!existsSync(SHARED_VECTORS_DIR)) return t.skip(`${SHARED_VECTORS_DIR} is absent (a clone of the repository alone)`);
  for (const name of ["wire-vectors.json", "README.md"]) {
    const ours = readFileSync(join(VECTORS_DIR, name));
    assert.ok(ours.equals(readFileSync(join(SHARED_VECTORS_DIR, name))), `test/fixtures/vectors/${name} differs from ${SHARED_VECTORS_DIR}/${name}: copy it again (see PROVENANCE.md)`);
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { pydanticFloatJson, pythonFloatRepr, pythonIntRepr } from "../../../../core/protocol/numberText";

test("pythonFloatRepr switches to exponents below 1e-4 and from 1e16, with two-digit exponents", () => {
  const cases: [number, string][] = [
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [9999999999999998, "9999999999999998.0"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [1e300, "1e+300"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [-0, "-0.0"],
    [0, "0.0"],
    [-123.456, "-123.456"],
    [0.1 + 0.2, "0.30000000000000004"],
    [NaN, "nan"],
    [Infinity, "inf"],
  ];
  for (const [x, want] of cases) assert.equal(pythonFloatRepr(x), want, String(x));
});

// Expected texts were read from pydantic-core 2.46 `model_dump_json` output.
test("pydanticFloatJson switches to exponents below 1e-5 and from 1e16, without padding", () => {
  const cases: [number, string][] = [
    [1e-7, "1e-7"],
    [1e-6, "1e-6"],
    [1.234e-6, "1.234e-6"],
    [1e-5, "0.00001"],
    [2.5e-5, "0.000025"],
    [1e15, "1000000000000000.0"],
    [1e16, "1e+16"],
    [1.2345678901234568e17, "1.2345678901234568e+17"],
    [1e22, "1e+22"],
    [100, "100.0"],
    [-0, "-0.0"],
    [1692742841.843334, "1692742841.843334"],
  ];
  for (const [x, want] of cases) assert.equal(pydanticFloatJson(x), want, String(x));
});

test("pythonIntRepr prints integral numbers beyond 2^53 exactly", () => {
  assert.equal(pythonIntRepr(1e21), "1000000000000000000000");
  assert.equal(pythonIntRepr(-42), "-42");
  assert.equal(pythonIntRepr(2n ** 64n), "18446744073709551616");
});

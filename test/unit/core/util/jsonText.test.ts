import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonText } from "../../../../core/util/jsonText";
import { prng } from "../protocol/randomPyValue";

/** A random JSON-ish value: long and short strings of every kind of character, nesting, and what JSON.stringify drops. */
function randomValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 9));
  const chars = ["a", "\n", '"', "\\", "\u0001", "é", "\u2028", "\ud800", "😀", " ", "~", "\t"];
  // Each string mixes newlines with at most one other special character, so every character meets the fast path alone.
  const str = () => {
    const special = ["\n", chars[Math.floor(next() * chars.length)]];
    return Array.from({ length: Math.floor(next() * (next() < 0.5 ? 10 : 300)) }, () => (next() < 0.9 ? "x" : special[Math.floor(next() * 2)])).join("");
  };
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return [0, -0, 1.5, 1e21, Number.NaN, Infinity, -7][Math.floor(next() * 7)];
    case 3:
    case 4:
      return str();
    case 5:
      return [undefined, () => 1, Symbol("s")][Math.floor(next() * 3)];
    case 6:
      return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(next, depth + 1));
    case 7:
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [str().slice(0, 8), randomValue(next, depth + 1)]));
    default:
      return next() < 0.5 ? new Date(0) : { toJSON: () => "custom", other: 1 };
  }
}

describe("jsonText", () => {
  it("writes exactly what JSON.stringify writes", () => {
    const payload = `6\n11\n[[${Array.from({ length: 300 }, (_, i) => i).join(", ")}]]5\n11\n{}`;
    const frame = { id: 1, method: "submit", params: { taskGroupId: undefined, tasks: { f: [payload, payload] }, meta: [undefined, "é".repeat(100)] } };
    assert.equal(jsonText(frame), JSON.stringify(frame));
    const next = prng(7);
    for (let round = 0; round < 2000; round++) {
      const value = { v: randomValue(next), list: [randomValue(next), randomValue(next)] };
      assert.equal(jsonText(value), JSON.stringify(value), `seed 7 round ${round}`);
    }
  });
});

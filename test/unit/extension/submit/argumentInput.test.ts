import * as assert from "node:assert/strict";
import { test } from "node:test";
import { parseArguments, parseIterable } from "../../../../core/python/argumentParser";
import type { FunctionSignature } from "../../../../core/python/functions";
import { LastArguments, requiredParameters, signatureHint, validationMessage } from "../../../../extension/submit/argumentInput";
import { memento } from "../fakes";

const sig = (parameters: FunctionSignature["parameters"]): FunctionSignature => ({ parameters });

test("the signature hint reads like the def line, with / and * markers", () => {
  assert.equal(signatureHint("double", sig([{ name: "x", kind: "normal" }])), "double(x)");
  assert.equal(
    signatureHint(
      "f",
      sig([
        { name: "a", kind: "positional-only" },
        { name: "N", kind: "normal", annotation: "int" },
        { name: "limit", kind: "normal", default: "10_000" },
        { name: "k", kind: "keyword-only", annotation: "str", default: "'x'" },
        { name: "kw", kind: "**kwargs" },
      ]),
    ),
    "f(a, /, N: int, limit=10_000, *, k: str = 'x', **kw)",
  );
  assert.equal(signatureHint("g", sig([{ name: "args", kind: "*args" }, { name: "k", kind: "keyword-only" }])), "g(*args, k)");
  assert.deepEqual(
    requiredParameters(sig([{ name: "a", kind: "normal" }, { name: "b", kind: "normal", default: "1" }, { name: "c", kind: "*args" }, { name: "d", kind: "keyword-only" }])),
    ["a", "d"],
  );
});

test("validation names the 1-based column of the first problem; valid text gives no message", () => {
  assert.equal(validationMessage("7, x=[1, 2]", parseArguments), undefined);
  assert.equal(validationMessage("range(3)", parseIterable), undefined);
  const m = validationMessage("7, foo", parseArguments);
  assert.match(m ?? "", /^Column 4: /);
  assert.match(validationMessage("[1, 2", parseIterable) ?? "", /^Column \d+: /);
});

test("last arguments are kept per function and kind, most recent wins, and survive a reopen (workspace state)", async () => {
  const state = memento();
  const last = new LastArguments(state);
  await last.set("file:///a.py", "double", "call", "7");
  await last.set("file:///a.py", "double", "map", "range(3)");
  await last.set("file:///a.py", "double", "call", "8");
  const reopened = new LastArguments(state);
  assert.equal(reopened.get("file:///a.py", "double", "call"), "8");
  assert.equal(reopened.get("file:///a.py", "double", "map"), "range(3)");
  assert.equal(reopened.get("file:///b.py", "double", "call"), undefined);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { ArgumentSyntaxError } from "../../../../core/python/argumentError";
import { parseCallArguments } from "../../../../core/python/callCheck";
import type { FunctionSignature } from "../../../../core/python/functions";

// def f(a, b=1, /, c=2, *, d, e=3)
const SIG: FunctionSignature = {
  parameters: [
    { name: "a", kind: "positional-only" },
    { name: "b", kind: "positional-only", default: "1" },
    { name: "c", kind: "normal", default: "2" },
    { name: "d", kind: "keyword-only" },
    { name: "e", kind: "keyword-only", default: "3" },
  ],
};

function problem(text: string, sig = SIG): string | undefined {
  try {
    parseCallArguments("f", sig, text);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ArgumentSyntaxError);
    return `${err.code} @${err.column}: ${err.message}`;
  }
}

test("a call that fits the signature passes", () => {
  assert.equal(problem("1, d=4"), undefined);
  assert.equal(problem("1, 2, 3, d='x, y=1', e=(1, 2)"), undefined);
});

test("Python's call errors, each at its column", () => {
  assert.equal(problem("1"), "MISSING_ARGUMENT @1: f() is missing a required argument: 'd'");
  assert.equal(problem(""), "MISSING_ARGUMENT @0: f() is missing 2 required arguments: 'a', 'd'");
  assert.equal(problem("1, 2, 3, 4, d=1"), "TOO_MANY_POSITIONAL @9: f() takes 3 positional arguments but 4 were given");
  assert.equal(problem("1, d=1, zz=2"), "UNEXPECTED_KEYWORD @8: f() got an unexpected keyword argument 'zz'");
  assert.equal(problem("1, d=1, b=2"), "UNEXPECTED_KEYWORD @8: f() got an unexpected keyword argument 'b'");
  assert.equal(problem("1, 2, 3, c=4, d=1"), "MULTIPLE_VALUES @9: f() got multiple values for argument 'c'");
});

test("*args and **kwargs take the rest", () => {
  const sig: FunctionSignature = { parameters: [{ name: "a", kind: "normal" }, { name: "args", kind: "*args" }, { name: "kw", kind: "**kwargs" }] };
  assert.equal(problem("1, 2, 3, x=1, y=[1, 2]", sig), undefined);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { packBuffers } from "../../../../core/protocol/buffers";
import { ProtocolError } from "../../../../core/protocol/errors";
import { PyDict, PyObject, PySet, PyTuple, pyEquals } from "../../../../core/protocol/pyValue";
import {
  deserializeCode,
  deserializeData,
  packTaskPayload,
  serializeCode,
  serializeData,
  unpackTaskBuffer,
} from "../../../../core/protocol/strategies";

const error = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof ProtocolError && e.code === code && (message === undefined || message.test(e.message));

test("deserializeData rejects unknown and code headers with upstream's 'Invalid header' wording", () => {
  assert.throws(() => deserializeData("99\n[]"), error("INVALID_HEADER", /^Invalid header: "99\\n" in data payload$/));
  assert.throws(() => deserializeData(""), error("INVALID_HEADER", /^Invalid header: ""/));
  assert.throws(() => deserializeData("st\nf:def f(): pass"), error("INVALID_HEADER", /function, not data/));
});

test("13 payloads yield the first sub-buffer that deserializes", () => {
  const both = serializeData([1, 2], "all");
  assert.ok(pyEquals(deserializeData(both), [1, 2]));
  const brokenJsonThenDill = "13\n" + packBuffers(["11\n[1,", serializeData(new PyTuple([3]), "dill")]);
  assert.ok(pyEquals(deserializeData(brokenJsonThenDill), new PyTuple([3])));
  assert.throws(() => deserializeData("13\n"), error("INVALID_BUFFER", /no buffers/));
  assert.throws(() => deserializeData("13\n" + packBuffers(["11\n[1,"])), error("INVALID_JSON"));
  assert.throws(() => deserializeData("13\n" + packBuffers(["13\n" + packBuffers(["11\n1"])])), error("INVALID_HEADER", /inside a 13/));
});

test("serializeData 'all' leaves out the strategies that cannot carry the value", () => {
  assert.equal(serializeData(new PySet([1]), "all"), "13\n28\n00\ngASVBwAAAAAAAACPlChLAZAu\n");
  assert.throws(() => serializeData(new PyObject("m", "C"), "all"), error("NOT_SERIALIZABLE"));
});

test("serializeCode refuses names the endpoint could not split off the source", () => {
  for (const name of ["", "a:b", "a\nb"]) assert.throws(() => serializeCode(name, "x", "st"), error("NOT_SERIALIZABLE"), name);
});

test("deserializeCode reads st, sd, 04 and the source part of 12; bytecode-only strategies are unsupported", () => {
  const fn = { name: "f", source: "def f(x):\n    return {'a': x}\n" };
  for (const s of ["st", "sd", "04"] as const) assert.deepEqual(deserializeCode(serializeCode(fn.name, fn.source, s)), fn);
  assert.deepEqual(deserializeCode("12\n" + packBuffers(["01\nAAAA\n", serializeCode(fn.name, fn.source, "sd")])), fn);
  assert.throws(() => deserializeCode("12\n" + packBuffers(["01\nAAAA\n"])), error("UNSUPPORTED_PICKLE"));
  assert.throws(() => deserializeCode("01\ngAQu\n"), error("UNSUPPORTED_PICKLE", /bytecode/));
  assert.throws(() => deserializeCode("st\nno colon"), error("INVALID_BUFFER", /':'/));
  assert.throws(() => deserializeCode("04\n" + serializeData("just a string", "dill").slice(3)), error("INVALID_PICKLE", /\(name, source\)/));
  assert.throws(() => deserializeCode("11\n[]"), error("INVALID_HEADER", /code payload/));
});

test("packTaskPayload sends args as a tuple and requires str kwargs keys", () => {
  assert.equal(packTaskPayload([7], {}, "json"), "6\n11\n[7]5\n11\n{}");
  assert.equal(packTaskPayload([7], { x: 1 }, "dill"), packTaskPayload(new PyTuple([7]), PyDict.fromObject({ x: 1 }), "dill"));
  assert.throws(() => packTaskPayload([], new PyDict([[1, 1]]), "json"), error("NOT_SERIALIZABLE", /kwargs keys/));
});

test("unpackTaskBuffer needs exactly function, args and kwargs", () => {
  const fnBuffer = serializeCode("f", "def f(): pass\n", "st");
  const task = unpackTaskBuffer(packBuffers([fnBuffer]) + packTaskPayload([1], { k: "v" }, "json"));
  assert.equal(task.fn.name, "f");
  assert.ok(pyEquals(task.args, [1]));
  assert.ok(pyEquals(task.kwargs, PyDict.fromObject({ k: "v" })));
  assert.throws(() => unpackTaskBuffer(packBuffers([fnBuffer])), error("INVALID_BUFFER", /expects 3 buffers, got 1/));
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeResultData, encodeTaskPayload, jsonCarriesExactly, smallPickle } from "../../../../core/executor/taskPayload";
import { RandomPy } from "../protocol/randomPyValue";
import { deserializeData, packTaskPayload, PyBytes, PyDict, PyFloat, PySet, PyTuple, unpackBuffers, type PyValue } from "../../../../core/protocol";

const headers = (payload: string) => unpackBuffers(payload).map((b) => b.slice(0, 2));

describe("task payloads", () => {
  it("uses JSON exactly when Python's json.loads gives the same values back", () => {
    for (const v of [null, true, 1, 1.5, -0, Number.NaN, 2n ** 80n, "s", [1, [2]], new PyFloat(2), new PyDict([["a", 1]])])
      assert.equal(jsonCarriesExactly(v, 0), true, String(v));
    for (const v of [new PyTuple([1]), new PySet([1]), new PyBytes(new Uint8Array()), new PyDict([[1, 1]]), [new PyTuple([])]])
      assert.equal(jsonCarriesExactly(v, 0), false);
  });

  it("pickles an int of more than 4300 digits, which Python's json.loads refuses, alone, in a list or as a keyword", () => {
    const big = 10n ** 4300n; // 4301 digits
    assert.equal(jsonCarriesExactly(big - 1n, 0), true);
    assert.equal(jsonCarriesExactly(-big, 0), false);
    assert.deepEqual(headers(encodeTaskPayload([big], {}, "auto")), ["00", "11"]);
    assert.deepEqual(headers(encodeTaskPayload([[1, big]], {}, "auto")), ["00", "11"]);
    assert.deepEqual(headers(encodeTaskPayload([], { k: big }, "auto")), ["11", "00"]);
    assert.deepEqual(headers(encodeTaskPayload([big - 1n], {}, "auto")), ["11", "11"]);
  });

  it("chooses per part in auto mode, and obeys a forced mode", () => {
    assert.deepEqual(headers(encodeTaskPayload([1], { k: new PyTuple([]) }, "auto")), ["11", "00"]);
    assert.deepEqual(headers(encodeTaskPayload([new PySet([])], {}, "auto")), ["00", "11"]);
    assert.deepEqual(headers(encodeTaskPayload([1], {}, "pickle")), ["00", "00"]);
    assert.equal(encodeTaskPayload([7], {}, "json"), "6\n11\n[7]5\n11\n{}");
    assert.equal(encodeTaskPayload([new PyFloat(2)], {}, "auto"), "8\n11\n[2.0]5\n11\n{}");
  });

  it("writes plain int, bool and None arguments exactly as the general path does", () => {
    const lists: PyValue[][] = [[], [0], [7], [-3, 2 ** 53 - 1, -(2 ** 53 - 1)], [null, true, false, 1], [1.5], [-0], [2 ** 53], [2n], ["s"]];
    for (const args of lists)
      for (const mode of ["auto", "json"] as const)
        assert.equal(encodeTaskPayload(args, {}, mode), packTaskPayload(args, new PyDict(), mode === "auto" ? "json" : mode), JSON.stringify(args.map(String)));
    assert.equal(encodeTaskPayload([1], new PyDict(), "auto"), "6\n11\n[1]5\n11\n{}");
    assert.equal(encodeTaskPayload([[1, 2], "é"], {}, "auto"), '21\n11\n[[1, 2], "\\u00e9"]5\n11\n{}');
    assert.equal(encodeTaskPayload([1], {}, "pickle"), packTaskPayload([1], new PyDict(), "dill"));
  });

  it("writes scalars and lists of scalars (a map chunk's items) exactly as the general path does", () => {
    const random = new RandomPy(15);
    for (let round = 0; round < 300; round++) {
      const list = Array.from({ length: random.int(40) }, () => random.scalar(true));
      const ints = Array.from({ length: random.int(40) }, () => random.int(1e6) * (random.next() < 0.5 ? -1 : 1));
      for (const args of [[list], [ints], [random.scalar(true), list], [[-0, 0, 1e-5, 1e16, new PyFloat(3), 2n ** 70n]]])
        assert.equal(encodeTaskPayload(args, {}, "auto"), packTaskPayload(args, new PyDict(), "json"), `seed 15 round ${round}`);
    }
  });

  it("refuses what cannot be sent with INVALID_ARGUMENTS", () => {
    assert.throws(() => encodeTaskPayload([new PySet([])], {}, "json"), (e: { code: string }) => e.code === "INVALID_ARGUMENTS");
  });
});

describe("decodeResultData's fast path", () => {
  it("reads exactly what the exact parser reads, and defers to it for everything else", () => {
    const samples = [
      "[[0, 2, 4], []]",
      "[[null, 2], [[0, \"Traceback\"]]]",
      "[1, -2, 123456789012345, true, false, null]",
      "[1234567890123456, 1]",
      "[-0, 1]",
      "[1.0, 2]",
      "[1e3]",
      "[[], [[]]]",
      "-",
      "[1,]",
      "[NaN]",
    ];
    for (const body of samples) {
      const data = `11\n${body}`;
      let exact: unknown;
      try {
        exact = deserializeData(data);
      } catch (e) {
        exact = e instanceof Error ? e.message : e;
      }
      let fast: unknown;
      try {
        fast = decodeResultData(data);
      } catch (e) {
        fast = e instanceof Error ? e.message : e;
      }
      assert.deepStrictEqual(fast, exact, body);
    }
    assert.equal(typeof (decodeResultData("11\n[1234567890123456789]") as unknown[])[0], "bigint");
  });
});

describe("decodeResultData's small-pickle path", () => {
  // pickle.dumps(value, protocol) by Python 3.11, as `00\n` + base64.encodebytes.
  const fromPython: [string, string][] = [
    ["0, protocol 2", "00\ngAJLAC4=\n"],
    ["255, protocol 5", "00\ngAVL/y4=\n"],
    ["256, protocol 2", "00\ngAJNAAEu\n"],
    ["65535 in a FRAME, protocol 4", "00\ngASVBAAAAAAAAABN//8u\n"],
    ["-1 in a FRAME", "00\ngASVBgAAAAAAAABK/////y4=\n"],
    ["-2**31", "00\ngAJKAAAAgC4=\n"],
    ["2**31-1 in a FRAME", "00\ngAWVBgAAAAAAAABK////fy4=\n"],
    ["None", "00\ngAROLg==\n"],
    ["True", "00\ngASILg==\n"],
    ["False, protocol 2", "00\ngAKJLg==\n"],
    ["1.5 in a FRAME", "00\ngASVCgAAAAAAAABHP/gAAAAAAAAu\n"],
    ["2.0, protocol 2", "00\ngAJHQAAAAAAAAAAu\n"],
  ];
  it("reads Python's pickled scalars exactly as the Unpickler does", () => {
    for (const [what, data] of fromPython) {
      const fast = smallPickle(data);
      assert.notEqual(fast, undefined, `the small path applies to ${what}`);
      assert.deepStrictEqual(fast, deserializeData(data), what);
      assert.deepStrictEqual(decodeResultData(data), deserializeData(data), what);
    }
  });

  it("leaves everything else to the Unpickler", () => {
    const others = [
      "00\ngAKKBQAAAIAALg==\n", // 2**31 (LONG1)
      "00\ngASVBQAAAAAAAACMAWGULg==\n", // 'a'
      "00\ngASVBQAAAAAAAABLAYWULg==\n", // (1,)
      "00\ngASVBQAAAAAAAABN//8u\n", // a FRAME claiming more than is there
      "00\ngARLBUsGLg==\n", // two values before STOP
      "00\ngARLBS4u\n", // bytes after STOP
      "00\nSwUu\n", // no PROTO
      "00\ngARLBS4\n", // unpadded
      "00\ngARLBS4=", // no final newline
    ];
    for (const data of others) {
      assert.equal(smallPickle(data), undefined, data);
      let exact: unknown;
      try {
        exact = deserializeData(data);
      } catch (e) {
        exact = (e as Error).message;
      }
      let fast: unknown;
      try {
        fast = decodeResultData(data);
      } catch (e) {
        fast = (e as Error).message;
      }
      assert.deepStrictEqual(fast, exact, data);
    }
  });
});

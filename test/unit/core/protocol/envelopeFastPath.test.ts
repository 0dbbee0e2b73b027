// unpackMessage's JSON.parse fast path for Results must give exactly what the exact parser gives, and
// leave to it every text it cannot read exactly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readCanonicalResult } from "../../../../core/protocol/canonicalResult";
import { packMessage, unpackMessage, unpackResultFast } from "../../../../core/protocol/envelope";
import { ProtocolError } from "../../../../core/protocol/errors";
import type { Message, ResultData } from "../../../../core/protocol/messages";
import { PyDict, PyFloat, type PyValue } from "../../../../core/protocol/pyValue";
import { RandomPy } from "./randomPyValue";

const ID = "c0ffee00-0000-4000-8000-000000000001";
const bytesOf = (text: string) => new Uint8Array([1, ...Buffer.from(text, "utf8")]);
const textOf = (bytes: Uint8Array) => Buffer.from(bytes.subarray(1)).toString("utf8");

/** The positional reader on the text's bytes. */
const unpackResultCanonical = (text: string) => readCanonicalResult(Buffer.from(text, "utf8"), 0);

/** The exact parser's reading: a leading space is valid JSON but keeps the fast path out. */
function exact(text: string): Message {
  return unpackMessage(bytesOf(" " + text));
}

function result(data: Partial<ResultData>): string {
  const full: ResultData = { task_id: ID, data: "11\n42", details: null, error_details: null, task_statuses: null, ...data };
  return textOf(packMessage({ message_type: "result", data: full }));
}

const details = (obj: Record<string, PyValue>) => PyDict.fromObject(obj);
const statuses = [
  { timestamp: 1764147600123456789n, state: "execution-start", actor: "worker" },
  { timestamp: 0n, state: "execution-end", actor: "manager" },
];

describe("unpackMessage fast path for Results", () => {
  const taken: [string, string][] = [
    ["a plain result", result({})],
    ["transitions with ns timestamps beyond 2^53", result({ task_statuses: statuses })],
    ["an empty transition list", result({ task_statuses: [] })],
    ["an error", result({ data: "Traceback…\n  \"quoted\" \\ \u2028 😀", error_details: { code: "RemoteExecutionError", user_message: "boom" } })],
    [
      "endpoint details with nested values and awkward keys",
      result({
        details: details({
          os: "Linux",
          dill_version: null,
          ok: true,
          nested: details({ list: ["a", false, null, [details({})]], "": "empty key", __proto__: "plain data", "01": "not an index" }),
        }),
        task_statuses: statuses,
      }),
    ],
    ["an upper-case task id", result({}).replace(ID, ID.toUpperCase())],
    ["repeated keys (first position, last value)", `{"message_type":"result","data":{"task_id":"${ID}","data":"a","details":{"k":"1","j":"2","k":"3"},"data":"b"}}`],
    ["unknown keys, which are ignored", `{"message_type":"result","extra":[1.5,2e400],"data":{"task_id":"${ID}","data":"x","more":{"timestamp":1}}}`],
  ];
  for (const [what, text] of taken) {
    it(`reads ${what} exactly as the exact parser does`, () => {
      const fast = unpackResultFast(text);
      assert.ok(fast !== undefined, "the fast path applies");
      assert.deepStrictEqual(fast, exact(text));
      assert.deepStrictEqual(unpackMessage(bytesOf(text)), fast);
    });
  }

  const declined: [string, string][] = [
    ["numbers in details (int vs float, big ints)", result({ details: details({ n: 1, f: new PyFloat(2), big: 2n ** 70n, x: 0.5 }) })],
    ["an integer-like key that JavaScript would reorder", result({ details: details({ b: "1", 10: "2" }) })],
    ["a string that starts with U+0000", result({ data: "\u0000" })],
    ["a float timestamp", result({ task_statuses: statuses }).replace('"timestamp":0', '"timestamp":0.0')],
    ["a string timestamp", result({ task_statuses: statuses }).replace('"timestamp":0', '"timestamp":"0"')],
    ["an int with a leading zero", result({ task_statuses: statuses }).replace('"timestamp":0', '"timestamp":00')],
    ["a key that only ends in timestamp", `{"message_type":"result","data":{"task_id":"${ID}","data":"x","details":{"a\\"timestamp":5}}}`],
    ["a bad task id", result({}).replace(ID, "not-a-uuid")],
    ["a missing field", `{"message_type":"result","data":{"task_id":"${ID}"}}`],
    ["a wrong field type", result({}).replace('"data":"11\\n42"', '"data":42')],
    ["bad error details", result({}).replace('"error_details":null', '"error_details":{"code":1}')],
    ["bare NaN", result({}).replace('"details":null', '"details":{"x":NaN}')],
    ["another message type", `{"message_type":"task_cancel","data":{"task_id":"${ID}"}}`],
    ["malformed JSON", result({}).slice(0, -1)],
  ];
  for (const [what, text] of declined) {
    it(`leaves ${what} to the exact parser`, () => {
      assert.equal(unpackResultFast(text), undefined);
      let viaExact: unknown;
      let viaExactError: unknown;
      try {
        viaExact = exact(text);
      } catch (e) {
        viaExactError = e;
      }
      // (Error offsets differ by the leading space, so errors are compared by code.)
      if (viaExactError instanceof ProtocolError) {
        assert.throws(() => unpackMessage(bytesOf(text)), (e: unknown) => e instanceof ProtocolError && e.code === viaExactError.code);
      } else assert.deepStrictEqual(unpackMessage(bytesOf(text)), viaExact);
    });
  }

  it("reads pydantic's own layout by position, exactly as the exact parser does", () => {
    const canonical = taken.slice(0, 5);
    for (const [what, text] of canonical) {
      const read = unpackResultCanonical(text);
      assert.ok(read !== undefined, `the positional reader applies to ${what}`);
      assert.deepStrictEqual(read, exact(text), what);
    }
    const control = result({ data: "a\u0000b \"\\\" \n" });
    assert.deepStrictEqual(unpackResultCanonical(control), exact(control));
    // Newline escapes are unescaped in place; a literal backslash before an n is not one of them.
    for (const data of ["00\ngARLAS4=\n", "\n\n", "a\\nb", "\\\n", "\n\"", "\"\n", "\\", "x\ty\n"]) {
      const text = result({ data });
      const read = unpackResultCanonical(text);
      assert.equal((read?.data as ResultData | undefined)?.data, data, JSON.stringify(data));
      assert.deepStrictEqual(read, exact(text));
    }
  });

  it("reads transition timestamps of every length and sign, and states near the known words, exactly", () => {
    const stamps = [0n, 7n, -7n, 10n ** 15n - 1n, 10n ** 15n, 2n ** 53n + 1n, 1764147600123456789n, -1764147600123456789n, 2n ** 64n + 3n, 10n ** 30n - 1n, 10n ** 30n, 10n ** 31n - 1n, -(10n ** 31n) - 9n, 10n ** 60n + 1n];
    for (const timestamp of stamps) {
      const text = result({ task_statuses: [{ timestamp, state: "running", actor: "worker" }] });
      const read = unpackResultCanonical(text);
      assert.equal((read?.data as ResultData | undefined)?.task_statuses?.[0].timestamp, timestamp, String(timestamp));
      assert.deepStrictEqual(read, exact(text));
    }
    // The same length as a known word but another word, a known word's prefix or extension, escapes, non-ASCII.
    for (const word of ["workes", "runninG", "manager-", "worke", "", "wor\"er", "w\u00f6rker", "execution-enD", "waiting-for-ep\n"]) {
      const text = result({ task_statuses: [{ timestamp: 1n, state: word, actor: word }] });
      const read = unpackResultCanonical(text);
      assert.equal((read?.data as ResultData | undefined)?.task_statuses?.[0].state, word, JSON.stringify(word));
      assert.deepStrictEqual(read, exact(text));
    }
  });

  it("shares one frozen details dict between results carrying the same details text", () => {
    const env = details({ os: "Linux", python_version: "3.11.2", endpoint_id: null });
    const first = unpackResultCanonical(result({ details: env })) as Message & { message_type: "result" };
    const second = unpackResultCanonical(result({ details: env, data: "11\n7" })) as Message & { message_type: "result" };
    assert.deepStrictEqual(second.data.details, env);
    assert.equal(second.data.details, first.data.details);
    assert.throws(() => second.data.details?.set("os", "changed"), TypeError, "nobody can change what others share");
    const other = unpackResultCanonical(result({ details: details({ os: "Darwin" }) })) as Message & { message_type: "result" };
    assert.deepStrictEqual(other.data.details, details({ os: "Darwin" }));
  });

  it("reads a delivery that views part of a larger buffer, and keeps no view of it", () => {
    // amqplib's content is a view of the socket's read buffer, which is reused.
    const text = result({ details: details({ os: "Linux" }), task_statuses: statuses });
    const pool = Buffer.alloc(4096, 0x20);
    const at = 100;
    const view = () => pool.subarray(at, at + 1 + Buffer.byteLength(text));
    pool[at] = 1;
    pool.write(text, at + 1, "utf8");
    assert.deepStrictEqual(unpackMessage(view()), exact(text));
    // Same length, other details, written over the same bytes: read as they are now, not as remembered.
    const other = result({ details: details({ os: "Plan9" }), task_statuses: statuses });
    assert.equal(Buffer.byteLength(other), Buffer.byteLength(text));
    pool.write(other, at + 1, "utf8");
    assert.deepStrictEqual(unpackMessage(view()), exact(other));
    assert.deepStrictEqual((unpackMessage(view()) as Message & { message_type: "result" }).data.details, details({ os: "Plan9" }));
  });

  it("reads multi-byte characters in every string field exactly", () => {
    const text = result({
      data: "01\nλ😀\u2028\n",
      details: details({ "ключ": "värde 😀", os: "Linux" }),
      error_details: { code: "Ошибка", user_message: "échec \"😀\"" },
    });
    assert.deepStrictEqual(unpackResultCanonical(text), exact(text));
  });

  it("leaves every other layout to the slower paths", () => {
    const others = [
      ...taken.slice(5).map(([, text]) => text),
      // (A leading U+0000 only troubles unpackResultFast's marker; the positional reader takes it.)
      ...declined.filter(([what]) => !what.includes("U+0000")).map(([, text]) => text),
      result({}).replace('"error_details"', '"extra":1,"error_details"'),
      result({}).replace("}}", "} }"),
      result({ task_statuses: statuses }).replace('"timestamp":0', '"timestamp":-0'),
      result({ task_statuses: statuses }).replace('"actor":"manager"', '"actor":"manager","x":1'),
      result({}).replace('"data":"11\\n42"', '"data":"11\\q42"'),
      result({}).replace('"data":"11\\n42"', '"data":"11\t42"'),
      result({}).replace('"data":"11\\n42"', '"data":"11'),
      result({}).replace('"data":"11\\n42"', '"data":"11\\'),
      result({ task_statuses: statuses }).slice(0, -5),
      result({}).slice(0, 60),
    ];
    for (const text of others) assert.equal(unpackResultCanonical(text), undefined, text);
  });

  it("agrees with the exact parser on random details and data", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = new RandomPy(seed);
      const d = new PyDict();
      for (let i = 0; i < 4; i++) d.set(r.str(), r.value({ jsonOnly: true, maxDepth: 3 }));
      const text = result({ data: r.str(40), details: d, task_statuses: seed % 2 ? statuses : null });
      assert.deepStrictEqual(unpackMessage(bytesOf(text)), exact(text), `seed ${seed}`);
    }
  });
});

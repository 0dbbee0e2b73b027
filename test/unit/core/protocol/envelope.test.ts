import { test } from "node:test";
import assert from "node:assert/strict";
import { packMessage, unpackMessage } from "../../../../core/protocol/envelope";
import { ProtocolError } from "../../../../core/protocol/errors";
import type { Message } from "../../../../core/protocol/messages";
import { PyDict, PyFloat } from "../../../../core/protocol/pyValue";

const ID = "c0ffee00-0000-4000-8000-000000000001";
const bytesOf = (text: string) => new Uint8Array([1, ...Buffer.from(text, "utf8")]);
const textOf = (bytes: Uint8Array) => Buffer.from(bytes.subarray(1)).toString("utf8");
const invalid = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof ProtocolError && e.code === code && (message === undefined || message.test(e.message));

test("every message type packs in pydantic field order and unpacks to the same message", () => {
  const transition = { timestamp: 1754600000012345678n, state: "running", actor: "worker" };
  const messages: [Message, string][] = [
    [
      { message_type: "task_transition", data: transition },
      '{"message_type":"task_transition","data":{"timestamp":1754600000012345678,"state":"running","actor":"worker"}}',
    ],
    [{ message_type: "task_cancel", data: { task_id: ID } }, `{"message_type":"task_cancel","data":{"task_id":"${ID}"}}`],
    [
      {
        message_type: "ep_status_report",
        data: { endpoint_id: ID, global_state: PyDict.fromObject({ load: 0.5, n: new PyFloat(1) }), task_statuses: { [ID]: [transition] } },
      },
      `{"message_type":"ep_status_report","data":{"endpoint_id":"${ID}","global_state":{"load":0.5,"n":1.0},"task_statuses":{"${ID}":[{"timestamp":1754600000012345678,"state":"running","actor":"worker"}]}}}`,
    ],
    [
      { message_type: "manager_status_report", data: { task_statuses: {} } },
      '{"message_type":"manager_status_report","data":{"task_statuses":{}}}',
    ],
  ];
  for (const [msg, text] of messages) {
    const packed = packMessage(msg);
    assert.equal(packed[0], 1);
    assert.equal(textOf(packed), text);
    assert.equal(textOf(packMessage(unpackMessage(packed))), text);
  }
});

test("unpack accepts upstream's alias, UUID spellings and unknown keys; pack canonicalises", () => {
  const report = unpackMessage(
    bytesOf(
      '{"message_type":"ep_status_report","data":{"endpoint_id":"urn:uuid:C0FFEE00000040008000000000000001","ep_status_report":{"a":1},"task_statuses":{},"extra":[1]},"more":1}',
    ),
  );
  assert.equal(report.message_type, "ep_status_report");
  if (report.message_type !== "ep_status_report") return;
  assert.equal(report.data.endpoint_id, ID);
  assert.deepEqual(report.data.global_state.entries, [["a", 1]]);
  const braced = unpackMessage(bytesOf(`{"message_type":"task_cancel","data":{"task_id":"{${ID.toUpperCase()}}"}}`));
  assert.deepEqual(braced.data, { task_id: ID });
});

test("details keep Python types and re-pack with pydantic's float text", () => {
  const text =
    '{"message_type":"result","data":{"task_id":"' +
    ID +
    '","data":"11\\n1","details":{"big":1e+16,"tiny":1e-7,"whole":100.0,"int":100,"huge":18446744073709551616,"nan":NaN,"s":"é\\u2028"},"error_details":null,"task_statuses":null}}';
  const msg = unpackMessage(bytesOf(text));
  assert.equal(
    textOf(packMessage(msg)),
    text.replace("NaN", "null").replace("\\u2028", "\u2028"),
    "NaN has no JSON form in pydantic; U+2028 is written raw",
  );
});

test("packing rejects fields pydantic would refuse", () => {
  const result = (data: Record<string, unknown>) => ({ message_type: "result", data }) as unknown as Message;
  assert.throws(() => packMessage(result({ task_id: "nope", data: "" })), invalid("INVALID_MESSAGE", /data\.task_id: expected a UUID/));
  assert.throws(() => packMessage(result({ task_id: ID })), invalid("INVALID_MESSAGE", /data\.data: field required/));
  assert.throws(
    () => packMessage({ message_type: "heartbeat", data: {} } as unknown as Message),
    invalid("UNKNOWN_MESSAGE_TYPE"),
  );
});

test("unpacking malformed envelopes gives typed errors naming the field", () => {
  const cases: [Uint8Array, string, RegExp][] = [
    [new Uint8Array([2, 0x7b, 0x7d]), "UNRECOGNIZED_PROTOCOL_VERSION", /unknown protocol version 2/],
    [new Uint8Array([1, 0xff, 0xfe]), "INVALID_MESSAGE", /not valid UTF-8/],
    [bytesOf("{"), "INVALID_MESSAGE", /not JSON/],
    [bytesOf("[]"), "INVALID_MESSAGE", /expected a JSON object/],
    [bytesOf('{"data":{}}'), "INVALID_MESSAGE", /message_type: field required/],
    [bytesOf('{"message_type":"result","data":[]}'), "INVALID_MESSAGE", /envelope\.data/],
    [bytesOf('{"message_type":"result","data":{"data":"x"}}'), "INVALID_MESSAGE", /data\.task_id: field required/],
    [bytesOf(`{"message_type":"result","data":{"task_id":"${ID}","data":5}}`), "INVALID_MESSAGE", /data\.data: expected a string/],
    [bytesOf(`{"message_type":"result","data":{"task_id":"${ID}x","data":""}}`), "INVALID_MESSAGE", /expected a UUID/],
    [bytesOf(`{"message_type":"result","data":{"task_id":"${ID}","data":"","details":[1]}}`), "INVALID_MESSAGE", /details: expected an object/],
    [
      bytesOf(`{"message_type":"result","data":{"task_id":"${ID}","data":"","error_details":{"code":"X"}}}`),
      "INVALID_MESSAGE",
      /error_details\.user_message: field required/,
    ],
    [
      bytesOf(`{"message_type":"result","data":{"task_id":"${ID}","data":"","task_statuses":[{"timestamp":1.5,"state":"s","actor":"a"}]}}`),
      "INVALID_MESSAGE",
      /task_statuses\[0\]\.timestamp: expected an integer/,
    ],
    [bytesOf(`{"message_type":"task_transition","data":{"timestamp":1,"state":"s"}}`), "INVALID_MESSAGE", /actor: field required/],
    [bytesOf('{"message_type":"container","data":{}}'), "UNKNOWN_MESSAGE_TYPE", /"container"/],
    [bytesOf('{"message_type":"__proto__","data":{}}'), "UNKNOWN_MESSAGE_TYPE", /__proto__/],
  ];
  for (const [bytes, code, message] of cases) {
    assert.throws(() => unpackMessage(bytes), invalid(code, message), textOf(bytes));
    // amqplib hands over Buffers, which take a path of their own: same errors.
    assert.throws(() => unpackMessage(Buffer.from(bytes)), invalid(code, message), textOf(bytes));
  }
  // Invalid UTF-8 anywhere in the body, not only at its start; a Buffer that views part of a larger one.
  const valid = bytesOf(`{"message_type":"task_cancel","data":{"task_id":"${ID}"}}`);
  const broken = Buffer.from(valid);
  broken[broken.length - 3] = 0xc3;
  for (const bytes of [broken, new Uint8Array(broken)]) assert.throws(() => unpackMessage(bytes), invalid("INVALID_MESSAGE", /not valid UTF-8/));
  const within = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid), Buffer.from([0xff])]).subarray(2, 2 + valid.length);
  assert.deepEqual(unpackMessage(within), unpackMessage(valid));
});

test("an integral float timestamp is accepted as pydantic's lax mode does", () => {
  const msg = unpackMessage(bytesOf('{"message_type":"task_transition","data":{"timestamp":5.0,"state":"s","actor":"a"}}'));
  assert.deepEqual(msg.data, { timestamp: 5n, state: "s", actor: "a" });
});

"""The Python SDK Executor's wire sequence against the emulator (protocol.md sections 3, 7, 8).

The upstream SDK cannot be installed here, so this replays what it does on the wire with the same
libraries: requests for REST, pika (1.2, as the SDK's pika>=1.2,<1.4) for AMQP, dill for results.
Usage: sdkLikeClient.py BASE_URL TOKEN ENDPOINT_ID N. Prints one JSON object.
"""
import base64
import json
import sys
import uuid

import dill
import pika
from sdkRest import sdk_caller

base, token, endpoint_id, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
call = sdk_caller(base, token)


def pack_buffers(buffers):
    return "".join(f"{len(b)}\n{b}" for b in buffers)


def dill_data(obj):
    return "00\n" + base64.encodebytes(dill.dumps(obj)).decode()


def deserialize(data):
    assert data.startswith("00\n"), data
    return dill.loads(base64.b64decode(data[3:]))


# Client.__init__ -> version_check: reads both keys.
version = call("GET", "/v2/version?service=all")
assert version["min_sdk_version"] and version["min_ep_version"]

source = "def square(x):\n    return x * x\n"
code = "st\nsquare:" + source
fn = call("POST", "/v3/functions", {
    "function_name": "square",
    "function_code": pack_buffers([code]),
    "meta": {"python_version": sys.version.split()[0], "sdk_version": "4.15.0", "serde_identifier": "st"},
})["function_uuid"]

payloads = [pack_buffers([dill_data((i,)), dill_data({})]) for i in range(n)]
batch = call("POST", f"/v3/endpoints/{endpoint_id}/submit", {
    "create_queue": True,
    "tasks": {fn: payloads},
    "user_runtime": {"globus_compute_sdk_version": "4.15.0", "globus_sdk_version": "4.9.0", "python_version": sys.version},
})
# The SDK parses these three as UUIDs.
for key in ("request_id", "task_group_id", "endpoint_id"):
    uuid.UUID(batch[key])
task_ids = batch["tasks"][fn]
group = batch["task_group_id"]

# _ResultWatcher: fresh URL, pika URLParameters, basic_consume on prefix + group, manual acks.
amqp = call("GET", "/v2/get_amqp_result_connection_url")
conn = pika.BlockingConnection(pika.URLParameters(amqp["connection_url"]))
channel = conn.channel()
results = {}


def on_message(ch, method, props, body):
    assert body[0] == 1, body
    env = json.loads(body[1:].decode("utf-8"))
    assert env["message_type"] == "result"
    data = env["data"]
    results[data["task_id"]] = {"value": deserialize(data["data"]), "timestamp": props.timestamp}
    ch.basic_ack(method.delivery_tag)
    if len(results) == n:
        ch.stop_consuming()


channel.basic_consume(queue=amqp["queue_prefix"] + group, on_message_callback=on_message)
conn.call_later(30, channel.stop_consuming)
channel.start_consuming()
conn.close()

# reload_tasks: task group, then batch_status; completion decided by a truthy completion_t.
tg = call("GET", f"/v2/taskgroup/{group}")
assert tg["taskgroup_id"] == group
statuses = call("POST", "/v2/batch_status", {"task_ids": [t["id"] for t in tg["tasks"]]})["results"]
reloaded = {tid: deserialize(s["result"]) for tid, s in statuses.items() if s.get("completion_t") and s["status"] == "success"}

print(json.dumps({
    "task_ids": task_ids,
    "streamed": {tid: r["value"] for tid, r in results.items()},
    "timestamps": [r["timestamp"] for r in results.values()],
    "reloaded": reloaded,
}))

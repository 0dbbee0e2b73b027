"""The Python SDK's endpoint calls against the emulator, replayed on the wire (the SDK cannot be installed).

Client.get_endpoints() / get_endpoints(role="any"), get_endpoint_metadata, get_endpoint_status (protocol.md
section 3.10), and Executor(endpoint_id=<multi-user endpoint>, user_endpoint_config=...) submitting a valid
and an invalid configuration; outcomes are read as Client.get_batch_result does.
Usage: sdkEndpointCalls.py BASE_URL TOKEN MEP_ID OFFLINE_ID. Prints one JSON object.
"""
import json
import sys
import time
import uuid

from sdkRest import sdk_caller

base, token, mep_id, offline_id = sys.argv[1:5]
call = sdk_caller(base, token)


def pack_buffers(buffers):
    return "".join(f"{len(b)}\n{b}" for b in buffers)


def json_data(obj):
    return "11\n" + json.dumps(obj)


out = {}
# ComputeClientV2.get_endpoints(role=None) sends no query parameter at all.
out["owned"] = call("GET", "/v2/endpoints")
out["any"] = call("GET", "/v2/endpoints", params={"role": "any"})
out["metadata"] = call("GET", f"/v2/endpoints/{mep_id}")
out["status"] = call("GET", f"/v2/endpoints/{mep_id}/status")
out["offline_status"] = call("GET", f"/v2/endpoints/{offline_id}/status")

source = "def triple(x):\n    return 3 * x\n"
fn = call("POST", "/v3/functions", {
    "function_name": "triple",
    "function_code": pack_buffers(["st\ntriple:" + source]),
    "meta": {"python_version": sys.version.split()[0], "sdk_version": "4.15.0", "serde_identifier": "st"},
})["function_uuid"]


def submit(user_endpoint_config):
    # Executor's batch: the same user_endpoint_config goes with every batch (protocol.md section 3.5).
    batch = call("POST", f"/v3/endpoints/{mep_id}/submit", {
        "create_queue": True,
        "tasks": {fn: [pack_buffers([json_data([5]), json_data({})])]},
        "user_endpoint_config": user_endpoint_config,
        "user_runtime": {"globus_compute_sdk_version": "4.15.0", "globus_sdk_version": "4.9.0", "python_version": sys.version},
        "result_serializers": ["globus_compute_sdk.serialize.concretes.JSONData"],
    })
    for key in ("request_id", "task_group_id", "endpoint_id"):
        uuid.UUID(batch[key])
    return batch["tasks"][fn][0]


def outcome(task_id):
    deadline = time.time() + 60
    while time.time() < deadline:
        r = call("POST", "/v2/batch_status", {"task_ids": [task_id]})["results"][task_id]
        if r.get("completion_t"):
            return r
        time.sleep(0.2)
    raise TimeoutError(task_id)


good = outcome(submit({"account": "ABC123", "partition": "compute", "walltime": "00:10:00"}))
bad = outcome(submit({"account": "ABC123", "partition": "debug", "parent_config": "x"}))
out["valid"] = {"status": good["status"], "result": good.get("result")}
out["invalid"] = {"status": bad["status"], "exception": bad.get("exception")}
print(json.dumps(out))

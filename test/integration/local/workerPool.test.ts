import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import {
  deserializeData,
  fromTagged,
  packTaskPayload,
  pyEquals,
  pyHashEquals,
  PyDict,
  PySet,
  PyTuple,
  type CodeStrategy,
  type DataStrategy,
  type PyValue,
} from "../../../core/protocol";
import { LocalEndpointError } from "../../../core/local/errors";
import { SDK_VERSION } from "../../../core/service/sdkVersion";
import { poolStartBudgetMs, WorkerPool, type WorkerOutcome, type WorkerPoolOptions } from "../../../core/local/workerPool";
import { loadVectors } from "../../support/vectors";
import { childPythonProcesses, functionCode, isAlive, PYTHON, startPool, taskBuffer, tempDir, waitFor } from "./support";

const JSON_SERIALIZER = "globus_compute_sdk.serialize.concretes.JSONData";
const DILL_SERIALIZER = "globus_compute_sdk.serialize.concretes.DillDataBase64";
const ENDPOINT_ID = "5f5e7e62-7d5b-4f4e-9b8c-2d6f0b1c2a3d";
const ECHO = "def echo(*args, **kwargs):\n    return [list(args), kwargs]\n";

let n = 0;
const nextId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;

function value(outcome: WorkerOutcome): PyValue {
  assert.equal(outcome.result.error_details, null, outcome.result.data);
  return deserializeData(outcome.result.data);
}

describe("WorkerPool executes task buffers as a Globus Compute endpoint", () => {
  let pool: WorkerPool;
  before(async () => {
    pool = await WorkerPool.start({ python: PYTHON, workers: 2, endpointId: ENDPOINT_ID });
  });
  after(() => pool.dispose());

  const run = (taskBuffer: string, resultSerializers?: string[]) =>
    pool.run({ taskId: nextId(), taskBuffer, resultSerializers }).result;

  for (const code of ["st", "sd", "04"] as CodeStrategy[]) {
    for (const data of ["json", "dill", "all"] as DataStrategy[]) {
      it(`runs code strategy ${code} with data strategy ${data}`, async () => {
        const outcome = await run(taskBuffer("echo", ECHO, [1, "two", [3.5]], { k: null }, { code, data }));
        const expected = [[1, "two", [3.5]], PyDict.fromObject({ k: null })];
        assert.ok(pyEquals(value(outcome), expected));
      });
    }
  }

  it("accepts args and kwargs in different data strategies", async () => {
    const buffer = functionCode("echo", ECHO) + packTaskPayload(["x", 2], { opt: null }, { args: "json", kwargs: "dill" });
    assert.ok(pyEquals(value(await run(buffer)), [["x", 2], PyDict.fromObject({ opt: null })]));
  });

  it("runs 03 (pickled name and inspect source) like 04", async () => {
    const buffer = taskBuffer("echo", ECHO, [5], {}, { code: "04" }).replace(/^(\d+)\n04\n/, "$1\n03\n");
    assert.ok(pyEquals(value(await run(buffer)), [[5], new PyDict()]));
  });

  it("runs 01 (a dill-pickled function) when dill is importable", async () => {
    const script = "import dill, base64\ndef inc(x):\n    return x + 1\nprint('01\\n' + base64.encodebytes(dill.dumps(inc)).decode(), end='')";
    const code = execFileSync(PYTHON, ["-c", script], { encoding: "utf8" });
    const buffer = `${[...code].length}\n${code}` + packTaskPayload([41], {}, "json");
    assert.equal(value(await run(buffer, [JSON_SERIALIZER])), 42);
  });

  it("runs 12 (AllCodeStrategies) through its first part that loads", async () => {
    const st = "st\necho:" + ECHO;
    const combo = `12\n4\nxx\nx${[...st].length}\n${st}`;
    const buffer = `${[...combo].length}\n${combo}` + packTaskPayload([3], {}, "json");
    assert.ok(pyEquals(value(await run(buffer)), [[3], new PyDict()]));
  });

  for (const vector of loadVectors("remote_exception").concat(loadVectors("remote_result"))) {
    it(`matches vector ${vector.id}`, async () => {
      const input = vector.input as { task_buffer: string; result_serializers?: string[]; result_size_limit?: number };
      const limited = input.result_size_limit
        ? await WorkerPool.start({ python: PYTHON, workers: 1, endpointId: ENDPOINT_ID, resultSizeLimit: input.result_size_limit })
        : undefined;
      try {
        const taskId = nextId();
        const outcome = await (limited ?? pool).run({ taskId, taskBuffer: input.task_buffer, resultSerializers: input.result_serializers }).result;
        const { result } = outcome;
        assert.equal(result.task_id, taskId);
        assert.equal(result.data, vector.expected);
        assert.deepEqual(result.error_details, vector.error_details);
        // details: same keys in the same order; values of this machine (environment-specific fields).
        const wire = JSON.parse(String(vector.result_message_text_after_version_byte)) as { data: { details: Record<string, unknown> } };
        assert.deepEqual(result.details?.keys(), Object.keys(wire.data.details));
        assert.equal(result.details?.get("endpoint_id"), ENDPOINT_ID);
        assert.equal(result.details?.get("globus_compute_sdk_version"), SDK_VERSION);
        assert.equal(result.details?.get("python_version"), execFileSync(PYTHON, ["-c", "import platform; print(platform.python_version(), end='')"]).toString());
        const [start, end] = result.task_statuses ?? [];
        assert.deepEqual([start.state, start.actor, end.state, end.actor], ["execution-start", "worker", "execution-end", "worker"]);
        assert.ok(start.timestamp <= end.timestamp);
        assert.ok(start.timestamp > 1_700_000_000_000_000_000n, "nanoseconds since the epoch");
      } finally {
        limited?.dispose();
      }
    });
  }

  for (const vector of loadVectors("task_payload")) {
    it(`sees the arguments of vector ${vector.id} as the real endpoint did`, async () => {
      const view = vector.endpoint_view as { probe_returned: unknown[] };
      const outcome = await run(String(vector.task_buffer));
      assert.ok(pyEquals(value(outcome), new PyTuple(view.probe_returned.map(fromTagged))));
    });
  }

  for (const vector of loadVectors("code_source")) {
    it(`loads function code of vector ${vector.id} as the real endpoint did`, async () => {
      const check = vector.endpoint_check as { args: unknown; deserializes: boolean; result?: unknown; error?: string };
      const args = fromTagged(check.args) as PyTuple;
      const outcome = await run(String(vector.function_code) + packTaskPayload(args, {}, "json"), [JSON_SERIALIZER]);
      // Python equality: the vector reader gives `5.0` in endpoint_check as the int 5.
      if (check.deserializes) assert.ok(pyHashEquals(value(outcome), fromTagged(check.result)));
      else assert.ok(outcome.result.data.trimEnd().endsWith(String(check.error)), outcome.result.data);
    });
  }

  // The worker's result serializers against the real SDK's bytes (custom-class needs the generator's class).
  const resultVectors = [
    ...loadVectors("json_data").map((v) => ({ v, serializer: JSON_SERIALIZER })),
    ...loadVectors("dill_data").filter((v) => v.input.pickle_protocol === 4 && v.id !== "dill_data/custom-class").map((v) => ({ v, serializer: DILL_SERIALIZER })),
  ];
  for (const { v, serializer } of resultVectors) {
    it(`serializes results as the SDK does: ${v.id}`, async () => {
      const source = `def value():\n    import datetime\n    return ${String(v.input.python_literal)}\n`;
      const outcome = await run(taskBuffer("value", source), [serializer]);
      if (v.expect_error) assert.match(outcome.result.data, /SerializationError: Serialization failed: All strategies failed\.\n$/);
      else assert.equal(outcome.result.data, v.expected);
    });
  }

  it("fails a result over the default 10 MiB limit with MaxResultSizeExceeded", async () => {
    const outcome = await run(taskBuffer("big", "def big(n):\n    return 'x' * n\n", [10 * 1024 * 1024]), [JSON_SERIALIZER]);
    // "11\n" + the quoted string: 10 MiB + 5 code points.
    assert.equal(outcome.result.data, "MaxResultSizeExceeded(10485765, 10485760)");
    assert.deepEqual(outcome.result.error_details, {
      code: "MaxResultSizeExceeded",
      user_message: "remote error: Task result of 10485765B exceeded current limit of 10485760B",
    });
  });

  describe("result_serializers", () => {
    const setSource = "def s():\n    return {1, 2}\n";
    it("falls back in order: JSON first, then dill for what JSON cannot carry", async () => {
      const outcome = await run(taskBuffer("s", setSource), [JSON_SERIALIZER, DILL_SERIALIZER]);
      assert.ok(outcome.result.data.startsWith("00\n"));
      assert.ok(pyEquals(value(outcome), new PySet([1, 2])));
    });

    it("uses the first strategy that works, even when a later one would too", async () => {
      const outcome = await run(taskBuffer("echo", ECHO, [1]), [JSON_SERIALIZER, DILL_SERIALIZER]);
      assert.equal(outcome.result.data, "11\n[[1], {}]");
    });

    it("accepts the re-export import path", async () => {
      const outcome = await run(taskBuffer("echo", ECHO, [1]), ["globus_compute_sdk.serialize.JSONData"]);
      assert.equal(outcome.result.data, "11\n[[1], {}]");
    });

    it("fails the task when every strategy fails, naming each failure", async () => {
      const outcome = await run(taskBuffer("s", setSource), ["no.such.Strategy", JSON_SERIALIZER]);
      assert.equal(outcome.result.error_details?.code, "RemoteExecutionError");
      const text = outcome.result.data;
      assert.match(text, /Invalid strategy-like 'no\.such\.Strategy'/);
      assert.match(text, /TypeError: Object of type set is not JSON serializable/);
      assert.ok(text.endsWith("globus_compute_sdk.errors.error_types.SerializationError: Serialization failed: All strategies failed.\n"));
    });

    it("serializes a callable result with DillCode by default", async () => {
      const outcome = await run(taskBuffer("f", "def f():\n    return len\n"));
      assert.ok(outcome.result.data.startsWith("01\n"), outcome.result.data);
    });
  });

    // Plain values take the C pickler (worker.py _is_plain), the rest dill: either way the bytes are dill's own.
    const dillCases = [
      "[[i * 2 for i in range(1250)], []]",
      "[list(range(1001)), {i: i for i in range(2000)}, set(range(1000)), tuple(range(3001))]",
      // Lengths the C pickler batches as dill does (a chunk of 2,000 results is the common one).
      "[[i * 2 for i in range(2000)], []]",
      "[list(range(3000)), set(range(2001)), {i: i for i in range(3002)}, frozenset(range(2000)), tuple(range(1000))]",
      "{'a': (1, 2.5, None, True, -2 ** 70), 3: [{1, 2}, frozenset({4}), b'raw', 'é€😀']}",
      "(lambda s: [s, s, (s, s), {'k': s}])([1, 'shared'])",
      "[str(i) for i in range(3000)] + ['x' * 8192]",
      "[1] * 20000 + [b'y' * 70000]",
      "[str(i) for i in range(5000)] + ['😀' * 9000]",
      "[1j, 2]",
      "{'deep': [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}",
    ];
    for (const expr of dillCases) {
      it(`pickles ${expr.length > 40 ? expr.slice(0, 40) + "…" : expr} with the bytes dill.dumps writes`, async () => {
        const script = `import base64, dill\nprint('00\\n' + base64.encodebytes(dill.dumps(${expr})).decode(), end='')`;
        const expected = execFileSync(PYTHON, ["-c", script], { encoding: "utf8" });
        const outcome = await run(taskBuffer("make", `def make():\n    return ${expr}\n`), [DILL_SERIALIZER]);
        assert.equal(outcome.result.error_details, null, outcome.result.data);
        assert.equal(outcome.result.data, expected);
      });
    }

  it("fails with the endpoint's errors on malformed task buffers", async () => {
    const wrongCount = await run(functionCode("echo", ECHO) + "5\n11\n[]");
    assert.match(wrongCount.result.data, /AssertionError: Unpack expects 3 buffers, got 2\n$/);
    const badHeader = await run(functionCode("echo", ECHO) + "5\nzz\n[]5\n11\n{}");
    assert.match(badHeader.result.data, /DeserializationError: Deserialization failed: Invalid header: zz\n in data payload\n$/);
    assert.equal(badHeader.result.error_details?.code, "RemoteExecutionError");
  });

  it("keeps what the function prints, per task: print, sys.stderr and child processes", async () => {
    const source =
      "def noisy(tag):\n    import os, sys\n    print('out', tag)\n    sys.stderr.write('err ' + tag + '\\n')\n" +
      "    os.system('echo child ' + tag + '; echo childerr ' + tag + ' >&2')\n    return tag\n";
    const outcomes = await Promise.all(["a", "b", "c"].map((tag) => run(taskBuffer("noisy", source, [tag]))));
    for (const [i, tag] of ["a", "b", "c"].entries()) {
      assert.equal(outcomes[i].stdout, `out ${tag}\nchild ${tag}\n`);
      assert.equal(outcomes[i].stderr, `err ${tag}\nchilderr ${tag}\n`);
    }
    const quiet = await Promise.all([1, 2].map((k) => run(taskBuffer("echo", ECHO, [k]))));
    assert.deepEqual(quiet.map((o) => o.stdout + o.stderr), ["", ""]);
  });

  it("captures the next task's output after user code redirected or closed fds 1 and 2", async (t) => {
    const single = await startPool(t, { workers: 1 });
    const runOn = async (name: string, source: string, args: PyValue[] = []) =>
      single.run({ taskId: nextId(), taskBuffer: taskBuffer(name, source, args) }).result;
    const redirect =
      "def redirect():\n    import os, sys\n    print('kept')\n    null = os.open(os.devnull, os.O_WRONLY)\n" +
      "    os.dup2(null, 1)\n    os.dup2(null, 2)\n    sys.stdout = open(os.devnull, 'w')\n    print('lost')\n    os.system('echo lost too')\n";
    const close = "def close():\n    import os, sys\n    sys.stderr.write('kept\\n')\n    sys.stderr.flush()\n    os.close(1)\n    os.close(2)\n";
    const noisy = "def noisy(tag):\n    import os\n    print('out', tag)\n    os.system('echo childerr ' + tag + ' >&2')\n";
    assert.equal((await runOn("redirect", redirect)).stdout, "kept\n");
    let next = await runOn("noisy", noisy, ["a"]);
    assert.deepEqual([next.stdout, next.stderr], ["out a\n", "childerr a\n"]);
    assert.equal((await runOn("close", close)).stderr, "kept\n");
    next = await runOn("noisy", noisy, ["b"]);
    assert.deepEqual([next.stdout, next.stderr], ["out b\n", "childerr b\n"]);
  });

  it("gives the next task working standard streams after user code closed sys.stdout, sys.stderr and sys.stdin", async (t) => {
    const single = await startPool(t, { workers: 1 });
    const runOn = async (name: string, source: string) => single.run({ taskId: nextId(), taskBuffer: taskBuffer(name, source) }).result;
    const closer = "def closer():\n    import sys\n    print('bye')\n    sys.stdout.close()\n    sys.stderr.close()\n    sys.stdin.close()\n    return 'closed'\n";
    const closed = await runOn("closer", closer);
    assert.equal(value(closed), "closed");
    assert.equal(closed.stdout, "bye\n");
    const loud = "def loud():\n    import sys\n    print('out é')\n    print('err', file=sys.stderr)\n    return sys.stdout is sys.__stdout__\n";
    for (let i = 0; i < 2; i++) {
      const next = await runOn("loud", loud);
      assert.equal(value(next), true);
      assert.deepEqual([next.stdout, next.stderr], ["out é\n", "err\n"]);
    }
    // stdin as before: empty, so input() fails at once rather than waiting (and no file took fd 0's place).
    const input = await runOn("ask", "def ask():\n    return input()\n");
    assert.match(input.result.data, /EOFError: EOF when reading a line\n$/);
  });

  it("announces each task as it starts executing", async () => {
    const started: string[] = [];
    const sub = pool.onDidStart((id) => started.push(id));
    const taskId = nextId();
    await pool.run({ taskId, taskBuffer: taskBuffer("echo", ECHO) }).result;
    sub.dispose();
    assert.deepEqual(started, [taskId]);
  });

  it("runs tasks in parallel on separate workers", async () => {
    const sleeper = taskBuffer("nap", "def nap():\n    import time\n    time.sleep(1)\n");
    const [a, b] = await Promise.all([run(sleeper), run(sleeper)]);
    const span = (o: WorkerOutcome) => o.result.task_statuses!.map((t) => t.timestamp);
    const [[startA, endA], [startB, endB]] = [span(a), span(b)];
    assert.ok(startA < endB && startB < endA, "the two executions overlap in time");
  });

  it("turns a MemoryError into an error result and keeps the worker", async () => {
    const outcome = await run(taskBuffer("hog", "def hog():\n    return bytearray(1 << 62)\n"));
    assert.equal(outcome.result.error_details?.code, "RemoteExecutionError");
    assert.match(outcome.result.data, /\nMemoryError\n$/);
    assert.equal(pool.stats.total, 2);
    assert.ok(pyEquals(value(await run(taskBuffer("echo", ECHO, [1]))), [[1], new PyDict()]));
  });
});

describe("WorkerPool survives dying workers", () => {
  it("fails only the task of a worker that dies, names the cause and replaces the worker", async (t) => {
    const pool = await startPool(t);
    const pidFile = join(tempDir(t), "pid");
    const slow = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", "def nap():\n    import time\n    time.sleep(0.5)\n    return 'ok'\n") });
    const crashes: [string, string, RegExp, RegExp?][] = [
      ["exit", "def exit():\n    import os\n    print('bye')\n    os._exit(7)\n", /exited with code 7/],
      ["segv", "def segv():\n    import ctypes\n    ctypes.string_at(0)\n", /killed by signal SIGSEGV/, /Fatal Python error: Segmentation fault/],
    ];
    for (const [name, source, cause, stderr] of crashes) {
      const outcome = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer(name, source) }).result;
      assert.equal(outcome.result.error_details?.code, "WorkerLost");
      assert.match(outcome.result.data, cause);
      assert.match(outcome.result.error_details!.user_message, cause);
      if (stderr) assert.match(outcome.stderr, stderr);
      if (name === "exit") assert.equal(outcome.stdout, "bye\n");
    }
    // Killed from outside while running.
    const sleeper = "def sleeper(path):\n    import os, time\n    open(path, 'w').write(str(os.getpid()))\n    time.sleep(30)\n";
    const killed = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("sleeper", sleeper, [pidFile]) });
    await waitFor(() => readPid(pidFile) !== undefined, "the task to write its pid");
    process.kill(readPid(pidFile)!, "SIGKILL");
    const outcome = await killed.result;
    assert.equal(outcome.result.error_details?.code, "WorkerLost");
    assert.match(outcome.result.data, /killed by signal SIGKILL/);

    assert.equal(value(await slow.result), "ok", "the task on the other worker is unaffected");
    await waitFor(() => pool.stats.total === 2, "replacement workers");
    const after = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("echo", ECHO, [1]) }).result;
    assert.ok(pyEquals(value(after), [[1], new PyDict()]));
  });

  // A regression would block the pool on the FIFO: the timeout makes it a failure, not a hang.
  it("reads and writes prints only through its own capture directory, even once someone swapped it", { timeout: 60_000 }, async (t) => {
    const pool = await startPool(t, { workers: 1 });
    const captureDir = (pool as unknown as { captureDir: string }).captureDir;
    const victim = join(tempDir(t), "important.txt");
    writeFileSync(victim, "keep me");
    // Another user's move in a temp dir without the sticky bit, played by this user: the directory is
    // renamed and an open one takes its place, with a FIFO where the pool reads the running worker's
    // prints and a link to the user's file where the next worker's go.
    renameSync(captureDir, `${captureDir}.moved`);
    mkdirSync(captureDir);
    chmodSync(captureDir, 0o755);
    t.after(() => [captureDir, `${captureDir}.moved`].forEach((d) => rmSync(d, { recursive: true, force: true })));
    execFileSync("mkfifo", [join(captureDir, "worker-0.stdout")]);
    symlinkSync(victim, join(captureDir, "worker-1.stderr"));
    // A task that kills its worker: the pool reads what it printed (by path), then starts another.
    const lost = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("die", "def die():\n    import os\n    os._exit(3)\n") }).result;
    assert.equal(lost.result.error_details?.code, "WorkerLost");
    assert.equal(lost.stdout, "");
    const loud = "def loud():\n    import sys\n    print('out')\n    print('err', file=sys.stderr)\n    return 1\n";
    const outcome = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("loud", loud) }).result;
    assert.deepEqual([outcome.stdout, outcome.stderr], ["out\n", "err\n"]);
    assert.equal(readFileSync(victim, "utf8"), "keep me");
    assert.notEqual((pool as unknown as { captureDir: string }).captureDir, captureDir, "a new private directory");
  });

  it("kills a task past its timeout, fails it with TaskTimeout and replaces the worker", async (t) => {
    const pool = await startPool(t, { workers: 1 });
    const before = pool.workerPids;
    const outcome = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", "def nap():\n    import time\n    time.sleep(30)\n"), timeoutMs: 300 }).result;
    assert.equal(outcome.result.error_details?.code, "TaskTimeout");
    assert.match(outcome.result.data, /0\.3 s/);
    await waitFor(() => !isAlive(before[0]), "the timed-out worker to be killed");
    const next = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("echo", ECHO, [2]) }).result;
    assert.ok(pyEquals(value(next), [[2], new PyDict()]));
    assert.notDeepEqual(pool.workerPids, before);
  });

  it("cancels a queued task, which never runs", async (t) => {
    const pool = await startPool(t, { workers: 1 });
    const first = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", "def nap():\n    import time\n    time.sleep(0.3)\n    return 1\n") });
    const second = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("echo", ECHO) });
    assert.deepEqual(pool.stats, { total: 1, idle: 0, busy: 1, queued: 1 });
    assert.equal(second.cancel(), true);
    assert.equal(second.cancel(), false);
    const cancelled = (await second.result).result;
    assert.equal(cancelled.error_details?.code, "TaskCancelled");
    assert.match(cancelled.data, /before it started/);
    assert.equal(value(await first.result), 1);
    assert.equal(first.cancel(), false, "a finished task is not cancelled");
  });

  it("cancels a running task that never returns by killing its worker, which is replaced", async (t) => {
    const pool = await startPool(t, { workers: 1 });
    const before = pool.workerPids;
    const spin = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("spin", "def spin():\n    while True:\n        pass\n") });
    await new Promise((resolve) => pool.onDidStart(resolve));
    assert.deepEqual(pool.cancel([spin.taskId, "unknown-task"]), [spin.taskId]);
    const outcome = (await spin.result).result;
    assert.equal(outcome.error_details?.code, "TaskCancelled");
    assert.match(outcome.data, new RegExp(`while running; worker process ${before[0]} was killed`));
    assert.deepEqual(pool.stats.busy + pool.stats.queued, 0, "nothing outstanding once cancelled");
    await waitFor(() => !isAlive(before[0]), "the spinning worker to be killed");
    assert.ok(pyEquals(value(await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("echo", ECHO, [3]) }).result), [[3], new PyDict()]));
    assert.notDeepEqual(pool.workerPids, before);
  });

  it("cancels a task sent ahead: the task before it finishes, then the worker is stopped as it reaches the cancelled one", async (t) => {
    const pool = await startPool(t, { workers: 1, prefetch: 2 });
    const nap = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("nap", "def nap():\n    import os, time\n    time.sleep(0.5)\n    return os.getpid()\n") });
    const spin = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("spin", "def spin():\n    while True:\n        pass\n") });
    const after = pool.run({ taskId: nextId(), taskBuffer: taskBuffer("echo", ECHO, [4]) });
    await new Promise((resolve) => pool.onDidStart(resolve));
    assert.equal(pool.stats.queued, 2, "both sent ahead");
    assert.equal(spin.cancel(), true);
    assert.equal((await spin.result).result.error_details?.code, "TaskCancelled");
    const napPid = value(await nap.result) as number;
    assert.ok(pyEquals(value(await after.result), [[4], new PyDict()]), "the task sent ahead behind it runs, on a new worker");
    await waitFor(() => !isAlive(napPid), "the worker that reached the cancelled task to be stopped");
  });

  it("fails queued and running tasks with EndpointStopped on dispose and refuses new ones", async (t) => {
    const pool = await startPool(t, { workers: 1 });
    const nap = taskBuffer("nap", "def nap():\n    import time\n    time.sleep(30)\n");
    const runs = [pool.run({ taskId: nextId(), taskBuffer: nap }), pool.run({ taskId: nextId(), taskBuffer: nap })];
    pool.dispose();
    for (const r of runs) assert.equal((await r.result).result.error_details?.code, "EndpointStopped");
    assert.throws(() => pool.run({ taskId: nextId(), taskBuffer: nap }), (e: unknown) => e instanceof LocalEndpointError && e.code === "POOL_DISPOSED");
  });

  it("stops without dill as a clear error for 01 only", async (t) => {
    // A dill.py that refuses to import hides the real one.
    const dir = tempDir(t);
    writeFileSync(join(dir, "dill.py"), "raise ImportError('dill hidden by the test')\n");
    const pool = await startPool(t, { workers: 1, env: { PYTHONPATH: dir } });
    const plain = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("echo", ECHO, [1], {}, { data: "dill" }) }).result;
    assert.ok(pyEquals(value(plain), [[1], new PyDict()]), "00 falls back to the standard pickle module");
    assert.equal(plain.result.details?.get("dill_version"), null);
    const dillCode = "01\ngARLAS4=\n";
    const outcome = await pool.run({ taskId: nextId(), taskBuffer: `${dillCode.length}\n${dillCode}` + packTaskPayload([], {}, "json") }).result;
    assert.match(outcome.result.data, /DillCode needs the dill package, which \S+ cannot import\n$/);
  });
});

describe("WorkerPool reads what a dying worker said", () => {
  const FAKE_WORKER = join(__dirname, "fixtures", "fakeWorker.py");
  const fakePool = (t: TestContext, mode: string, options: WorkerPoolOptions = {}) => {
    const log = join(tempDir(t), "started");
    writeFileSync(log, "");
    const started = () => readFileSync(log, "utf8").split("\n").filter(Boolean);
    return startPool(t, { workerScript: FAKE_WORKER, env: { FAKE_WORKER_MODE: mode, FAKE_WORKER_LOG: log }, ...options }).then((pool) => ({ pool, started }));
  };

  it("reports the result a worker wrote before it exited, even when it arrives after the exit", async (t) => {
    const { pool } = await fakePool(t, "late", { workers: 1 });
    for (let i = 0; i < 3; i++) {
      const taskId = nextId();
      const outcome = await pool.run({ taskId, taskBuffer: "" }).result;
      assert.equal(outcome.result.error_details, null, outcome.result.data);
      assert.equal(outcome.result.data, `11\n"${taskId}"`);
    }
  });

  it("never fails nor repeats a finished task when its worker exits right after answering, nor one sent ahead", async (t) => {
    const { pool, started } = await fakePool(t, "at-once", { workers: 2, prefetch: 3 });
    const runs = Array.from({ length: 40 }, () => pool.run({ taskId: nextId(), taskBuffer: "" }));
    const outcomes = await Promise.all(runs.map((r) => r.result));
    assert.deepEqual(outcomes.filter((o) => o.result.error_details !== null).map((o) => o.result.data), []);
    assert.deepEqual([...started()].sort(), runs.map((r) => r.taskId).sort(), "each task started exactly once");
  });

  it("stops a worker that answers for a task it is not running, fails its task with the reason and logs it", async (t) => {
    const lines: string[] = [];
    const { pool } = await fakePool(t, "stray", { workers: 1, log: (line) => lines.push(line) });
    const taskId = nextId();
    const outcome = (await pool.run({ taskId, taskBuffer: "" }).result).result;
    assert.equal(outcome.error_details?.code, "WorkerLost");
    assert.match(outcome.data, new RegExp(`was stopped: it sent a result for task not-${taskId}, which it was not running`));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /sent a result for task not-/);
  });

  it("keeps serving after a task forks a child that returns instead of calling os._exit", { timeout: 60_000 }, async (t) => {
    const lines: string[] = [];
    const pool = await startPool(t, { workers: 1, prefetch: "auto", log: (line) => lines.push(line) });
    const before = pool.workerPids;
    const fork = "def fork():\n    import os\n    return 'child' if os.fork() == 0 else 'parent'\n";
    const first = await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("fork", fork) }).result;
    assert.equal(value(first), "parent");
    const pid = "def pid(i):\n    import os, time\n    time.sleep(0.002)\n    return [i, os.getpid()]\n";
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => pool.run({ taskId: nextId(), taskBuffer: taskBuffer("pid", pid, [i]) }).result));
    assert.deepEqual(outcomes.map((o) => (value(o) as PyValue[])[0]), Array.from({ length: 100 }, (_, i) => i));
    assert.deepEqual(new Set(outcomes.map((o) => (value(o) as PyValue[])[1])), new Set(before), "all served by the worker itself, never replaced");
    assert.deepEqual(lines, [], "the child never spoke on the channel");
  });
});

describe("WorkerPool start-up", () => {
  const isCode = (code: string, text: RegExp) => (e: unknown) => e instanceof LocalEndpointError && e.code === code && text.test(e.message);

  it("reports a missing interpreter with its path", async () => {
    await assert.rejects(WorkerPool.start({ python: "/nonexistent/python3", workers: 1 }), isCode("PYTHON_NOT_FOUND", /\/nonexistent\/python3.*ENOENT/));
  });

  it("reports an interpreter that exits at once, with how it exited", async () => {
    await assert.rejects(WorkerPool.start({ python: "/bin/false", workers: 2 }), isCode("WORKER_START_FAILED", /"\/bin\/false" exited with code 1/));
  });

  it("reports a worker script that fails, with its error output", async (t) => {
    const script = join(tempDir(t), "broken.py");
    writeFileSync(script, "raise SystemExit('this worker is broken')\n");
    await assert.rejects(WorkerPool.start({ python: PYTHON, workers: 1, workerScript: script }), isCode("WORKER_START_FAILED", /this worker is broken/));
  });

  it("gives up on an interpreter that hangs, and kills it", async (t) => {
    const dir = tempDir(t);
    const fake = join(dir, "python3");
    writeFileSync(fake, `#!/bin/sh\necho $$ > ${dir}/pid\nexec sleep 60\n`);
    chmodSync(fake, 0o755);
    await assert.rejects(WorkerPool.start({ python: fake, workers: 1, startTimeoutMs: 500 }), isCode("WORKER_START_TIMEOUT", /within 500 ms/));
    const pid = readPid(join(dir, "pid"))!;
    await waitFor(() => !isAlive(pid), "the hung interpreter to be killed");
  });

  // pyenv's build where there is one (CI images usually have none: skipped there).
  const PYTHON_27 = "/root/.pyenv/versions/2.7.18/bin/python2.7";
  it("says an interpreter older than 3.8 is too old, instead of failing to parse worker.py", { skip: !existsSync(PYTHON_27) && "no Python 2.7 here" }, async () => {
    await assert.rejects(
      WorkerPool.start({ python: PYTHON_27, workers: 1 }),
      isCode("WORKER_START_FAILED", /exited with code 3 before the local endpoint worker was ready: the Globus Compute local endpoint needs Python 3\.8 or newer; \S+ is Python 2\.7\.18$/),
    );
  });

  it("starts at most 4 workers at once, each within its own start limit (60 s unless set)", async (t) => {
    const dir = tempDir(t);
    const slow = join(dir, "python3"); // a cold interpreter: 0.4 s before it runs
    writeFileSync(slow, `#!/bin/sh\ndate +%s%N >> ${dir}/starts\nsleep 0.4\nexec ${PYTHON} "$@"\n`);
    chmodSync(slow, 0o755);
    await startPool(t, { python: slow, workers: 6, startTimeoutMs: 3000 });
    const starts = readFileSync(join(dir, "starts"), "utf8").trim().split("\n").map(Number).sort((a, b) => a - b);
    assert.equal(starts.length, 6);
    assert.ok(starts[4] - starts[0] >= 0.4e9, "the 5th started once one of the first 4 was ready");
    assert.equal(poolStartBudgetMs(6), 2 * 60_000);
    assert.equal(poolStartBudgetMs(9, 1000), 3000);
  });

  it("rejects bad options", async () => {
    await assert.rejects(WorkerPool.start({ workers: 0 }), isCode("INVALID_OPTIONS", /workers/));
    await assert.rejects(WorkerPool.start({ resultSizeLimit: 10 }), isCode("INVALID_OPTIONS", /resultSizeLimit/));
    await assert.rejects(WorkerPool.start({ cwd: "/nonexistent" }), isCode("INVALID_OPTIONS", /cwd \/nonexistent/));
  });

  it("reports a directory given as the interpreter", async () => {
    await assert.rejects(WorkerPool.start({ python: "/tmp", workers: 1 }), isCode("PYTHON_NOT_FOUND", /"\/tmp" cannot be run \(EACCES\)/));
  });

  it("runs user code in the configured working directory, each task starting there", async (t) => {
    const dir = tempDir(t);
    const pool = await startPool(t, { workers: 1, cwd: dir });
    const wander = taskBuffer("wander", "def wander():\n    import os\n    here = os.getcwd()\n    os.chdir('/')\n    return here\n");
    for (let i = 0; i < 2; i++) {
      assert.equal(value(await pool.run({ taskId: nextId(), taskBuffer: wander }).result), dir);
    }
    assert.throws(() => pool.run({ taskId: nextId(), taskBuffer: 42 as unknown as string }), isCode("INVALID_OPTIONS", /taskBuffer/));
    assert.throws(() => pool.run({ taskId: nextId(), taskBuffer: wander, timeoutMs: -1 }), isCode("INVALID_OPTIONS", /timeoutMs/));
  });

  it("does not import from its working directory through an empty PYTHONPATH entry (`:/x`), while the other entries stay", async (t) => {
    const dir = tempDir(t); // a workspace others may write to, with a module shadowing the standard library
    writeFileSync(join(dir, "json.py"), "raise SystemExit('the planted json.py ran')\n");
    const extra = tempDir(t);
    writeFileSync(join(extra, "extra_mod.py"), "VALUE = 7\n");
    const pool = await startPool(t, { workers: 1, cwd: dir, env: { PYTHONPATH: `:${extra}:` } });
    const probe = taskBuffer("probe", "def probe():\n    import json, extra_mod\n    return '%s %s' % (json.__file__.startswith('/usr'), extra_mod.VALUE)\n");
    assert.equal(value(await pool.run({ taskId: nextId(), taskBuffer: probe }).result), "True 7");
  });

  it("starts a bare interpreter name from an absolute PATH entry, never a `python3` planted in its working directory", async (t) => {
    const dir = tempDir(t); // a cloned repository with an executable python3 at its root
    const marker = join(tempDir(t), "planted-ran");
    writeFileSync(join(dir, "python3"), `#!/bin/sh\ntouch ${marker}\nexec ${PYTHON} "$@"\n`);
    chmodSync(join(dir, "python3"), 0o755);
    const bin = tempDir(t);
    symlinkSync(PYTHON, join(bin, "python3"));
    // Every way a PATH entry can mean the working directory: empty (leading, doubled, trailing), `.`, relative.
    const pool = await startPool(t, { python: "python3", workers: 1, cwd: dir, env: { PATH: `::.:sub:${bin}:` } });
    const seen = taskBuffer("seen", "def seen():\n    import os, sys\n    return [sys.executable, os.environ['PATH']]\n");
    assert.deepEqual(value(await pool.run({ taskId: nextId(), taskBuffer: seen }).result), [join(bin, "python3"), bin]);
    assert.ok(!existsSync(marker), "the planted python3 ran");
  });

  it("reports a bare interpreter name found on no absolute PATH entry, with the PATH searched", async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, "python3"), "#!/bin/sh\nexit 0\n");
    chmodSync(join(dir, "python3"), 0o755);
    const empty = tempDir(t);
    await assert.rejects(
      WorkerPool.start({ python: "python3", workers: 1, cwd: dir, env: { PATH: `:.:${empty}` } }),
      isCode("PYTHON_NOT_FOUND", new RegExp(`"python3" was not found on PATH \\(searched ${empty};`)),
    );
  });
});

describe("WorkerPool leaves no process behind", () => {
  it("kills what user code spawned when the pool is disposed", async (t) => {
    const pool = await startPool(t, { workers: 1 });
    const spawnSleep = "def spawn():\n    import subprocess\n    return subprocess.Popen(['sleep', '300']).pid\n";
    const pid = value(await pool.run({ taskId: nextId(), taskBuffer: taskBuffer("spawn", spawnSleep) }).result) as number;
    assert.ok(isAlive(pid));
    const workers = pool.workerPids;
    pool.dispose();
    await waitFor(() => !isAlive(pid) && workers.every((w) => !isAlive(w)), "the worker and its child to end");
  });

  for (const [mode, title] of [
    ["killed", "workers end by themselves when their host is killed outright"],
    ["killedBusy", "a worker ends with what its task spawned when its host is killed mid-task"],
    ["exits", "a host that exits without disposing its pool takes its workers along, even busy ones"],
  ]) {
    it(title, async (t) => {
      const childPidFile = join(tempDir(t), "child");
      const host = spawn(process.execPath, ["--import", "tsx", join(__dirname, "fixtures", "poolHost.ts"), mode, childPidFile], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      t.after(() => host.kill("SIGKILL"));
      const line = await new Promise<string>((resolve) => host.stdout.once("data", (d: Buffer) => resolve(d.toString())));
      const pids = JSON.parse(line) as number[];
      assert.equal(pids.length, 2);
      if (mode === "killedBusy") {
        await waitFor(() => readPid(childPidFile) !== undefined, "the task to spawn its child");
        pids.push(readPid(childPidFile)!);
      }
      if (mode !== "exits") {
        assert.ok(pids.every(isAlive));
        host.kill("SIGKILL");
      }
      await waitFor(() => pids.every((p) => !isAlive(p)), "orphaned workers to exit");
    });
  }

  after(async () => {
    await waitFor(() => childPythonProcesses().length === 0, "every worker of this file to be gone");
  });
});

function readPid(path: string): number | undefined {
  try {
    const text = readFileSync(path, "utf8").trim();
    return text ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

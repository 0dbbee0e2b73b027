import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ExecutorError, TaskExecutionFailed } from "../../../../core/executor/errors";
import { PyDict } from "../../../../core/protocol/pyValue";
import { ResultOutput, formatSettled } from "../../../../extension/output/resultOutput";

test("a result: the call, → and its Python repr, the duration and task id, on the info level", () => {
  const lines: string[] = [];
  const out = new ResultOutput({ info: (m) => lines.push(`I ${m}`), error: (m) => lines.push(`E ${m}`) });
  out.write({ call: "double(7)", taskId: "t-1", durationMs: 1234, outcome: { value: 14n } });
  out.write({ call: "keys()", durationMs: 5, outcome: { value: new PyDict([[1n, "a"]]) } });
  assert.deepEqual(lines, ["I double(7) → 14  (1.2 s · task t-1)", "I keys() → {1: 'a'}  (5 ms)"]);
});

test("a failure: the endpoint's whole traceback, indented, on the error level", () => {
  const tb = 'Traceback (most recent call last):\n  File "<string>", line 2, in divide\nZeroDivisionError: division by zero\n';
  assert.deepEqual(
    formatSettled({ call: "divide(1, 0)", taskId: "t-2", durationMs: 20, outcome: { error: new TaskExecutionFailed(tb, "0") } }),
    {
      level: "error",
      text: [
        "divide(1, 0) failed  (20 ms · task t-2)",
        "    Traceback (most recent call last):",
        '      File "<string>", line 2, in divide',
        "    ZeroDivisionError: division by zero",
      ].join("\n"),
    },
  );
  assert.equal(
    formatSettled({ call: "f()", durationMs: 0, outcome: { error: new ExecutorError("SUBMIT_FAILED", "endpoint offline") } }).text,
    "f() failed  (0 ms)\n    endpoint offline",
  );
});

test("what the function printed follows the result", () => {
  assert.equal(
    formatSettled({ call: "f()", durationMs: 3, outcome: { value: null }, stdout: "hello\nworld\n", stderr: "warn\n" }).text,
    "f() → None  (3 ms)\n  stdout:\n    | hello\n    | world\n  stderr:\n    | warn",
  );
});

test("a huge result is cut in the channel", () => {
  const text = formatSettled({ call: "big()", durationMs: 1, outcome: { value: "x".repeat(50_000) } }).text;
  assert.ok(text.length < 10_100, `length ${text.length}`);
  assert.match(text, /…/);
});

test("with the group's line map, bundle frames name the file as path:line, which the Output panel links", () => {
  const tb = 'Traceback (most recent call last):\n  File "<string>", line 9, in divide\n  File "<string>", line 3, in half\nZeroDivisionError: division by zero\n';
  const failed = { call: "divide(1, 0)", durationMs: 20, outcome: { error: new TaskExecutionFailed(tb, "0") } };
  const lineMap = [
    [3, 5, 1],
    [6, 20, 4],
  ] as const;
  assert.equal(
    formatSettled(failed, { uri: "file:///work/my%20dir/ops.py", lineMap }).text,
    [
      "divide(1, 0) failed  (20 ms)",
      "    Traceback (most recent call last):",
      "      File /work/my dir/ops.py:23, in divide",
      "      File /work/my dir/ops.py:5, in half",
      "    ZeroDivisionError: division by zero",
    ].join("\n"),
  );
  // No map (a group stored before maps existed), or no file to name: the traceback as it came.
  const unchanged = formatSettled(failed).text;
  assert.match(unchanged, /File "<string>", line 9, in divide/);
  assert.equal(formatSettled(failed, { uri: "file:///work/ops.py" }).text, unchanged);
  assert.equal(formatSettled(failed, { uri: "untitled:Untitled-1", lineMap }).text, unchanged);
});

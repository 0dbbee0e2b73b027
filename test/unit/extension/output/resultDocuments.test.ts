import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ComputeFuture } from "../../../../core/executor/computeFuture";
import { TaskExecutionFailed } from "../../../../core/executor/errors";
import { parseResultPath, resultPath, resultText } from "../../../../extension/output/resultDocuments";

test("a result path names the group and task and reads back; odd characters in the call are made safe", () => {
  const path = resultPath("group/1", 12, 'f("a/b", x=1)');
  assert.equal(path, "/group%2F1/12/f(_a_b_,_x=1).py");
  assert.deepEqual(parseResultPath(path), { groupKey: "group/1", index: 12 });
  assert.equal(parseResultPath("/nope"), undefined);
});

test("a result of a forgotten group says so instead of failing", async () => {
  assert.equal(await resultText("double(7)", undefined), "# double(7)\n# The result is no longer available (the task group was forgotten).\n");
});

test("a failure's traceback names the submitted file's lines in Python's own frame format", async () => {
  const future = new ComputeFuture(undefined);
  future.taskId = "t-1";
  future._reject(new TaskExecutionFailed('Traceback (most recent call last):\n  File "<string>", line 4, in half\nZeroDivisionError: division by zero\n', "0"));
  assert.equal(
    await resultText("half(0)", future, { uri: "file:///work/ops.py", lineMap: [[4, 17, 2]] }),
    [
      "# half(0)  ·  task t-1",
      "# failed:",
      "# Traceback (most recent call last):",
      '#   File "/work/ops.py", line 17, in half',
      "# ZeroDivisionError: division by zero",
      "",
    ].join("\n"),
  );
});

import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ComputeFuture } from "../../../../core/executor/computeFuture";
import { TaskExecutionFailed } from "../../../../core/executor/errors";
import { formatPython } from "../../../../core/protocol/formatPython";
import { PAGE_CHARS, nextPageLink, parseResultPath, resultPagePath, resultPath, resultText } from "../../../../extension/output/resultDocuments";

test("a result path names the group and task and reads back; odd characters in the call are made safe", () => {
  const path = resultPath("group/1", 12, 'f("a/b", x=1)');
  assert.equal(path, "/group%2F1/12/f(_a_b_,_x=1).py");
  assert.deepEqual(parseResultPath(path), { groupKey: "group/1", index: 12, from: 0 });
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

test("a large result is shown a page at a time, each page linking to the next, and the pages add up to the whole", async () => {
  const value = Array.from({ length: 300_000 }, (_, i) => i); // about 2.1 million characters
  const future = new ComputeFuture(undefined);
  future.taskId = "t-9";
  future._resolve(value);
  const whole = formatPython(value, { maxLength: Infinity, maxMillis: Infinity });
  let path = resultPath("g", 3, "big()");
  let joined = "";
  for (let pages = 1; ; pages++) {
    const at = parseResultPath(path);
    assert.ok(at);
    const text = await resultText("big()", future, undefined, at.from);
    const [header, where, ...rest] = text.split("\n");
    assert.equal(header, "# big()  ·  task t-9");
    const body = rest.join("\n").replace(/\n$/, "");
    const link = nextPageLink(text);
    if (link === undefined) {
      joined += body;
      assert.equal(pages, 3);
      assert.match(where, /^# Characters 2,000,001–/);
      break;
    }
    assert.ok(body.endsWith("…") && body.length === PAGE_CHARS + 1, `page ${pages}`);
    assert.equal(where.slice(link.start, link.end), `next page from character ${(link.from + 1).toLocaleString("en-US")}`);
    joined += body.slice(0, -1);
    path = resultPagePath(path, link.from);
    assert.equal(path, `/g/3/big().from-${link.from}.py`);
  }
  assert.equal(joined, whole);
  // A small result: no paging, no page header.
  const small = new ComputeFuture(undefined);
  small._resolve([1, 2]);
  assert.equal(await resultText("f()", small), "# f()\n[1, 2]\n");
});

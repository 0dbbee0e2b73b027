/** Remote tracebacks as people read them: no worker machinery, the user's source lines shown as Python does. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { cleanTraceback } from "../../../../extension/output/tracebackFrames";

const FILE = ["import math", "", "", "def helper(x):", "    return 1 / x", "", "", "def strict(N, limit=3):", "    y = helper(N)", "    return y"];
const source = { path: "/work/ops.py", readLines: (p: string) => (p === "/work/ops.py" ? FILE : undefined) };

test("user frames get their source line; machinery frames (the endpoint's, the SDK's, our worker's) go, with their source and carets", () => {
  const tb = [
    "Traceback (most recent call last):",
    '  File "/opt/venv/lib/python3.12/site-packages/globus_compute_endpoint/engines/helper.py", line 170, in _call_user_function',
    "    return f(*args, **kwargs)",
    "           ^^^^^^^^^^^^^^^^^^",
    "  File /work/ops.py:9, in strict",
    "  File /work/ops.py:5, in helper",
    "ZeroDivisionError: division by zero",
  ].join("\n");
  assert.equal(
    cleanTraceback(tb, source),
    [
      "Traceback (most recent call last):",
      "  File /work/ops.py:9, in strict",
      "    y = helper(N)",
      "  File /work/ops.py:5, in helper",
      "    return 1 / x",
      "ZeroDivisionError: division by zero",
    ].join("\n"),
  );
});

test("a call that fails before the body runs (a missing argument) shows the error alone, not the worker's frame", () => {
  const tb = [
    "Traceback (most recent call last):",
    '  File "/home/u/.vscode/extensions/globus-compute/dist/worker.py", line 331, in execute_task',
    "    result = fn(*args, **kwargs)",
    "             ^^^^^^^^^^^^^^^^^^^",
    "TypeError: strict() missing 1 required positional argument: 'N'",
  ].join("\n");
  assert.equal(cleanTraceback(tb, source), "TypeError: strict() missing 1 required positional argument: 'N'");
});

test("Python-form frames keep the source Python printed; frames of other files stay; an unreadable file adds nothing", () => {
  const tb = [
    "Traceback (most recent call last):",
    '  File "/work/ops.py", line 9, in strict',
    '  File "/usr/lib/python3.12/json/__init__.py", line 346, in loads',
    "    return _default_decoder.decode(s)",
    "ValueError: x",
  ].join("\n");
  const out = cleanTraceback(tb, source).split("\n");
  assert.deepEqual(out.slice(1, 5), ['  File "/work/ops.py", line 9, in strict', "    y = helper(N)", '  File "/usr/lib/python3.12/json/__init__.py", line 346, in loads', "    return _default_decoder.decode(s)"]);
  assert.equal(cleanTraceback(tb, { path: "/work/ops.py", readLines: () => undefined }), tb);
});

test("a notebook cell's frames get the source line of that cell", () => {
  const cells: Record<number, string[]> = { 2: ["def helper(x):", "    return 1 / x"], 5: ["def f(v):", "    return helper(v)"] };
  const notebook = { path: "/w/n.ipynb", readLines: (p: string, cell?: number) => (p === "/w/n.ipynb" && cell !== undefined ? cells[cell] : undefined) };
  const tb = ["Traceback (most recent call last):", "  File /w/n.ipynb, cell 5, line 2, in f", '  File "/w/n.ipynb", cell 2, line 2, in helper', "ZeroDivisionError: division by zero"].join("\n");
  assert.equal(
    cleanTraceback(tb, notebook),
    [
      "Traceback (most recent call last):",
      "  File /w/n.ipynb, cell 5, line 2, in f",
      "    return helper(v)",
      '  File "/w/n.ipynb", cell 2, line 2, in helper',
      "    return 1 / x",
      "ZeroDivisionError: division by zero",
    ].join("\n"),
  );
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { exceptionLine } from "../../../../core/executor/exceptionLine";
import { TaskExecutionFailed } from "../../../../core/executor/errors";

test("a plain traceback is summed up by its exception line", () => {
  const tb = 'Traceback (most recent call last):\n  File "<string>", line 4, in half\n    return x / 0\nZeroDivisionError: division by zero\n';
  assert.equal(exceptionLine(tb), "ZeroDivisionError: division by zero");
});

test("a multi-line exception message gives its first line, not the text's last", () => {
  const tb =
    "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\njsonschema.exceptions.ValidationError: 'two' is not of type 'integer'\n\n" +
    "Failed validating 'type' in schema['properties']['nodes']:\n    {'type': 'integer'}\n\nOn instance['nodes']:\n    'two'\n";
  assert.equal(exceptionLine(tb), "jsonschema.exceptions.ValidationError: 'two' is not of type 'integer'");
});

test("a chained exception is summed up by the one raised last", () => {
  const tb =
    'Traceback (most recent call last):\n  File "<string>", line 8, in g\nZeroDivisionError: division by zero\n\n' +
    "The above exception was the direct cause of the following exception:\n\n" +
    'Traceback (most recent call last):\n  File "<string>", line 9, in g\nRuntimeError: wrapped\nmore\n';
  assert.equal(exceptionLine(tb), "RuntimeError: wrapped");
});

test("an exception group is summed up by the group's line (Python 3.11 layout)", () => {
  const tb =
    '  + Exception Group Traceback (most recent call last):\n  |   File "<string>", line 5, in <module>\n  |   File "<string>", line 4, in f\n' +
    "  | ExceptionGroup: two things (2 sub-exceptions)\n  +-+---------------- 1 ----------------\n    | ValueError: bad\n    +------------------------------------\n";
  assert.equal(exceptionLine(tb), "ExceptionGroup: two things (2 sub-exceptions)");
});

test("the endpoint manager's multi-line start failure is summed up by its first line", () => {
  const text =
    "Unable to start user endpoint process for alice [exit code: 78; (ValidationError) 'two' is not of type 'integer'\n\n" +
    "Failed validating 'type' in schema['properties']['nodes']:\n    {'type': 'integer'}\n\nOn instance['nodes']:\n    'two']";
  assert.equal(exceptionLine(text), "Unable to start user endpoint process for alice [exit code: 78; (ValidationError) 'two' is not of type 'integer'");
  assert.match(new TaskExecutionFailed(text, "0").message, /\(RemoteExecutionError\): Unable to start user endpoint process for alice .*'integer'\.$/);
});

test("empty text has no summary", () => {
  assert.equal(exceptionLine("\n \n"), undefined);
});

test("the serialization hint follows the exception, not the worker's deserialize frames above it", () => {
  const frames = 'Traceback (most recent call last):\n  File "worker.py", line 382, in execute_task\n    fn, args, kwargs = unpack_and_deserialize(task_buffer)\n  File "worker.py", line 247, in deserialize\n';
  const hint = /serialization problem/;
  assert.doesNotMatch(new TaskExecutionFailed(`${frames}SyntaxError: invalid syntax\n`, "0").message, hint);
  assert.doesNotMatch(new TaskExecutionFailed(`${frames}NameError: name 'y' is not defined\n`, "0").message, hint);
  assert.match(new TaskExecutionFailed(`${frames}TypeError: cannot pickle 'generator' object\n`, "0").message, hint);
  assert.match(new TaskExecutionFailed(`${frames}dill.PicklingError: Can't pickle <function <lambda>>\n`, "0").message, hint);
});

test("a traceback quoted in the exception's message does not stand for the exception raised", () => {
  const quoted =
    'Traceback (most recent call last):\n  File "<string>", line 4, in f\nValueError: invalid literal for int() with base 10: \'x\'\n';
  const tb = (message: string) =>
    'Traceback (most recent call last):\n  File "<string>", line 5, in <module>\n  File "<string>", line 4, in f\n' + message;
  assert.equal(exceptionLine(tb(`RuntimeError: worker failed:\n${quoted}`)), "RuntimeError: worker failed:");
  // In a chain too: the last block's exception, not the traceback its message quotes.
  const cause = tb("KeyError: 'k'\n") + "\nDuring handling of the above exception, another exception occurred:\n\n";
  assert.equal(exceptionLine(cause + tb(`RuntimeError: remote said:\n${quoted}`)), "RuntimeError: remote said:");
  assert.equal(exceptionLine(`\n${tb("TypeError: during handling\n")}`), "TypeError: during handling", "leading blank lines");
});

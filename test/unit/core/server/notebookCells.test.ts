import assert from "node:assert/strict";
import { test } from "node:test";
import { cellView, withoutIPython } from "../../../../core/server/notebookCells";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { runPythonJson } from "../python/pythonOracle";

const blank = (s: string) => s.replace(/[^\r\n]/g, " ");

test("magics and shell lines that start a statement are blanked at their length; Python's own lines that start with % or ! are kept", () => {
  const cell = ["%matplotlib inline", "x = 1", "  !pip install y", "if x:", "    %time y = 2", ""].join("\n");
  assert.equal(withoutIPython(cell), [blank("%matplotlib inline"), "x = 1", blank("  !pip install y"), "if x:", blank("    %time y = 2"), ""].join("\n"));
  const python = [
    "TEMPLATE = '''Report",
    "%(name)s scored",
    "!important",
    "'''",
    "TOTAL = (17",
    " % 5)",
    "SAME = [1",
    " != 2]",
    "LONG = 7 \\",
    " % 4",
    "S = 'a' \\",
    "    '%b'  # a comment with an ' quote",
    "",
  ].join("\n");
  assert.equal(withoutIPython(python), python);
  // The cells as a kernel runs them give what the kept text gives.
  const { text } = cellView([{ uri: "c0", text: python }], { uri: "c1", text: "%who\nRESULT = (TEMPLATE % {'name': 'ann'}, TOTAL, SAME, LONG, S)\n" });
  const value = runPythonJson<string>("import json, sys\nns = {}\nexec(json.load(sys.stdin), ns)\nprint(json.dumps(repr(ns['RESULT'])))", text);
  assert.equal(value, repr(["Report\nann scored\n!important\n", 2, [true], 3, "a%b"]));
});

test("a cell magic whose body is not Python blanks the whole cell; one that times Python keeps its body", () => {
  const writefile = "%%writefile settings.py\nTHRESHOLD = 3\n";
  assert.equal(withoutIPython(writefile), blank(writefile));
  assert.equal(withoutIPython("%%bash\r\necho hi\r\n"), "      \r\n       \r\n");
  assert.equal(withoutIPython("%%time\nx = sum(range(10))\n"), `${blank("%%time")}\nx = sum(range(10))\n`);
});

/** Python's repr of the few values above. */
function repr(values: [string, number, [boolean], number, string]): string {
  const [t, total, [same], long, s] = values;
  return `(${JSON.stringify(t).replace(/"/g, "'")}, ${total}, [${same ? "True" : "False"}], ${long}, '${s}')`;
}

test("a notebook's `from __future__` import in a later cell goes first in what is sent", () => {
  const { text, start } = cellView([{ uri: "c0", text: "import math\n" }], { uri: "c1", text: "from __future__ import annotations\n\n\ndef f(x: int) -> int:\n    return math.floor(2.5) + x\n" });
  return PythonAnalyzer.load().then((analyzer) => {
    try {
      const bundle = analyzer.bundleFunction(text, text.indexOf("def f", start))!;
      assert.deepEqual(bundle.problems, []);
      assert.ok(bundle.source.startsWith("from __future__ import annotations\n"), bundle.source);
      assert.equal(runPythonJson<number>("import json, sys\nns = {}\nexec(json.load(sys.stdin), ns)\nprint(json.dumps(ns['f'](1)))", bundle.source), 3);
    } finally {
      analyzer.dispose();
    }
  });
});

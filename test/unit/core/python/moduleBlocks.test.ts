import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { runPythonJson } from "./pythonOracle";

// Module-level blocks that only import or define stay shippable, whatever comments, docstrings, pass
// or blank lines they hold; a later `del` or a re-binding in an unrelated branch spoils nothing.
const SOURCE = `import json

try:
    # optional speed-up
    import ujson_not_installed as fastjson  # noqa
    """a docstring-like string"""
except ImportError:  # pragma: no cover
    # fall back

    fastjson = None
    pass

if json:
    # comment
    def helper(x):
        return x
else:
    def helper(x):
        return -x

import contextlib
with contextlib.suppress(ImportError):
    # optional
    import decimal

import math as m

if __debug__ and json.dumps(1) == "2":
    m = json.loads("3")

del contextlib


def uses(x):
    return [fastjson, helper(x), str(decimal.Decimal(1) / 4), m.floor(2.5)]
`;

let analyzer: PythonAnalyzer;
before(async () => {
  analyzer = await PythonAnalyzer.load();
});
after(() => analyzer?.dispose());

test("declarative try/if/with blocks, del and an unrelated re-binding leave the function shippable, and it runs", () => {
  const bundle = analyzer.bundleFunction(SOURCE, SOURCE.indexOf("def uses"))!;
  assert.deepEqual(bundle.problems, []);
  const [out] = runPythonJson<unknown[]>(
    String.raw`
import json, sys
name, source = json.load(sys.stdin)
ns = {}
exec(source, ns)
print(json.dumps([ns[name](7)]))
`,
    [bundle.name, bundle.source],
  );
  assert.deepEqual(out, [null, 7, "0.25", 2]);
});

test("a with block that runs other code is still computed at import", () => {
  const text = "import warnings\nwith warnings.catch_warnings():\n    warnings.simplefilter('ignore')\n    import decimal\n\n\ndef f():\n    return decimal.Decimal(1)\n";
  const bundle = analyzer.bundleFunction(text, text.indexOf("def f"))!;
  assert.deepEqual(bundle.problems.map((p) => p.code), ["COMPUTED_AT_IMPORT"]);
});

test("a module-level statement configuring an imported module the function uses is sent with it, in order", () => {
  const text = [
    "import decimal",
    "import os",
    "",
    "decimal.getcontext().prec = 40",
    'print("loading")',
    "decimal.getcontext().rounding = os.environ.get('ROUNDING', decimal.ROUND_HALF_EVEN)",
    "",
    "",
    "def third():",
    "    return str(decimal.Decimal(1) / decimal.Decimal(3))",
    "",
  ].join("\n");
  const bundle = analyzer.bundleFunction(text, text.indexOf("def third"))!;
  assert.deepEqual(bundle.problems, []);
  assert.match(bundle.source, /^decimal\.getcontext\(\)\.prec = 40$/m);
  assert.doesNotMatch(bundle.source, /print|rounding/);
  const [remote, local] = runPythonJson<string[]>(
    String.raw`
import json, sys
name, source, text = json.load(sys.stdin)
ns = {}
exec(source, ns)
remote = ns[name]()
import decimal
decimal.getcontext().prec = 28
local = {}
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    exec(text, local)
print(json.dumps([remote, local[name]()]))
`,
    [bundle.name, bundle.source, text],
  );
  assert.equal(remote, local);
  assert.equal(remote.length, 42);
});

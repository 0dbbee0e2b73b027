// The warnings a document gets for an endpoint's probe, from the real language server (over an in-memory LSP connection).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { ProposedFeatures, createConnection, type Connection } from "vscode-languageserver/node";
import { parseProbe } from "../../../../core/endpoints/environmentProbe";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { startLanguageServer } from "../../../../core/server/languageServer";
import { BUNDLE_REQUEST, FUNCTIONS_REQUEST, type BundleResult, type FunctionsResult, type LspRange } from "../../../../core/server/protocol";
import type { Disposable } from "../../../../core/util/disposable";
import { environmentWarnings, type DocumentAnalysis } from "../../../../extension/endpoints/environmentWarnings";
import { LspTestClient } from "../../core/server/lspTestClient";

const URI = "file:///work/science.py";
const TEXT = [
  "import json", // 0
  "import numpy as np", // 1
  "", // 2
  "", // 3
  "def _shape(x):", // 4
  "    match x:", // 5
  "        case [a, b]:", // 6
  "            return (a, b)", // 7
  "    return None", // 8
  "", // 9
  "", // 10
  "def first[T](xs: list[T]) -> T:", // 11
  "    return np.asarray(xs)[0]", // 12
  "", // 13
  "", // 14
  "def summary(x):", // 15
  "    return json.dumps(_shape(x)), np.mean(x)", // 16
  "", // 17
  "", // 18
  "class Model:", // 19
  "    def fit(self):", // 20
  "        type Alias = int", // 21
  "",
].join("\n");

let client: LspTestClient;
let serverConnection: Connection;
let server: Disposable;
const analyzer = PythonAnalyzer.load();
let analysis: DocumentAnalysis;

before(async () => {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  serverConnection = createConnection(ProposedFeatures.all, toServer, toClient);
  server = startLanguageServer(serverConnection, analyzer, { diagnosticsDelayMs: 20 });
  serverConnection.listen();
  client = LspTestClient.over(toClient, toServer);
  await client.initialize();
  await client.open(URI, TEXT);
  analysis = {
    functions: (p) => client.request<FunctionsResult>(FUNCTIONS_REQUEST, p),
    bundle: (p) => client.request<BundleResult>(BUNDLE_REQUEST, p),
  };
});

after(async () => {
  await client.shutdown(false);
  server.dispose();
  serverConnection.dispose();
  (await analyzer).dispose();
});

const lines = TEXT.split("\n");
const textIn = (r: LspRange) => lines[r.start.line].slice(r.start.character, r.start.line === r.end.line ? r.end.character : undefined);
const probeOf = (version: string, modules: string[]) =>
  parseProbe({ python: { version, implementation: "CPython" }, platform: {}, distributions: {}, modules });

test("each module-level function's missing imports and too-new syntax, through its helpers, once each, naming the endpoint", async () => {
  const warnings = await environmentWarnings(URI, analysis, probeOf("3.9.18", ["json", "sys"]), "Polaris", textIn);
  const seen = warnings!.map((w) => [w.range.start.line, textIn(w.range), w.message]).sort((a, b) => Number(a[0]) - Number(b[0]));
  assert.deepEqual(seen, [
    [1, "import numpy as np", '"numpy" is not installed on endpoint "Polaris" (its last environment probe): install it there, or pick another endpoint.'],
    [5, "match x:", 'A match statement needs Python 3.10, but endpoint "Polaris" runs Python 3.9.18 (its last environment probe).'],
    [11, "def first[T](xs: list[T]) -> T:", 'A generic function (def f[T]) needs Python 3.12, but endpoint "Polaris" runs Python 3.9.18 (its last environment probe).'],
  ]);
});

test("nothing for an endpoint that has it all; an unwanted answer stops early", async () => {
  assert.deepEqual(await environmentWarnings(URI, analysis, probeOf("3.12.4", ["json", "numpy"]), "Big", textIn), []);
  let asked = 0;
  const counting: DocumentAnalysis = { functions: analysis.functions, bundle: (p) => (asked++, analysis.bundle(p)) };
  assert.equal(await environmentWarnings(URI, counting, probeOf("3.9.1", []), "Polaris", textIn, () => asked < 1), undefined);
  assert.equal(asked, 1);
});

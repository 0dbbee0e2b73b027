/**
 * The editor's endpoint-environment warnings on a large file: one document of 400 module-level functions
 * (200 of them calling a helper, each with a third-party import and a `match`), checked for an endpoint
 * whose probe lacks the import and runs Python 3.9, through the real language server over an in-memory
 * LSP connection (the functions request, then one bundle request per function, capped at 200). Prints
 * the time of a full check (first, and warm), the warnings found, and the language server's plain
 * diagnostics pass on the same document as the baseline measured in the same run.
 * Run alone with `node --import tsx test/bench/environmentWarnings.ts`, or via `npm run bench -- environmentWarnings`.
 */
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { ProposedFeatures, createConnection } from "vscode-languageserver/node";
import { parseProbe } from "../../core/endpoints/environmentProbe";
import { PythonAnalyzer } from "../../core/python/pythonAnalyzer";
import { startLanguageServer } from "../../core/server/languageServer";
import { BUNDLE_REQUEST, FUNCTIONS_REQUEST, type BundleResult, type FunctionsResult, type LspRange } from "../../core/server/protocol";
import { environmentWarnings, type DocumentAnalysis } from "../../extension/endpoints/environmentWarnings";
import { LspTestClient } from "../unit/core/server/lspTestClient";

const PAIRS = 200;

export async function run(): Promise<void> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const connection = createConnection(ProposedFeatures.all, toServer, toClient);
  const analyzer = PythonAnalyzer.load();
  const server = startLanguageServer(connection, analyzer, { diagnosticsDelayMs: 20 });
  connection.listen();
  const client = LspTestClient.over(toClient, toServer);
  try {
    await client.initialize();
    const parts = ["import json", "import numpy as np", ""];
    for (let i = 0; i < PAIRS; i++)
      parts.push(`\ndef helper_${i}(x):\n    return np.asarray(x) + ${i}\n\n\ndef f_${i}(x):\n    y = helper_${i}(x)\n    match y:\n        case _:\n            return json.dumps(list(y))\n`);
    const text = parts.join("\n");
    const uri = "file:///bench/big.py";
    await client.open(uri, text);
    const lines = text.split("\n");
    const textIn = (r: LspRange) => lines[r.start.line];
    const analysis: DocumentAnalysis = {
      functions: (p) => client.request<FunctionsResult>(FUNCTIONS_REQUEST, p),
      bundle: (p) => client.request<BundleResult>(BUNDLE_REQUEST, p),
    };
    const probe = parseProbe({ python: { version: "3.9.18" }, modules: ["json"] });
    const a = await analyzer;
    const t0 = performance.now();
    a.diagnostics(text + "\n");
    const diagnosticsMs = performance.now() - t0;
    const times: number[] = [];
    let found = 0;
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      found = (await environmentWarnings(uri, analysis, probe, "bench", textIn))?.length ?? -1;
      times.push(performance.now() - t);
    }
    console.log(
      JSON.stringify({
        bench: "environment_warnings.document",
        lines: lines.length,
        functions: PAIRS * 2,
        warnings: found,
        first_ms: round(times[0]),
        warm_ms: round(Math.min(...times.slice(1))),
        baseline_diagnostics_ms: round(diagnosticsMs),
      }),
    );
  } finally {
    await client.shutdown(false);
    server.dispose();
    connection.dispose();
    (await analyzer).dispose();
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void run();

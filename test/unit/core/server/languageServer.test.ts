import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import {
  BUNDLE_REQUEST,
  FUNCTION_AT_REQUEST,
  RESULT_STATUS_NOTIFICATION,
  SUBMIT_COMMAND,
  SUBMIT_WITH_ARGUMENTS_COMMAND,
  MAP_COMMAND,
  PROJECT_SETTINGS_NOTIFICATION,
  type BundleResult,
  type FunctionAtResult,
  type SubmitFunctionArguments,
} from "../../../../core/server/protocol";
import { inProcessServer, type LspTestClient } from "./lspTestClient";

// The server and a protocol client connected in-process through a pair of streams: real JSON-RPC
// framing, real LSP messages, no VS Code.
const FIXTURES = join(__dirname, "../../../fixtures/python");
const URI = "file:///work/runnable.py";
const TEXT = readFileSync(join(FIXTURES, "runnable.py"), "utf8");

let client: LspTestClient;
let close: () => Promise<void>;
const messageOf = (d: { message: string | { value: string } }) => (typeof d.message === "string" ? d.message : d.message.value);

before(async () => {
  ({ client, close } = inProcessServer(PythonAnalyzer.load()));
  const init = await client.initialize();
  assert.ok(init.capabilities.codeLensProvider);
  assert.ok(init.capabilities.codeActionProvider);
  await client.open(URI, TEXT);
});

after(() => close());

test("publishes diagnostics on open, including what will be shipped", async () => {
  const diagnostics = await client.diagnosticsFor(URI, 1);
  const shipped = diagnostics.find((d) => d.code === "SHIPPED" && messageOf(d).includes("sends score with"));
  assert.ok(shipped, JSON.stringify(diagnostics));
  assert.equal(shipped.source, "Globus Compute");
  assert.match(messageOf(shipped), /math, json, Counter, WEIGHTS, PRIMES, LIMIT, weight, Stats/);
  assert.deepEqual(shipped.range.start, { line: TEXT.slice(0, TEXT.indexOf("def score")).split("\n").length - 1, character: 4 });
});

test("CodeLens: Submit and Submit with arguments… over each module-level function, Map over… for one required parameter", async () => {
  const lenses = (await client.codeLens(URI)) ?? [];
  const byFunction = new Map<string, string[]>();
  for (const lens of lenses) {
    const args = lens.command!.arguments![0] as SubmitFunctionArguments;
    assert.equal(args.uri, URI);
    assert.equal(TEXT.slice(args.offset, args.offset + args.name.length), args.name);
    byFunction.set(args.name, [...(byFunction.get(args.name) ?? []), `${lens.command!.title}|${lens.command!.command}`]);
  }
  assert.deepEqual([...byFunction.keys()], ["weight", "score", "product", "recursive"]);
  assert.deepEqual(byFunction.get("score"), [`Submit|${SUBMIT_COMMAND}`, `Submit with arguments…|${SUBMIT_WITH_ARGUMENTS_COMMAND}`, `Map over…|${MAP_COMMAND}`]);
});

test("CodeLens: none over `_private` helpers unless the setting asks for them", async () => {
  const uri = "file:///work/private.py";
  await client.open(uri, "def _helper(x):\n    return x\n\n\ndef public(a, b):\n    return _helper(a) + b\n");
  const names = async () => [...new Set(((await client.codeLens(uri)) ?? []).map((l) => `${(l.command!.arguments![0] as SubmitFunctionArguments).name}:${l.command!.title}`))];
  assert.deepEqual(await names(), ["public:Submit", "public:Submit with arguments…"]);
  await client.notify(PROJECT_SETTINGS_NOTIFICATION, { privateFunctionLenses: true });
  assert.deepEqual(await names(), ["_helper:Submit", "_helper:Submit with arguments…", "_helper:Map over…", "public:Submit", "public:Submit with arguments…"]);
  await client.notify(PROJECT_SETTINGS_NOTIFICATION, { privateFunctionLenses: false });
});

test("the last result status shows as a lens once the client reports it, and can be cleared", async () => {
  await client.notify(RESULT_STATUS_NOTIFICATION, { uri: URI, name: "score", status: "✓ '{\"mean\": 2.0}' · 1.2 s" });
  const lenses = (await client.codeLens(URI)) ?? [];
  const status = lenses.filter((l) => l.command?.title.startsWith("✓"));
  assert.equal(status.length, 1);
  assert.equal((status[0].range.start.line), TEXT.slice(0, TEXT.indexOf("def score")).split("\n").length - 1);
  assert.ok(client.refreshRequests.length > 0, "server asks the client to refresh lenses");
  await client.notify(RESULT_STATUS_NOTIFICATION, { uri: URI, name: "score", status: null });
  assert.equal(((await client.codeLens(URI)) ?? []).filter((l) => l.command?.title.startsWith("✓")).length, 0);
});

test("a result status reported while the file is closed, or before it closed, shows when it is opened again", async () => {
  const other = "file:///work/closed.py";
  const text = "def double(x):\n    return x * 2\n\n\ndef triple(x):\n    return x * 3\n";
  const statusTitles = async () => ((await client.codeLens(other)) ?? []).map((l) => l.command?.title ?? "").filter((t) => /^[✓✗]/.test(t));
  await client.notify(RESULT_STATUS_NOTIFICATION, { uri: other, name: "double", status: "✓ 14 · 120 ms" });
  await client.open(other, text);
  await client.notify(RESULT_STATUS_NOTIFICATION, { uri: other, name: "triple", status: "✗ ValueError: no" });
  assert.deepEqual(await statusTitles(), ["✓ 14 · 120 ms", "✗ ValueError: no"]);
  await client.close(other);
  await client.open(other, text, 2);
  assert.deepEqual(await statusTitles(), ["✓ 14 · 120 ms", "✗ ValueError: no"]);
  await client.close(other);
});

test("globusCompute/functionAt by position and by offset", async () => {
  const line = TEXT.slice(0, TEXT.indexOf("counts = Counter")).split("\n").length - 1;
  const byPosition = await client.request<FunctionAtResult>(FUNCTION_AT_REQUEST, { uri: URI, position: { line, character: 8 } });
  assert.equal(byPosition?.name, "score");
  assert.deepEqual(byPosition?.signature.parameters.map((p) => [p.name, p.kind, p.default]), [["words", "normal", undefined], ["power", "normal", "2"]]);
  const byOffset = await client.request<FunctionAtResult>(FUNCTION_AT_REQUEST, { uri: URI, offset: TEXT.indexOf("return 1 if n") });
  assert.equal(byOffset?.qualifiedName, "recursive");
  assert.equal(await client.request<FunctionAtResult>(FUNCTION_AT_REQUEST, { uri: URI, offset: 0 }), null);
});

test("globusCompute/bundle returns the self-contained source, or why there is none", async () => {
  const result = await client.request<BundleResult>(BUNDLE_REQUEST, { uri: URI, offset: TEXT.indexOf("def product") + 4 });
  assert.ok(result.bundle);
  assert.equal(result.bundle.name, "product");
  assert.equal(result.bundle.source, "from functools import reduce\n\n\ndef product(xs):\n    return reduce(lambda a, b: a * b, xs, 1)\n");
  assert.deepEqual(result.bundle.problems, []);
  const none = await client.request<BundleResult>(BUNDLE_REQUEST, { uri: URI, offset: 0 });
  assert.equal(none.bundle, null);
  assert.ok("reason" in none && /not inside a function/.test(none.reason));
});

test("bad requests get InvalidParams errors, not a crash", async () => {
  await assert.rejects(client.request(BUNDLE_REQUEST, { uri: "file:///never-opened.py", offset: 0 }), (e: { code?: number; message?: string }) => e.code === -32602 && /not open/.test(e.message ?? ""));
  await assert.rejects(client.request(FUNCTION_AT_REQUEST, { uri: URI, offset: -5 }), (e: { code?: number }) => e.code === -32602);
  await assert.rejects(client.request(FUNCTION_AT_REQUEST, { uri: URI }), (e: { code?: number }) => e.code === -32602);
  // The server still answers afterwards.
  assert.equal((await client.request<FunctionAtResult>(FUNCTION_AT_REQUEST, { uri: URI, offset: TEXT.indexOf("def weight") }))?.name, "weight");
});

test("an edit is re-analysed (debounced) and quick fixes come back as code actions", async () => {
  const insertAt = TEXT.indexOf("def weight");
  const line = TEXT.slice(0, insertAt).split("\n").length - 1;
  const added = "SEED = int('7')\n\n\n";
  await client.change(URI, 2, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: added }]);
  const useLine = line + 3 + 1; // "def weight(word):" moved down by 3, its body is the next line
  await client.change(URI, 3, [
    { range: { start: { line: useLine, character: 4 }, end: { line: useLine, character: 10 } }, text: "return SEED + " },
  ]);
  const diagnostics = await client.diagnosticsFor(URI, 3);
  const computed = diagnostics.filter((d) => d.code === "COMPUTED_AT_IMPORT");
  assert.ok(computed.length >= 1, JSON.stringify(diagnostics.map((d) => [d.code, messageOf(d)])));
  assert.match(messageOf(computed[0]), /SEED is computed when the module is imported/);
  const actions = (await client.codeActions(URI, computed)) ?? [];
  const fix = actions.find((a) => "title" in a && a.title.startsWith("Move `SEED = int('7')` into weight")) as
    | { edit?: { changes?: Record<string, { newText: string }[]> } }
    | undefined;
  assert.ok(fix, JSON.stringify(actions));
  assert.equal(fix.edit?.changes?.[URI][0].newText, "SEED = int('7')\n    ");
});

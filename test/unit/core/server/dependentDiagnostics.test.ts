import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Diagnostic } from "vscode-languageserver-protocol/node";
import { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { inProcessServer, type LspTestClient } from "./lspTestClient";

// An edit of a module re-lints what imports it (directly, through another module, or from a notebook
// cell), with the editor's unsaved text, and leaves every other open document alone: a project with
// dozens of open files must not be re-analysed on every keystroke.
const FILES: Record<string, string> = {
  "helpers.py": "def scale(x):\n    return x * 2\n",
  "main.py": "from helpers import scale\n\n\ndef run(x):\n    return scale(x)\n",
  "deep.py": "from main import run\n\n\ndef twice(x):\n    return run(run(x))\n",
  "other.py": "def alone(x):\n    return x + 1\n",
};
const EDITED_HELPERS = "CONFIG = open('config.txt').read()\n\n\ndef scale(x):\n    return x * len(CONFIG)\n";
const CELL_TEXT = "from helpers import scale\n\n\ndef in_cell(x):\n    return scale(x) + 1\n";

let dir: string;
let client: LspTestClient;
let close: () => Promise<void>;
const uriOf = (file: string) => pathToFileURL(join(dir, file)).href;
let cellUri: string;
const codes = (ds: Diagnostic[]) => ds.map((d) => String(d.code)).sort();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gc-dependents-"));
  for (const [file, text] of Object.entries(FILES)) writeFileSync(join(dir, file), text);
  ({ client, close } = inProcessServer(PythonAnalyzer.load()));
  await client.initialize({ folders: [pathToFileURL(dir).href] });
  for (const [file, text] of Object.entries(FILES)) await client.open(uriOf(file), text);
  const notebook = join(dir, "explore.ipynb");
  cellUri = `vscode-notebook-cell:${notebook}#c0`;
  await client.notify("notebookDocument/didOpen", {
    notebookDocument: { uri: pathToFileURL(notebook).href, notebookType: "jupyter-notebook", version: 1, cells: [{ kind: 2, document: cellUri }] },
    cellTextDocuments: [{ uri: cellUri, languageId: "python", version: 1, text: CELL_TEXT }],
  });
  for (const file of Object.keys(FILES)) await client.diagnosticsFor(uriOf(file), 1);
  await client.diagnosticsFor(cellUri, 1);
});

after(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

test("an unsaved edit of a module re-lints its importers, and only them", async () => {
  const importers = [uriOf("main.py"), uriOf("deep.py"), cellUri];
  for (const uri of importers) assert.ok(!codes(await client.diagnosticsFor(uri, 1)).includes("LOCAL_STATE_AT_IMPORT"), uri);
  const before = new Map([...importers, uriOf("other.py")].map((uri) => [uri, client.publishCount(uri)]));

  await client.change(uriOf("helpers.py"), 2, [{ text: EDITED_HELPERS }]);
  for (const uri of importers) {
    const diagnostics = await client.diagnosticsAfter(uri, before.get(uri)!);
    assert.ok(codes(diagnostics).includes("LOCAL_STATE_AT_IMPORT"), `${uri}: ${JSON.stringify(codes(diagnostics))}`);
  }
  // Well past the debounce (20 ms here): the module that imports nothing was not analysed again.
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(client.publishCount(uriOf("other.py")), before.get(uriOf("other.py")));
});

test("closing a module with unsaved edits re-lints its importers with the file as saved", async () => {
  const main = uriOf("main.py");
  const count = client.publishCount(main);
  await client.close(uriOf("helpers.py"));
  assert.ok(!codes(await client.diagnosticsAfter(main, count)).includes("LOCAL_STATE_AT_IMPORT"));
});

test("opening a module whose editor text differs from the disk's (a restored unsaved editor) re-lints its importers", async () => {
  const main = uriOf("main.py");
  const count = client.publishCount(main);
  await client.open(uriOf("helpers.py"), EDITED_HELPERS, 3);
  assert.ok(codes(await client.diagnosticsAfter(main, count)).includes("LOCAL_STATE_AT_IMPORT"));
});

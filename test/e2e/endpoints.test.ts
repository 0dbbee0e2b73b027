/**
 * Real endpoints in a real VS Code: against the emulator's directory (owned, shared, offline, multi-user,
 * high-assurance endpoints), signed in with client credentials. The Endpoints view lists them by name with
 * their status; the multi-user endpoint is picked; its configuration file is checked in the editor by the
 * endpoint's own schema (an invalid field is underlined) and at submit (refused, nothing sent); the valid
 * configuration runs, and the emulator received exactly that user_endpoint_config. Once the local
 * endpoint's environment is inspected, a function importing a package its interpreter lacks is flagged on
 * the import line, naming the endpoint, and so is syntax newer than its Python. A .venv created in the
 * workspace becomes the local endpoint's interpreter.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { promisify } from "node:util";
import { CATALOG_IDS, catalogEndpoints } from "../emulator/endpointCatalog";
import type { Emulator } from "../emulator/emulator";
import { openWithExtension, screenshot, startCloudSession, workbenchFor, type CloudSession } from "./harness";
import type { Workbench } from "./workbench";

let session: CloudSession;
let emulator: Emulator;
let workbench: Workbench;
let workspace: string;

const configurationFile = (userEndpointConfig: Record<string, unknown>) =>
  JSON.stringify({ endpoints: { [CATALOG_IDS.mep]: { name: "Polaris", configurations: { debug: { user_endpoint_config: userEndpointConfig } } } } }, null, 2);

before(async () => {
  session = await startCloudSession({
    emulator: { endpoints: catalogEndpoints() },
    // Debian's Python (3.11), not the python3 first on PATH (another build). The missing module is one no
    // machine has (numpy may be installed on one that runs this).
    settings: { "globusCompute.local.pythonPath": "/usr/bin/python3" },
    files: {
      ".globus-compute/endpoints.json": configurationFile({ account: "ABC123", partition: "debug", nodes_per_block: "two" }),
      "needs_missing.py": [
        "import json",
        "import gc_absent_science",
        "",
        "",
        "def total(x):",
        "    return gc_absent_science.total(json.loads(x))",
        "",
        "",
        "def first[T](xs: list[T]) -> T:",
        "    return xs[0]",
        "",
      ].join("\n"),
      "where.py": "import sys\n\n\ndef prefix():\n    return sys.prefix\n",
    },
  });
  ({ emulator, folder: workspace } = session);
  workbench = workbenchFor(session);
  await openWithExtension(session, workbench, workspace, "examples.py");
});

afterEach(async (t) => {
  if (session) await screenshot(session.page, `endpoints-end-${t.name.slice(0, 30).replace(/\W+/g, "-")}`);
});

after(async () => {
  await session?.close("endpoints-code-server");
});

test("endpoints are listed by name with their status", async () => {
  await workbench.openViewContainer("Globus Compute");
  await workbench.waitForTreeRow("Endpoints", "Polaris (multi-user)", /online · 2 of 2 idle/, 60_000);
  await workbench.waitForTreeRow("Endpoints", "Lab Workstation", /offline/);
  await workbench.waitForTreeRow("Endpoints", "Group Cluster (shared)", /online/);
  const labels = (await workbench.treeRows("Endpoints", 5)).map((r) => r.label);
  assert.equal(labels.includes("Someone's Private Box"), false, "a private endpoint of another user is not listed");
  await screenshot(session.page, "endpoints-view");
});

test("a multi-user endpoint's configuration: underlined in the editor, refused at submit, and the valid one runs with exactly it", async () => {
  await workbench.runCommand("Globus Compute: Select Endpoint…");
  await workbench.pickQuickItem("Polaris (multi-user)");
  await workbench.waitForTreeRow("Endpoints", "Polaris (multi-user)", /selected/);
  // Its configurations are its child rows, checked by its schema.
  await workbench.expandTreeRow("Endpoints", "Polaris (multi-user)");
  await workbench.waitForTreeRow("Endpoints", "debug", /^invalid: user_endpoint_config\.nodes_per_block: must be an integer/);

  await workbench.openFile("endpoints.json");
  // VS Code's JSON language features, with the endpoint's schema: "two" is not an integer.
  await session.page.locator(".monaco-editor .squiggly-warning, .monaco-editor .squiggly-error").first().waitFor({ timeout: 60_000 });
  await screenshot(session.page, "endpoints-config-underlined");
  await workbench.runCommand("View: Close Editor");

  await workbench.openFile("examples.py");
  await workbench.editorContextMenuOn("return x * 2");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  await workbench.answerInputBox(/^Arguments for double\(x\)/, "7");
  await workbench.notification('Configuration "debug" of "Polaris (multi-user)" is not valid, so nothing was sent: user_endpoint_config.nodes_per_block: must be an integer');
  assert.deepEqual(emulator.control.submissions(CATALOG_IDS.mep), [], "nothing reached the endpoint");

  const valid = { account: "ABC123", partition: "debug", nodes_per_block: 2 };
  await writeFile(join(workspace, ".globus-compute/endpoints.json"), configurationFile(valid));
  await workbench.editorContextMenuOn("return x * 2");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  await workbench.answerInputBox(/^Arguments for double\(x\)/, "7");
  await workbench.waitForTreeRow("Endpoints", "debug", /^valid · account=ABC123/);
  await workbench.waitForTreeRow("Tasks", "double(7)", /^14 · /, 60_000);
  await workbench.waitForTreeRow("Tasks", "double", /^Polaris \(multi-user\) \(debug\) · /);
  // The task, and the environment probe that follows an endpoint's first use with a configuration.
  const received = emulator.control.submissions(CATALOG_IDS.mep).map((s) => s.userEndpointConfig);
  assert.ok(received.length >= 1);
  for (const config of received) assert.deepEqual(config, valid, "the endpoint received exactly the configuration");
  await screenshot(session.page, "endpoints-mep-ran");
});


test("selecting the local endpoint probes its environment in the background: what its Python lacks is flagged on the line, naming it", async () => {
  await workbench.runCommand("Globus Compute: Select Endpoint…");
  await workbench.pickQuickItem("local");
  // The probe's answer is on the row: Debian's /usr/bin/python3 is 3.11, from the setting.
  await workbench.waitForTreeRow("Endpoints", "local", /^this machine · Python 3\.11 · setting · .*selected/, 120_000);
  await workbench.openFile("needs_missing.py");
  await workbench.runCommand("View: Focus Problems (Errors, Warnings, Infos)");
  const row = (text: string) => session.page.locator(".markers-panel .monaco-list-row", { hasText: text });
  await row('"gc_absent_science" is not installed on endpoint "local"').first().waitFor({ timeout: 60_000 });
  assert.match(await row('"gc_absent_science" is not installed').first().innerText(), /Ln 2, Col 1\b/, "on the import line");
  const generic = row('A generic function (def f[T]) needs Python 3.12, but endpoint "local" runs Python 3.11');
  await generic.first().waitFor();
  assert.match(await generic.first().innerText(), /Ln 9, Col 1\b/, "on its line");
  assert.equal(await row('"json" is not installed').count(), 0, "the standard library is there");
  await screenshot(session.page, "endpoints-environment-flagged");

  // Refreshed on request.
  await workbench.runCommand("Globus Compute: Inspect Endpoint Environment");
  await workbench.notification("local: Python 3.11");
});

test("a .venv created in the trusted workspace becomes the local endpoint's interpreter: the row shows it, tasks run in it", async () => {
  const venv = join(workspace, ".venv");
  await promisify(execFile)("/usr/bin/python3", ["-m", "venv", "--without-pip", venv]);
  // It wins over the setting; the workers restart with it and its environment is probed anew.
  await workbench.waitForTreeRow("Endpoints", "local", /^this machine · Python 3\.11 · \.venv · /, 120_000);
  await workbench.openFile("where.py");
  await workbench.editorContextMenuOn("return sys.prefix");
  await workbench.clickMenuItem("Submit Function");
  await workbench.waitForTreeRow("Tasks", "prefix()", new RegExp(`^'${venv.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' · `), 60_000);
  await screenshot(session.page, "endpoints-local-venv");
});

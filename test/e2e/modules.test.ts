/**
 * The user's own modules end to end in a real VS Code (code-server + Chromium) on the local endpoint:
 * a function that uses a helper from a sibling package gets the right result (the workspace is not on
 * the worker's path: the helper travels in the bundle), and a traceback frame inside the helper module
 * links to that module's line.
 */
import * as assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { openWithExtension, screenshot, startSession, type E2eSession } from "./harness";
import { Workbench } from "./workbench";

let session: E2eSession;
let workbench: Workbench;
let workspace: string;

const CONVERT = [
  "ABSOLUTE_ZERO = -273.15",
  "",
  "",
  "def to_kelvin(celsius):",
  "    if celsius < ABSOLUTE_ZERO:",
  '        raise ValueError(f"{celsius} is below absolute zero")',
  "    return celsius - ABSOLUTE_ZERO",
  "",
].join("\n");
const RAISE_LINE = 6;

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), "gc-e2e-modules-"));
  await mkdir(join(workspace, "labtools"), { recursive: true });
  await mkdir(join(workspace, ".vscode"), { recursive: true });
  await writeFile(join(workspace, ".vscode/settings.json"), JSON.stringify({ "globusCompute.local.pythonPath": "/usr/bin/python3", "globusCompute.defaultEndpoint": "local" }));
  await writeFile(join(workspace, "labtools/__init__.py"), "");
  await writeFile(join(workspace, "labtools/convert.py"), CONVERT);
  await writeFile(join(workspace, "experiment.py"), "from labtools.convert import to_kelvin\n\n\ndef kelvin(celsius):\n    return round(to_kelvin(celsius), 2)\n");
  session = await startSession({ userSettings: { "remote.autoForwardPorts": false } });
  workbench = new Workbench(session.page);
  await openWithExtension(session, workbench, workspace, "experiment.py");
});

afterEach(async (t) => {
  if (session) await screenshot(session.page, `modules-end-${t.name.slice(0, 30).replace(/\W+/g, "-")}`);
});

after(async () => {
  await session?.close("modules-code-server");
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

test("a function using a helper from a sibling module gets the helper's result", async () => {
  await workbench.openFile("experiment.py");
  await workbench.editorContextMenuOn("return round(");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  await workbench.answerInputBox(/^Arguments for /, "20");
  await workbench.openViewContainer("Globus Compute");
  await workbench.waitForTreeRow("Tasks", "kelvin(20)", /^293\.15 · /);
});

test("a traceback frame in the helper module opens that module at the line", async () => {
  await workbench.openFile("experiment.py");
  await workbench.editorContextMenuOn("return round(");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  await workbench.answerInputBox(/^Arguments for /, "-300");
  await workbench.runCommand("Globus Compute: Show Output");
  const text = await workbench.outputText(/ValueError: -300 is below absolute zero/, 30_000);
  const location = `${join(workspace, "labtools/convert.py")}:${RAISE_LINE}`;
  assert.ok(text.includes(`File ${location}, in to_kelvin`), text);
  const link = session.page.locator(".part.panel .output-view .detected-link", { hasText: "convert.py" });
  await link.first().waitFor({ timeout: 10_000 });
  await link.first().click({ modifiers: ["Control"] });
  await session.page.locator(".tabs-container .tab.active", { hasText: "convert.py" }).waitFor({ timeout: 10_000 });
  await session.page.locator(".part.statusbar", { hasText: `Ln ${RAISE_LINE},` }).waitFor({ timeout: 10_000 });
});

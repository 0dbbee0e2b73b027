/**
 * UI tests: the packaged .vsix installed into code-server (`--install-extension`), driven in Chromium.
 * One code-server and one browser for the whole file; screenshots go to test-results/.
 */
import * as assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openWorkbench, packageExtension, screenshot, startSession, withDistLock, workbenchFor, type E2eSession } from "./harness";
import type { Workbench } from "./workbench";
import manifest from "../../package.json";

/** Every command the manifest contributes is registered at activation. */
const manifestCommands = manifest.contributes.commands.length;

let session: E2eSession;
let workbench: Workbench;

before(async () => {
  const vsix = await withDistLock(packageExtension);
  session = await startSession({ extensions: [vsix] });
  await openWorkbench(session.page, session.server.workbenchUrl(session.workspace));
  workbench = workbenchFor(session);
});

after(async () => {
  await session?.close("ui-code-server");
});

test("the installed .vsix adds the Globus Compute container; the empty Tasks view shows its welcome content", async () => {
  await workbench.openViewContainer("Globus Compute");
  const welcome = await workbench.welcomeText("Tasks");
  assert.match(welcome, /No tasks yet\. Open a Python file, right-click inside a function and choose Submit Function/);
  assert.match(welcome, /Reload Task Group…/);
  await screenshot(session.page, "ui-tasks-welcome");
});

test("the Endpoints view lists the offered endpoints; Select Endpoint… changes the selected one", async () => {
  await workbench.openViewContainer("Globus Compute");
  // Not signed in: a first row offers the fix; a cloud endpoint's status needs a sign-in too.
  assert.deepEqual(await workbench.treeRows("Endpoints", 3), [
    { label: "Sign in to Globus to list your endpoints", description: "" },
    { label: "local", description: "this machine · Python · setting · 2 workers" },
    { label: "tutorial", description: "sign in to see its status · selected" },
  ]);
  await workbench.runCommand("Globus Compute: Select Endpoint…");
  await workbench.pickQuickItem("local");
  // Selecting it starts the background probe; once that lands the row names the interpreter's version.
  const probed = /^this machine · Python 3\.\d+ · setting · (2 workers|\d of 2 workers idle) · selected$/;
  await session.page.locator(".part.sidebar .monaco-list-row .label-description", { hasText: probed }).waitFor({ timeout: 60_000 });
  const [signIn, local, tutorial] = await workbench.treeRows("Endpoints", 3);
  assert.deepEqual(signIn, { label: "Sign in to Globus to list your endpoints", description: "" });
  assert.equal(local.label, "local");
  assert.match(local.description, probed);
  assert.deepEqual(tutorial, { label: "tutorial", description: "sign in to see its status" });
  await screenshot(session.page, "ui-endpoints");
});

test("F1 → Show Output opens the Globus Compute log with the activation line and the settings problems", async (t) => {
  await workbench.runCommand("Globus Compute: Show Output");
  const text = await workbench.outputText(new RegExp(`Globus Compute \\d+\\.\\d+\\.\\d+ activated in [\\d.]+ ms; ${manifestCommands} commands registered`));
  assert.equal(await workbench.selectedOutputChannel(), "Globus Compute");
  t.diagnostic(text.split("\n").find((l) => l.includes(" activated in ")) ?? "");
  assert.match(text, /\[warning\] Setting globusCompute\.batchSize: expected an integer of at least 1, got 0; using 1024/);
  assert.match(text, /\[warning\] Setting globusCompute\.endpoints: entry 2 \("broken"\): "id" must be an endpoint UUID/);
  await screenshot(session.page, "ui-output");
});

test("Reload Task Group… asks for the id and refuses what is not one, as it is typed", async () => {
  await workbench.runCommand("Globus Compute: Reload Task Group…");
  await workbench.inputBox(/^Task group id/);
  await session.page.locator(".quick-input-widget .quick-input-box input").fill("not-a-group");
  await session.page.locator(".quick-input-widget .quick-input-message", { hasText: /^A task group id is a UUID/ }).waitFor();
  await session.page.keyboard.press("Escape");
  await session.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
});

test("right-click in a Python file offers the submit commands; a function with parameters asks for its arguments", async () => {
  await workbench.openFile("sample.py");
  const items = await workbench.editorContextMenuOn("return 2 * x");
  const ours = items.filter((i) => /Function/.test(i));
  assert.deepEqual(ours, ["Submit Function", "Submit Function with Arguments…", "Map Function over…"]);
  await screenshot(session.page, "ui-editor-menu");
  await workbench.clickMenuItem("Submit Function");
  const box = await workbench.inputBox(/^Arguments for double\(x\)/);
  assert.equal(box.value, "");
  await session.page.keyboard.press("Escape");
  await session.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
});

test("the submit commands are not offered for other languages", async () => {
  await workbench.openFile("notes.txt");
  const items = await workbench.editorContextMenu(1);
  assert.ok(items.length > 0);
  assert.deepEqual(items.filter((i) => /Function/.test(i)), []);
  await session.page.keyboard.press("Escape");
});

test("the status bar shows the extension's entry", async () => {
  assert.equal(await workbench.statusBarText("globusCompute.status"), "Globus Compute");
  await screenshot(session.page, "ui-overview");
});

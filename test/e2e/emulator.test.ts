/**
 * The extension against a cloud service: the emulator (Globus Compute REST + Globus Auth + a real
 * RabbitMQ) with the test account's client credentials (GLOBUS_COMPUTE_CLIENT_ID/_SECRET, so the
 * extension signs in without a browser). Results stream over AMQP; a task still running when the window
 * reloads finishes afterwards, since the emulated endpoint runs outside VS Code, and each function's
 * last-result CodeLens (✓ value) is back after the reload. Reloading, even several times in a row, never
 * shows an error about the Python language server.
 */
import * as assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { openWithExtension, screenshot, startCloudSession, workbenchFor, type CloudSession } from "./harness";
import type { Workbench } from "./workbench";

let session: CloudSession;
let workbench: Workbench;

before(async () => {
  session = await startCloudSession({
    defaultEndpoint: true,
    // Long enough to be running when the window reloads, short enough to finish after it.
    files: { "waiting.py": "import time\n\n\ndef wait_then_double(x):\n    time.sleep(15)\n    return x * 2\n" },
  });
  workbench = workbenchFor(session);
  await openWithExtension(session, workbench, session.folder, "examples.py");
});

afterEach(async (t) => {
  if (session) await screenshot(session.page, `cloud-end-${t.name.slice(0, 30).replace(/\W+/g, "-")}`);
});

after(async () => {
  await session?.close("cloud-code-server");
});

test("double(7) on the emulated cloud endpoint: → 14 streamed into the tree and the output", async () => {
  await workbench.openFile("examples.py");
  await workbench.editorContextMenuOn("return x * 2");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  await workbench.answerInputBox(/^Arguments for double\(x\)/, "7");
  await workbench.openViewContainer("Globus Compute");
  await workbench.waitForTreeRow("Tasks", "double(7)", /^14 · /, 60_000);
  assert.match(await workbench.waitForTreeRow("Tasks", "double", /succeeded/), /^emulated · \d\d:\d\d · 1 succeeded$/);
  await workbench.runCommand("Globus Compute: Show Output");
  await workbench.outputText(/double\(7\) → 14 {2}\(.* · task [0-9a-f-]{36}\)/, 30_000);
  await screenshot(session.page, "cloud-double");
});

test("a task running when the window reloads finishes after the reload; finished groups and the last-result CodeLens are back", async () => {
  await workbench.openFile("waiting.py");
  await workbench.editorContextMenuOn("time.sleep(15)");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  await workbench.answerInputBox(/^Arguments for wait_then_double\(x\)/, "5");
  await workbench.openViewContainer("Globus Compute");
  await workbench.waitForTreeRow("Tasks", "wait_then_double(5)", /^(received|waiting-for-ep|waiting-for-launch|running)$/);

  await workbench.runCommand("Developer: Reload Window");
  await session.page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
  // A new extension host starts the extension: slow on a loaded machine.
  await workbench.statusBarText("globusCompute.status", 60_000);
  await workbench.openViewContainer("Globus Compute");
  await workbench.waitForTreeRow("Tasks", "wait_then_double(5)", /^10 · /, 60_000);
  await workbench.expandTreeRow("Tasks", "double");
  await workbench.waitForTreeRow("Tasks", "double(7)", /^14 · /);
  // The last result's CodeLens (✓ and value) is back above each function after the reload.
  await workbench.openFile("waiting.py");
  await workbench.codeLensTexts(/✓ 10 · /);
  await workbench.openFile("examples.py");
  await workbench.codeLensTexts(/✓ 14 · /);
  await screenshot(session.page, "cloud-after-reload");
});

test("reloading the window, also several times in quick succession, shows no language-server error and the lenses come back", async () => {
  // Each reload is asked for as soon as the workbench is there, while the extension and its language
  // server are still starting (or stopping): the moment a client used to report "Starting server failed".
  for (let i = 0; i < 3; i++) {
    await workbench.runCommand("Developer: Reload Window");
    await session.page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
  }
  await workbench.statusBarText("globusCompute.status", 60_000);
  await workbench.openFile("examples.py");
  // The server answers: the file's lenses, with the last result, are back.
  const lenses = await workbench.codeLensTexts(/✓ 14 · /);
  assert.match(lenses.join("\n"), /Submit with arguments…/);
  const problems = (await workbench.notificationMessages()).filter((m) => /server|python analysis|globus compute/i.test(m));
  assert.deepEqual(problems, []);
  await screenshot(session.page, "cloud-after-reloads");
});

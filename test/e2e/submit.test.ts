/**
 * The extension end to end in a real VS Code (code-server + Chromium), on the sample workspace and the
 * built-in local endpoint: right-click inside a function, submit with arguments, watch the Tasks tree and
 * the output; a raising function shows its traceback; reloading the window brings the task groups back
 * and a local task running across the reload finishes after it (the local endpoint is its own process).
 * One code-server for the whole file; screenshots go to test-results/.
 */
import * as assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { repoRoot } from "../support/codeServer";
import { openWithExtension, screenshot, startSession, workbenchFor, type E2eSession } from "./harness";
import type { Workbench } from "./workbench";

let session: E2eSession;
let workbench: Workbench;
let workspace: string;
let examples: string[];
let gate: string;

/** Local endpoint processes of this file's code-server (CodeServer.stop stops them). */
const localEndpointDaemons = (): number[] => session?.server.localEndpointDaemons() ?? [];

/** Right-clicks the line of examples.py holding `code` (scrolled into view first) and submits with `args`. */
async function submitWithArguments(code: string, args: string): Promise<void> {
  await workbench.openFile("examples.py");
  const line = examples.findIndex((l) => l.includes(code)) + 1;
  assert.ok(line > 0, `examples.py has no line with ${code}`);
  await workbench.goToLine(line);
  await workbench.editorContextMenuOn(code);
  await workbench.clickMenuItem("Submit Function with Arguments…");
  await workbench.answerInputBox(/^Arguments for /, args);
}

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), "gc-e2e-sample-"));
  await cp(join(repoRoot, "media/sample-workspace"), workspace, { recursive: true });
  await mkdir(join(workspace, ".vscode"), { recursive: true });
  await writeFile(
    join(workspace, ".vscode/settings.json"),
    JSON.stringify({ "globusCompute.local.pythonPath": "/usr/bin/python3", "globusCompute.local.workers": 2 }),
  );
  // A task that is surely still running when the window reloads: it waits for the test to create the gate file.
  gate = join(workspace, "release-gate");
  await writeFile(
    join(workspace, "waiting.py"),
    `import os, time\n\n\ndef wait_then_double(x):\n    for _ in range(3000):\n        if os.path.exists(${JSON.stringify(gate)}):\n            break\n        time.sleep(0.1)\n    return x * 2\n`,
  );
  examples = (await readFile(join(workspace, "examples.py"), "utf8")).split("\n");
  session = await startSession({ userSettings: { "remote.autoForwardPorts": false } });
  workbench = workbenchFor(session);
  await openWithExtension(session, workbench, workspace, "examples.py");
});

afterEach(async (t) => {
  // The state each test left behind, for diagnosing a failure.
  if (session) await screenshot(session.page, `submit-end-${t.name.slice(0, 30).replace(/\W+/g, "-")}`);
});

after(async () => {
  const server = session?.server;
  await session?.close("submit-code-server");
  assert.deepEqual(server?.localEndpointDaemons() ?? [], [], "no local endpoint process outlives the suite");
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

test("right-click in double → Submit Function with Arguments… → 7: success in the Tasks tree, → 14 in the output", async () => {
  await workbench.openFile("examples.py");
  await workbench.editorContextMenuOn("return x * 2");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  const box = await workbench.inputBox(/^Arguments for /);
  assert.equal(box.prompt, "Arguments for double(x), as in a Python call (literals only) (Press 'Enter' to confirm or 'Escape' to cancel)");
  await workbench.answerInputBox(/^Arguments for /, "7");

  await workbench.openViewContainer("Globus Compute");
  await workbench.waitForTreeRow("Tasks", "double(7)", /^14 · /);
  assert.match(await workbench.waitForTreeRow("Tasks", "double", /succeeded/), /^local · \d\d:\d\d · 1 succeeded$/);
  await workbench.runCommand("Globus Compute: Show Output");
  const text = await workbench.outputText(/double\(7\) → 14 {2}\(\d+ ms · task [0-9a-f-]{36}\)/, 30_000);
  assert.match(text, /\[info\] double\(7\) → 14/);
  await screenshot(session.page, "submit-double");
});

test("an argument typo is shown at once with its column; nothing is submitted until it parses", async () => {
  await workbench.openFile("examples.py");
  await workbench.editorContextMenuOn("return x * 2");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  assert.equal((await workbench.inputBox(/^Arguments for double/)).value, "7", "prefilled with the last arguments for double");
  const input = session.page.locator(".quick-input-widget .quick-input-box input");
  await input.fill("7, [1, 2");
  await session.page.locator(".quick-input-widget .quick-input-message", { hasText: /^Column \d+: / }).waitFor();
  await screenshot(session.page, "submit-validation");
  await session.page.keyboard.press("Escape");
  await session.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
});

test("the exception example shows its traceback in the output and fails in the tree", async () => {
  await submitWithArguments('raise ValueError(f"Sequence not terminated', "1234567890");
  await workbench.openViewContainer("Globus Compute");
  await workbench.waitForTreeRow("Tasks", "generate_collatz_sequence_strict(1234567890)", /ValueError: Sequence not terminated in 100 steps/);
  await workbench.runCommand("Globus Compute: Show Output");
  const text = await workbench.outputText(/ValueError: Sequence not terminated in 100 steps/, 30_000);
  assert.match(text, /\[error\] generate_collatz_sequence_strict\(1234567890\) failed/);
  assert.match(text, /Traceback \(most recent call last\):/);
  // The frame names examples.py and the raise's line (not the bundle's `<string>`), as a path:line link.
  const location = `${join(workspace, "examples.py")}:${examples.findIndex((l) => l.includes("raise ValueError(")) + 1}`;
  assert.ok(text.includes(`File ${location}`), text);
  assert.doesNotMatch(text, /<string>/);
  // One notification, with the exception line and its actions.
  const toast = session.page.locator(".notifications-toasts .notification-toast", { hasText: "generate_collatz_sequence_strict(1234567890) failed: ValueError" });
  await toast.waitFor({ timeout: 10_000 });
  assert.equal(await toast.count(), 1);
  assert.deepEqual(await toast.locator(".monaco-button").allInnerTexts(), ["Show Traceback", "Re-run"]);
  // The panel detects links a moment after the text arrives; Ctrl+click opens examples.py at the raise.
  await workbench.followOutputLink("examples.py:");
  const line = location.slice(location.lastIndexOf(":") + 1);
  await session.page.locator(".part.statusbar", { hasText: `Ln ${line},` }).waitFor({ timeout: 10_000 });
  await screenshot(session.page, "submit-traceback");
});

test("a task row's context menu: Re-run runs the call again, in this session's group of the function", async () => {
  await workbench.openViewContainer("Globus Compute");
  const items = await workbench.treeRowContextMenu("Tasks", "double(7)");
  assert.deepEqual(items, ["Open Result", "Re-run", "Re-run with Edited Arguments…", "Copy Task ID"]);
  await workbench.clickMenuItem("Re-run");
  await session.page
    .locator(".part.sidebar .monaco-list-row .label-description", { hasText: /^local · \d\d:\d\d · 2 succeeded$/ })
    .waitFor({ timeout: 30_000 });
  const groups = await session.page.locator(".part.sidebar .monaco-list-row[aria-level='1'] .label-name").allInnerTexts();
  assert.deepEqual(groups.slice(0, 2), ["generate_collatz_sequence_strict", "double"]);
});

test("reloading the window brings the task groups back with their results; a task running across the reload finishes after it", async () => {
  await workbench.openFile("waiting.py");
  await workbench.editorContextMenuOn("return x * 2");
  await workbench.clickMenuItem("Submit Function with Arguments…");
  await workbench.answerInputBox(/^Arguments for wait_then_double\(x\)/, "5");
  await workbench.openViewContainer("Globus Compute");
  // Sent and acknowledged (the seam reports results, not the start of a run, so it may still say "received").
  await workbench.waitForTreeRow("Tasks", "wait_then_double(5)", /^(received|running)$/);
  assert.equal(localEndpointDaemons().length, 1, "the local endpoint runs in its own process");

  await workbench.runCommand("Developer: Reload Window");
  await session.page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
  await workbench.statusBarText("globusCompute.status");
  await workbench.openViewContainer("Globus Compute");
  // The local endpoint process outlived the window's extension host: the task is still running...
  await workbench.waitForTreeRow("Tasks", "wait_then_double(5)", /^(received|running)$/);
  await workbench.expandTreeRow("Tasks", "generate_collatz_sequence_strict");
  await workbench.waitForTreeRow("Tasks", "generate_collatz_sequence_strict(1234567890)", /ValueError/);
  await workbench.expandTreeRow("Tasks", "double");
  await workbench.waitForTreeRow("Tasks", "double(7)", /^14 · /);
  // ...and its result reaches the reloaded window once it is let go.
  await writeFile(gate, "");
  await workbench.waitForTreeRow("Tasks", "wait_then_double(5)", /^10 · /);
  // A result that arrives after the reload is printed in the new window.
  await workbench.runCommand("Globus Compute: Show Output");
  await workbench.outputText(/wait_then_double\(5\) → 10/, 30_000);
  assert.equal(localEndpointDaemons().length, 1, "the reloaded window reused the running local endpoint");
  await screenshot(session.page, "submit-after-reload");
});

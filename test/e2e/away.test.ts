/**
 * History that follows the user, end to end in code-server with two browser contexts: a local task that
 * prints and sleeps is submitted in window A, A's page is closed while the task still runs, and the same
 * workspace is opened from another browser profile B: the task group is in B's Tasks view, and B's output
 * prints the result with its prints once, under the "While you were away" summary.
 */
import * as assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { repoRoot } from "../support/codeServer";
import { openWithExtension, reopenElsewhere, screenshot, startSession, workbenchFor, type E2eSession } from "./harness";

let session: E2eSession;
let workspace: string;
let other: Awaited<ReturnType<typeof reopenElsewhere>>["browser"] | undefined;

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), "gc-e2e-away-"));
  await cp(join(repoRoot, "media/sample-workspace"), workspace, { recursive: true });
  await mkdir(join(workspace, ".vscode"), { recursive: true });
  await writeFile(join(workspace, ".vscode/settings.json"), JSON.stringify({ "globusCompute.local.pythonPath": "/usr/bin/python3" }));
  await writeFile(
    join(workspace, "chatty.py"),
    `import time\n\n\ndef slow_square(x):\n    print(f"starting on {x}")\n    time.sleep(5)\n    print(f"done with {x}")\n    return x * x\n`,
  );
  session = await startSession({ userSettings: { "remote.autoForwardPorts": false } });
});

after(async () => {
  if (other) await screenshot(other.page, "away-window-b");
  await other?.close();
  const server = session?.server;
  await session?.close("away-code-server");
  assert.deepEqual(server?.localEndpointDaemons() ?? [], [], "no local endpoint process outlives the test");
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

test("submit in A, close A while the task runs, open the workspace in B: history there, result and prints once under 'While you were away'", async () => {
  const a = workbenchFor(session);
  await openWithExtension(session, a, workspace, "chatty.py");
  await a.editorContextMenuOn("return x * x");
  await a.clickMenuItem("Submit Function with Arguments…");
  await a.answerInputBox(/^Arguments for slow_square\(x\)/, "6");
  await a.openViewContainer("Globus Compute");
  await a.waitForTreeRow("Tasks", "slow_square(6)", /^(received|running)$/);
  await session.page.close({ runBeforeUnload: true });

  let text: string;
  let count: (re: RegExp) => number;
  ({ browser: other, text, count } = await reopenElsewhere(session, workspace, "chatty.py", { label: "slow_square(6)", description: /^36 · / }));
  assert.match(text, /While you were away: 1 succeeded, 0 failed\./);
  assert.equal(count(/slow_square\(6\) → 36/), 1, text);
  assert.equal(count(/starting on 6/), 1, text);
  assert.equal(count(/done with 6/), 1, text);
  assert.equal(count(/While you were away/), 1, text);
});

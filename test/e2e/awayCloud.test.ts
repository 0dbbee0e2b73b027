/**
 * History that follows the user, for a cloud task: window A submits a task that takes ~8 s on the emulated
 * endpoint and is closed while the task runs; the same workspace opened from another browser profile B
 * shows the task group in its Tasks view, and B's output prints the result once, under the "While you
 * were away" summary (the result is fetched from the service, since no window was listening when it came).
 */
import * as assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openWithExtension, reopenElsewhere, screenshot, startCloudSession, workbenchFor, type CloudSession } from "./harness";

let session: CloudSession;
let other: Awaited<ReturnType<typeof reopenElsewhere>>["browser"] | undefined;

before(async () => {
  session = await startCloudSession({
    defaultEndpoint: true,
    files: { "sleepy.py": "import time\n\n\ndef slow_triple(x):\n    time.sleep(8)\n    return x * 3\n" },
  });
});

after(async () => {
  if (other) await screenshot(other.page, "away-cloud-window-b");
  await other?.close();
  await session?.close("away-cloud-code-server");
});

test("cloud: submit in A, close A while the task runs, open the workspace in B: group there, result once under 'While you were away'", async () => {
  const a = workbenchFor(session);
  await openWithExtension(session, a, session.folder, "sleepy.py");
  await a.editorContextMenuOn("return x * 3");
  await a.clickMenuItem("Submit Function with Arguments…");
  await a.answerInputBox(/^Arguments for slow_triple\(x\)/, "4");
  await a.openViewContainer("Globus Compute");
  await a.waitForTreeRow("Tasks", "slow_triple(4)", /^(received|waiting-for-ep|waiting-for-launch|running)$/);
  await session.page.close({ runBeforeUnload: true });

  let text: string;
  let count: (re: RegExp) => number;
  ({ browser: other, text, count } = await reopenElsewhere(session, session.folder, "sleepy.py", { label: "slow_triple(4)", description: /^12 · / }));
  assert.match(text, /While you were away: 1 succeeded, 0 failed\./);
  assert.equal(count(/slow_triple\(4\) → 12/), 1, text);
  assert.equal(count(/While you were away/), 1, text);
});

/**
 * The local endpoint's interpreter in a real VS Code with workspace trust on: a workspace's `.venv` is a
 * program the workspace chose, so while the folder is not trusted the local endpoint does not run it (the
 * Endpoints view says it runs python3 from PATH); once the person trusts the folder, it switches to it.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { openWithExtension, screenshot, startSession, workbenchFor, type E2eSession } from "./harness";
import type { Workbench } from "./workbench";

let session: E2eSession;
let workbench: Workbench;

before(async () => {
  session = await startSession({ disableWorkspaceTrust: false });
  await promisify(execFile)("/usr/bin/python3", ["-m", "venv", "--without-pip", join(session.workspace, ".venv")]);
  workbench = workbenchFor(session);
  await openWithExtension(session, workbench, session.workspace, "sample.py");
});

after(async () => {
  await session?.close("endpoints-untrusted-code-server");
});

test("an untrusted workspace's .venv is not run by the local endpoint until the folder is trusted", async () => {
  await workbench.openViewContainer("Globus Compute");
  // (The interpreter's version shows once a probe of it has told it, which may be before or after the row is read.)
  await workbench.waitForTreeRow("Endpoints", "local", /^this machine · Python( \d+\.\d+)? · PATH · /, 60_000);
  await screenshot(session.page, "endpoints-untrusted-venv-skipped");

  await workbench.runCommand("Workspaces: Manage Workspace Trust");
  // Restricted Mode's status bar entry goes once the folder is trusted; a click made while the trust
  // editor was still being laid out is made again.
  const restricted = session.page.locator(".part.statusbar .statusbar-item", { hasText: "Restricted Mode" });
  await restricted.first().waitFor();
  for (let attempt = 0; (await restricted.count()) > 0; attempt++) {
    if (attempt === 5) throw new Error("the folder is still in Restricted Mode after clicking Trust");
    await session.page.locator(".workspace-trust-editor .monaco-button", { hasText: /^Trust$/ }).first().click();
    await restricted.first().waitFor({ state: "detached", timeout: 5_000 }).catch(() => undefined);
  }
  await workbench.waitForTreeRow("Endpoints", "local", /^this machine · Python( \d+\.\d+)? · \.venv · /, 60_000).catch(async (err: Error) => {
    await screenshot(session.page, "endpoints-trusted-venv-missed");
    throw new Error(`${err.message}\nEndpoints rows: ${JSON.stringify(await workbench.treeRows("Endpoints", 3))}`);
  });
  await screenshot(session.page, "endpoints-trusted-venv-used");
});

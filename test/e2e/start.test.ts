/**
 * `npm start` without desktop VS Code: code-server serves the sample workspace with the extension loaded
 * from the repo, and Ctrl+C stops it all.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, repoRoot } from "../support/codeServer";
import { withDistLock } from "./harness";

test("npm start prints the workbench URL of the sample workspace in development mode; SIGINT stops it", { timeout: 120_000 }, () =>
  // npm start rebuilds dist/, which other e2e files may be packaging or loading at the same time.
  withDistLock(checkStart),
);

async function checkStart(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "gc-e2e-start-"));
  const port = await freePort();
  // PATH without `code`, so the code-server branch runs even where desktop VS Code is installed.
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/codeServerStart.ts"], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), GLOBUS_COMPUTE_START_DIR: dataDir, PATH: "/usr/bin:/bin" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    let out = "";
    child.stdout.setEncoding("utf8");
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: string) => {
        out += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?\S+/.exec(out);
        if (m) resolve(m[0]);
      });
      child.once("exit", (code) => reject(new Error(`npm start exited (${code}) before printing a URL:\n${out}`)));
    });
    const q = new URL(url).searchParams;
    assert.equal(new URL(url).port, String(port));
    assert.equal(q.get("folder"), join(repoRoot, "media/sample-workspace"));
    assert.deepEqual(JSON.parse(q.get("payload") ?? "null"), [["extensionDevelopmentPath", `vscode-remote://127.0.0.1:${port}${repoRoot}`]]);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /vscode-workbench-web-configuration|workbench/);

    child.kill("SIGINT");
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), "code-server is stopped");
  } finally {
    // On an early failure, SIGINT still lets the script stop code-server's process group.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await once(child, "exit");
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

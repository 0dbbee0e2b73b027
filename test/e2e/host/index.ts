/**
 * Extension-host test entry, loaded by VS Code through `extensionTestsPath` (the @vscode/test-electron
 * `run()` contract). code-server closes the host with exit code 0 even when run() rejects, so every result
 * is also appended, one JSON line each, to the file named by GLOBUS_COMPUTE_E2E_RESULTS; the harness
 * reads that file and fails when it is missing or has no "end" line.
 */
import { appendFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Mocha from "mocha";
import type { HostTestRecord } from "../hostTestRecord";

export async function run(): Promise<void> {
  const resultsFile = process.env.GLOBUS_COMPUTE_E2E_RESULTS;
  if (!resultsFile) throw new Error("GLOBUS_COMPUTE_E2E_RESULTS is not set: nowhere to write the results");
  const write = (r: HostTestRecord) => appendFileSync(resultsFile, `${JSON.stringify(r)}\n`);

  const mocha = new Mocha({ ui: "bdd", timeout: 30_000, color: false });
  for (const f of readdirSync(__dirname).filter((n) => n.endsWith(".spec.js")).sort()) mocha.addFile(join(__dirname, f));

  let failed = 0;
  await new Promise<void>((resolve) => {
    try {
      const runner = mocha.run(() => resolve());
      runner.on("pass", (t) => write({ type: "test", title: t.fullTitle(), state: "passed", durationMs: t.duration ?? 0 }));
      runner.on("pending", (t) => write({ type: "test", title: t.fullTitle(), state: "pending", durationMs: 0 }));
      runner.on("fail", (t, err: Error) => {
        failed++;
        write({ type: "test", title: t.fullTitle(), state: "failed", durationMs: t.duration ?? 0, error: err.stack ?? String(err) });
      });
    } catch (err) {
      // A test file that throws while loading never reaches the runner's events.
      failed++;
      write({ type: "test", title: "(loading the test files)", state: "failed", durationMs: 0, error: String((err as Error).stack ?? err) });
      resolve();
    }
  });
  write({ type: "end", failed });
  if (failed > 0) throw new Error(`${failed} extension-host test(s) failed`);
}

/**
 * `npm start`: opens the extension from this repo on the sample workspace (media/sample-workspace). With
 * `code` on PATH it starts desktop VS Code in extension-development mode; otherwise it runs code-server
 * (installed on first use) and prints the URL to open in a browser. User data is kept in .cache/start
 * (or $GLOBUS_COMPUTE_START_DIR), so task groups remembered by the workspace survive restarts. $PORT
 * picks the port (default 8080). Ctrl+C stops it.
 */
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { CodeServer, repoRoot } from "./codeServer";

const workspace = join(repoRoot, "media/sample-workspace");

async function onPath(cmd: string): Promise<boolean> {
  try {
    await promisify(execFile)("sh", ["-c", `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  await promisify(execFile)(process.execPath, ["esbuild.config.mjs"], { cwd: repoRoot });
  if (await onPath("code")) {
    spawn("code", [`--extensionDevelopmentPath=${repoRoot}`, workspace], { stdio: "inherit", detached: true }).unref();
    console.log(`Opened VS Code on ${workspace} with the extension from ${repoRoot}.`);
    return;
  }
  const port = Number(process.env.PORT ?? 8080);
  const server = await CodeServer.start({
    dataDir: process.env.GLOBUS_COMPUTE_START_DIR ?? join(repoRoot, ".cache/start"),
    port,
    // Real trust behaviour: VS Code asks once whether to trust the sample workspace.
    disableWorkspaceTrust: false,
    userSettings: { "security.workspace.trust.startupPrompt": "once" },
  });
  const url = server.workbenchUrl(workspace, [["extensionDevelopmentPath", `vscode-remote://${server.authority}${repoRoot}`]]);
  console.log(`code-server is running. Open this URL in a browser (Ctrl+C here stops it):\n\n  ${url}\n`);
  console.log(`Log: ${server.logFile}`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

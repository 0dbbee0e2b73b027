/**
 * Entry of the local endpoint process (bundled as dist/localEndpoint.js): runs a LocalComputeService for
 * one storage dir and serves it on that dir's socket until idle, asked to stop, or SIGTERM/SIGINT.
 * Usage: `node localEndpoint.js '<DaemonConfig as JSON>'`. Its stdout/stderr is the daemon log the
 * client shows when the start fails.
 */
import { LocalComputeService } from "../../service/local/localComputeService";
import { DaemonServer } from "./daemonServer";
import { socketPathFor, type DaemonConfig } from "./wire";

const log = (line: string): void => console.log(`${new Date().toISOString()} [${process.pid}] ${line}`);

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "") as DaemonConfig;
  if (typeof config.storageDir !== "string") throw new Error("usage: localEndpoint '<config json>' (storageDir missing)");
  const service = await LocalComputeService.create({
    storageDir: config.storageDir,
    python: config.python,
    workers: config.workers,
    cwd: config.cwd,
    maxGroups: config.maxGroups,
    taskTimeoutMs: config.taskTimeoutMs,
  });
  for (const problem of service.storeProblems) log(`store: ${problem}`);
  let server: DaemonServer;
  try {
    server = await DaemonServer.listen({
      config,
      socketPath: socketPathFor(config.storageDir),
      service,
      log,
      onExit: () => {
        // Kills the workers; the exit waits for nothing else.
        service.dispose();
        process.exit(0);
      },
    });
  } catch (err) {
    service.dispose();
    throw err;
  }
  log(`serving ${config.storageDir} on ${socketPathFor(config.storageDir)}`);
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => server.stop(signal));
}

main().catch((err: unknown) => {
  log(`failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});

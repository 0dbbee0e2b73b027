/**
 * Entry of the local endpoint process (bundled as dist/localEndpoint.js): runs a LocalComputeService for
 * one workspace folder and serves it on its socket until idle, asked to stop, or SIGTERM/SIGINT.
 * Started by daemonLauncher.ts with its DaemonStart (config and socket path) as JSON in the environment
 * variable GLOBUS_COMPUTE_LOCAL_ENDPOINT_CONFIG, never in its arguments. Its stdout/stderr is the daemon
 * log (0600) the client shows when the start fails.
 */
import { dirname } from "node:path";
import { checkPrivate, ensurePrivateDir } from "../../../local/privateFiles";
import { LocalComputeService } from "../localComputeService";
import { readSecret } from "./daemonAuth";
import { claimOwnership } from "./daemonOwner";
import { daemonPathsFor } from "./daemonPaths";
import { DaemonServer } from "./daemonServer";
import { DAEMON_CONFIG_ENV, type DaemonStart } from "./wire";

const log = (line: string): void => console.log(`${new Date().toISOString()} [${process.pid}] ${line}`);

async function main(): Promise<void> {
  const start = JSON.parse(process.env[DAEMON_CONFIG_ENV] ?? "null") as DaemonStart | null;
  if (typeof start?.config?.stateRoot !== "string" || typeof start.socketPath !== "string" || typeof start.build !== "string") {
    throw new Error(`start me through the local endpoint client (${DAEMON_CONFIG_ENV} missing or incomplete)`);
  }
  // Not passed on to the workers, nor to what user code starts.
  delete process.env[DAEMON_CONFIG_ENV];
  const { config, socketPath, build } = start;
  const paths = daemonPathsFor(config);
  ensurePrivateDir(paths.stateDir);
  checkPrivate(dirname(socketPath), "directory");
  const secret = readSecret(paths.secretPath);
  // Before the store is opened: it has one writer (STORE_IN_USE stops this one when another serves it).
  const release = await claimOwnership(paths.ownerPath, socketPath);
  process.on("exit", release);
  log(`starting ${config.workers ?? "one per core"} worker(s) with ${config.python ?? "the default Python"}`);
  const service = await LocalComputeService.create({
    storageDir: paths.storeDir,
    python: config.python,
    workers: config.workers,
    cwd: config.cwd,
    maxGroups: config.maxGroups,
    maxTasks: config.maxTasks,
    taskTimeoutMs: config.taskTimeoutMs,
    startTimeoutMs: config.workerStartTimeoutMs,
    log,
  });
  for (const problem of service.storeProblems) log(`store: ${problem}`);
  let server: DaemonServer;
  try {
    server = await DaemonServer.listen({
      config,
      build,
      socketPath,
      secret,
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
  log(`serving ${config.workspaceFolder ?? "(no folder)"} from ${paths.stateDir} on ${socketPath}`);
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => server.stop(signal));
}

main().catch((err: unknown) => {
  log(`failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});

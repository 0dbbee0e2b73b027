/**
 * Finds the local endpoint process serving a workspace folder, or starts one. The daemon recorded in the
 * state dir (see daemonOwner.ts) is tried first, whatever socket path this process's environment would
 * compute. The start is guarded by an exclusive lock file (O_EXCL) in its private state dir, so two windows
 * opening at once end up on one daemon; a lock whose owner died is taken over. The daemon is detached (its own session, stdio to the log file) so it
 * outlives the window, and runs under `process.execPath` with ELECTRON_RUN_AS_NODE=1 so desktop VS
 * Code's Electron binary acts as plain Node.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { LocalEndpointError } from "../../local/errors";
import { checkPrivate, ensurePrivateDir, openPrivateAppend, PRIVATE_FILE_MODE } from "../../local/privateFiles";
import { loadOrCreateSecret } from "./daemon/daemonAuth";
import { isAlive, ownerAlive, readOwner } from "./daemon/daemonOwner";
import { daemonPathsFor, socketPathFor, type DaemonPaths } from "./daemon/daemonPaths";
import { DAEMON_CONFIG_ENV, type DaemonConfig, type DaemonStart } from "./daemon/wire";
import { poolStartBudgetMs } from "../../local/workerPool";

export interface DaemonLaunch {
  /** The daemon's entry script; default dist/localEndpoint.js next to this bundle. */
  entry: string;
  /** Node options before the entry (sources under tsx: `["--import", "tsx"]`). */
  execArgv?: string[];
  /** How long a start may take before it is reported failed; default `daemonStartTimeoutMs(config)`. */
  startTimeoutMs?: number;
}

/** The bundled daemon when running from dist/, else the sources through tsx (tests, development). */
export function defaultLaunch(): DaemonLaunch {
  const bundled = join(__dirname, "localEndpoint.js");
  if (existsSync(bundled)) return { entry: bundled };
  // tsx resolved here, not from the daemon's working directory (which need not see node_modules).
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  return { entry: join(__dirname, "daemon/main.ts"), execArgv: ["--import", tsx] };
}

/**
 * A socket to the daemon for `config`'s workspace folder (started as `build` of `launch` if none answers;
 * one found may be of another build) and the secret to authenticate it.
 */
export async function connectOrSpawn(
  config: DaemonConfig,
  launch: DaemonLaunch,
  build: string,
): Promise<{ socket: Socket; secret: Buffer; paths: DaemonPaths }> {
  const paths = daemonPathsFor(config);
  const timeoutMs = launch.startTimeoutMs ?? daemonStartTimeoutMs(config);
  const deadline = Date.now() + timeoutMs;
  ensurePrivateDir(paths.stateDir);
  const secret = loadOrCreateSecret(paths.secretPath);
  for (;;) {
    const existing = socketPathFor(paths, false);
    const socket = (await tryRecorded(paths)) ?? (existing === undefined ? undefined : await tryConnect(existing));
    if (socket) return { socket, secret, paths };
    if (takeLock(paths.lockPath, timeoutMs)) {
      try {
        const socketPath = socketPathFor(paths, true)!;
        const found = (await tryRecorded(paths)) ?? (await tryConnect(socketPath)) ?? (await spawnAndConnect({ config, socketPath, build }, paths, launch, deadline));
        return { socket: found, secret, paths };
      } finally {
        releaseLock(paths.lockPath);
      }
    }
    // Another client is starting it: wait for the socket.
    if (Date.now() > deadline) {
      throw new LocalEndpointError("DAEMON_START_FAILED", `The local endpoint did not start within ${timeoutMs} ms (${budgetWhy(config, timeoutMs)}).${logTail(paths)}`);
    }
    await sleep(100);
  }
}

/**
 * How long a client waits for a daemon it started: longer than the daemon may take to start its workers
 * (it answers only once they are up, and when they fail it exits with the reason in its log), plus the
 * daemon's own start-up.
 */
export function daemonStartTimeoutMs(config: DaemonConfig): number {
  return DAEMON_OWN_START_MS + poolStartBudgetMs(config.workers, config.workerStartTimeoutMs);
}

const DAEMON_OWN_START_MS = 15_000;

/** Why a client gave up waiting after `timeoutMs`, for its error. */
function budgetWhy(config: DaemonConfig, timeoutMs: number): string {
  const pool = poolStartBudgetMs(config.workers, config.workerStartTimeoutMs);
  return timeoutMs === daemonStartTimeoutMs(config)
    ? `waited for as long as its workers may take to start, ${pool} ms, and ${DAEMON_OWN_START_MS} ms more`
    : `the launcher's limit; its workers may take up to ${pool} ms to start`;
}

async function spawnAndConnect(start: DaemonStart, paths: DaemonPaths, launch: DaemonLaunch, deadline: number): Promise<Socket> {
  // Appended across starts (the tail of a failed start follows the earlier ones), restarted when large.
  const logFd = openPrivateAppend(paths.logPath, existsSync(paths.logPath) && statSync(paths.logPath).size > MAX_LOG_BYTES);
  let exited: string | undefined;
  try {
    // The config (paths included) goes in the environment, which only this user can read; never in argv.
    const child = spawn(process.execPath, [...(launch.execArgv ?? []), launch.entry], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1", [DAEMON_CONFIG_ENV]: JSON.stringify(start) },
      // Not the workspace: the daemon must not keep a folder the user may delete busy.
      cwd: paths.stateDir,
    });
    child.on("error", (err) => (exited = err.message));
    child.on("exit", (code, signal) => (exited = signal ? `killed by ${signal}` : `exit code ${code}`));
    // Not ours to wait for: it outlives this process.
    child.unref();
  } finally {
    closeSync(logFd);
  }
  // One that stopped because another daemon serves the folder (recorded, still starting) leads to that one.
  while ((exited === undefined || recordedAlive(paths)) && Date.now() < deadline) {
    const socket = (await tryConnect(start.socketPath)) ?? (await tryRecorded(paths));
    if (socket) return socket;
    await sleep(50);
  }
  const why = exited === undefined ? `it did not answer in time (${budgetWhy(start.config, launch.startTimeoutMs ?? daemonStartTimeoutMs(start.config))})` : `it stopped (${exited})`;
  throw new LocalEndpointError("DAEMON_START_FAILED", `The local endpoint process failed to start: ${why}.${logTail(paths)}`);
}

/**
 * Connects when a socket is there, after checking that it and its directory are the user's own and
 * private (DAEMON_UNTRUSTED otherwise: nothing is sent to it).
 */
function tryConnect(socketPath: string): Promise<Socket | undefined> {
  checkPrivate(dirname(socketPath), "directory");
  if (!existsSync(socketPath)) return Promise.resolve(undefined);
  checkPrivate(socketPath, "socket");
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    socket.once("connect", () => {
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

/** The recorded daemon's socket, connected; undefined when none is recorded, it does not answer, or its socket is not provably ours. */
async function tryRecorded(paths: DaemonPaths): Promise<Socket | undefined> {
  const owner = readOwner(paths.ownerPath);
  if (owner === undefined || !ownerAlive(owner)) return undefined;
  try {
    return await tryConnect(owner.socketPath);
  } catch {
    return undefined; // a socket (or directory) someone else swapped in: the computed path is tried instead
  }
}

function recordedAlive(paths: DaemonPaths): boolean {
  const owner = readOwner(paths.ownerPath);
  return owner !== undefined && ownerAlive(owner);
}

/** Creates the lock file exclusively; a lock left by a dead process, or older than a start may take, is broken. */
function takeLock(lockPath: string, staleAfterMs: number): boolean {
  try {
    const fd = openSync(lockPath, "wx", PRIVATE_FILE_MODE);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  try {
    const pid = Number(readFileSync(lockPath, "utf8"));
    const old = Date.now() - statSync(lockPath).mtimeMs > staleAfterMs + 5000;
    if (old || (pid > 0 && !isAlive(pid))) unlinkSync(lockPath);
  } catch {
    // gone meanwhile, or being written: look again on the next round
  }
  return false;
}

function releaseLock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // already broken by another client as stale
  }
}

/** The end of the daemon log, for error messages. */
export function logTail(paths: DaemonPaths, lines = 15): string {
  try {
    const text = readFileSync(paths.logPath, "utf8").trimEnd();
    if (text === "") return "";
    return `\nLocal endpoint log (${paths.logPath}):\n${text.split("\n").slice(-lines).join("\n")}`;
  } catch {
    return "";
  }
}

const MAX_LOG_BYTES = 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Finds the local endpoint process serving a storage dir, or starts one. The start is guarded by an
 * exclusive lock file (O_EXCL) in the dir, so two windows opening at once end up on one daemon; a lock
 * whose owner died is taken over. The daemon is detached (its own session, stdio to the log file) so it
 * outlives the window, and runs under `process.execPath` with ELECTRON_RUN_AS_NODE=1 so desktop VS
 * Code's Electron binary acts as plain Node.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LocalEndpointError } from "../../local/errors";
import { lockPathFor, logPathFor, socketPathFor, type DaemonConfig } from "../../local/daemon/wire";

export interface DaemonLaunch {
  /** The daemon's entry script; default dist/localEndpoint.js next to this bundle. */
  entry: string;
  /** Node options before the entry (sources under tsx: `["--import", "tsx"]`). */
  execArgv?: string[];
  /** How long a start may take before it is reported failed; default 15 s. */
  startTimeoutMs?: number;
}

/** The bundled daemon when running from dist/, else the sources through tsx (tests, development). */
export function defaultLaunch(): DaemonLaunch {
  const bundled = join(__dirname, "localEndpoint.js");
  if (existsSync(bundled)) return { entry: bundled };
  // tsx resolved here, not from the daemon's working directory (which need not see node_modules).
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  return { entry: join(__dirname, "../../local/daemon/main.ts"), execArgv: ["--import", tsx] };
}

/** A connected socket to the daemon for `config.storageDir`, started if none answers. */
export async function connectOrSpawn(config: DaemonConfig, launch: DaemonLaunch): Promise<Socket> {
  const socketPath = socketPathFor(config.storageDir);
  const lockPath = lockPathFor(config.storageDir);
  const timeoutMs = launch.startTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  mkdirSync(config.storageDir, { recursive: true });
  for (;;) {
    const socket = await tryConnect(socketPath);
    if (socket) return socket;
    if (takeLock(lockPath, timeoutMs)) {
      try {
        return (await tryConnect(socketPath)) ?? (await spawnAndConnect(config, launch, socketPath, deadline));
      } finally {
        releaseLock(lockPath);
      }
    }
    // Another client is starting it: wait for the socket.
    if (Date.now() > deadline) {
      throw new LocalEndpointError("DAEMON_START_FAILED", `The local endpoint did not start within ${timeoutMs} ms.${logTail(config.storageDir)}`);
    }
    await sleep(100);
  }
}

async function spawnAndConnect(config: DaemonConfig, launch: DaemonLaunch, socketPath: string, deadline: number): Promise<Socket> {
  // Appended across starts (the tail of a failed start follows the earlier ones), restarted when large.
  const logPath = logPathFor(config.storageDir);
  const logFd = openSync(logPath, existsSync(logPath) && statSync(logPath).size > MAX_LOG_BYTES ? "w" : "a");
  let exited: string | undefined;
  try {
    const child = spawn(process.execPath, [...(launch.execArgv ?? []), launch.entry, JSON.stringify(config)], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      // Not the workspace: the daemon must not keep a folder the user may delete busy.
      cwd: config.storageDir,
    });
    child.on("error", (err) => (exited = err.message));
    child.on("exit", (code, signal) => (exited = signal ? `killed by ${signal}` : `exit code ${code}`));
    // Not ours to wait for: it outlives this process.
    child.unref();
  } finally {
    closeSync(logFd);
  }
  while (exited === undefined && Date.now() < deadline) {
    const socket = await tryConnect(socketPath);
    if (socket) return socket;
    await sleep(50);
  }
  const why = exited === undefined ? "it did not answer in time" : `it stopped (${exited})`;
  throw new LocalEndpointError("DAEMON_START_FAILED", `The local endpoint process failed to start: ${why}.${logTail(config.storageDir)}`);
}

function tryConnect(socketPath: string): Promise<Socket | undefined> {
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

/** Creates the lock file exclusively; a lock left by a dead process, or older than a start may take, is broken. */
function takeLock(lockPath: string, staleAfterMs: number): boolean {
  try {
    const fd = openSync(lockPath, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  try {
    const pid = Number(readFileSync(lockPath, "utf8"));
    const old = Date.now() - statSync(lockPath).mtimeMs > staleAfterMs + 5000;
    if (old || (pid > 0 && !alive(pid))) unlinkSync(lockPath);
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The end of the daemon log, for error messages. */
export function logTail(storageDir: string, lines = 15): string {
  try {
    const text = readFileSync(logPathFor(storageDir), "utf8").trimEnd();
    if (text === "") return "";
    return `\nLocal endpoint log (${logPathFor(storageDir)}):\n${text.split("\n").slice(-lines).join("\n")}`;
  } catch {
    return "";
  }
}

const MAX_LOG_BYTES = 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The record of the local endpoint process that serves a state directory (its pid and socket), a private
 * file there for as long as it runs. It keeps the store single-writer: a daemon starts only when no live
 * one is recorded, since two journaling into one store each fail the other's running tasks as lost. And
 * it lets every client find that daemon whatever socket path its own environment computes (one window
 * with XDG_RUNTIME_DIR and one without, or a daemon started by an older version).
 */
import { closeSync, existsSync, lstatSync, openSync, readFileSync, unlinkSync } from "node:fs";
import { LocalEndpointError } from "../../../local/errors";
import { privacyProblem, PRIVATE_FILE_MODE, writeAll } from "../../../local/privateFiles";
import { answers } from "./daemonServer";

export interface DaemonOwner {
  pid: number;
  socketPath: string;
  /** When the process started (Linux: /proc's start time), so a pid reused by another process is told apart. */
  started?: string;
}

/** The recorded daemon, if the record is the user's private file and reads as one. */
export function readOwner(path: string): DaemonOwner | undefined {
  try {
    if (!existsSync(path) || privacyProblem(lstatSync(path), "file")) return undefined;
    const o = JSON.parse(readFileSync(path, "utf8")) as Partial<DaemonOwner>;
    if (!Number.isInteger(o.pid) || typeof o.socketPath !== "string") return undefined;
    return { pid: o.pid!, socketPath: o.socketPath, ...(typeof o.started === "string" ? { started: o.started } : {}) };
  } catch {
    return undefined;
  }
}

/** Whether the recorded process still runs (the same process: its start time matches where it can be read). */
export function ownerAlive(owner: DaemonOwner): boolean {
  if (!isAlive(owner.pid)) return false;
  return owner.started === undefined || processStart(owner.pid) === owner.started;
}

/**
 * Records this process as the daemon of the state directory, or throws STORE_IN_USE when a live daemon
 * is recorded there; a record whose process is gone is taken over, and one whose daemon no longer
 * answers is given `waitMs` to exit (a daemon stopping closes its socket first). Returns the release (it
 * removes the record only while it is still this process's).
 */
export async function claimOwnership(path: string, socketPath: string, waitMs = 3000): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx", PRIVATE_FILE_MODE);
      try {
        const started = processStart(process.pid);
        writeAll(fd, JSON.stringify({ pid: process.pid, socketPath, ...(started ? { started } : {}) }));
      } finally {
        closeSync(fd);
      }
      return () => {
        if (readOwner(path)?.pid !== process.pid) return;
        try {
          unlinkSync(path);
        } catch {
          // gone already
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw new LocalEndpointError("STORE_IO", `cannot record the local endpoint process in ${path}: ${(err as Error).message}`, { cause: err });
    }
    const owner = readOwner(path);
    if (owner && ownerAlive(owner)) {
      if (Date.now() < deadline && !(await answers(owner.socketPath, 200))) {
        attempt--;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      throw new LocalEndpointError("STORE_IN_USE", `another local endpoint process (pid ${owner.pid}) already serves this folder, on ${owner.socketPath}`);
    }
    if (attempt >= 2) throw new LocalEndpointError("STORE_IO", `cannot take over the record of a stopped local endpoint process in ${path}`);
    try {
      unlinkSync(path);
    } catch {
      // removed by another process taking it over: try again
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The process's start time since boot (field 22 of /proc/<pid>/stat), where /proc exists. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

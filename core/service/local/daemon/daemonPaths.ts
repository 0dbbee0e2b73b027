/**
 * Where the local endpoint of one workspace folder lives, per user: its state directory (result store,
 * log, start lock, secret) under the user's private state root, keyed by a hash of the folder's real
 * path, so every window on the folder (whatever VS Code's per-window storage, whichever symbolic link it
 * was opened through) shares one daemon and one history;
 * and its socket, in a directory only the user can enter:
 *
 * 1. `$XDG_RUNTIME_DIR/globus-compute-vscode/` when that runtime directory is the user's own and private;
 * 2. else the state directory itself when the socket path fits in `sockaddr_un`;
 * 3. else a directory made by mkdtemp under the temp dir (unpredictable, 0700), whose path is kept in a
 *    0600 pointer file in the state directory. A pointer to a directory that is gone or no longer the
 *    user's private one (a temp cleaner, then someone else) is ignored and a new directory is made.
 *
 * Never a predictable name directly in a shared temp dir.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdtempSync, readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { currentUid, ensurePrivateDir, privacyProblem, writePrivateFileAtomic } from "../../../local/privateFiles";
import { folderKeyIn } from "../../../util/canonicalFolder";

/** Longest socket path used: sockaddr_un holds ~108 bytes on Linux and 104 on macOS. */
const MAX_SOCKET_PATH = 100;

export interface DaemonIdentity {
  /** The user's private root for local endpoints (the extension: its global storage). */
  stateRoot: string;
  /** The workspace folder the endpoint serves; undefined for a window without a folder. */
  workspaceFolder?: string;
}

export interface DaemonPaths {
  key: string;
  stateDir: string;
  storeDir: string;
  secretPath: string;
  lockPath: string;
  logPath: string;
  /** Holds the path of the mkdtemp socket directory (case 3). */
  socketDirPointer: string;
  /** The record of the daemon serving this state dir (see daemonOwner.ts). */
  ownerPath: string;
  /** Names the socket in the shared runtime directory (case 1): the state dir's own, so two state roots on one folder (two editors) never meet there. */
  socketKey: string;
}

/** Hash of user and folder: the same folder (however opened) gives the same endpoint in every window, another user another. */
export function identityKey(identity: DaemonIdentity): string {
  const hashOf = (folder: string) => createHash("sha256").update(`${currentUid()}\0${folder}`).digest("hex").slice(0, 24);
  return identity.workspaceFolder ? folderKeyIn(identity.stateRoot, identity.workspaceFolder, hashOf) : hashOf("");
}

export function daemonPathsFor(identity: DaemonIdentity): DaemonPaths {
  const key = identityKey(identity);
  const stateDir = join(identity.stateRoot, key);
  return {
    socketKey: createHash("sha256").update(`${currentUid()}\0${stateDir}`).digest("hex").slice(0, 24),
    ownerPath: join(stateDir, "daemon.json"),
    key,
    stateDir,
    storeDir: join(stateDir, "store"),
    secretPath: join(stateDir, "secret"),
    lockPath: join(stateDir, "daemon.lock"),
    logPath: join(stateDir, "daemon.log"),
    socketDirPointer: join(stateDir, "socket-dir"),
  };
}

/** The default state root when no editor gives one: `$XDG_STATE_HOME` or `~/.local/state`. */
export function defaultStateRoot(): string {
  return join(process.env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "globus-compute-vscode", "local-endpoints");
}

/**
 * The socket path of the endpoint, or undefined when none is chosen yet (case 3 before its first start).
 * With `create`, a missing directory is made (the caller holds the start lock).
 */
export function socketPathFor(paths: DaemonPaths, create: boolean): string | undefined {
  const runtime = usableRuntimeDir();
  if (runtime) {
    const dir = join(runtime, "globus-compute-vscode");
    const path = join(dir, `${paths.socketKey}.sock`);
    if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) {
      ensurePrivateDir(dir);
      return path;
    }
  }
  const inState = join(paths.stateDir, "d.sock");
  if (Buffer.byteLength(inState) <= MAX_SOCKET_PATH) return inState;
  const pointed = readPointer(paths.socketDirPointer);
  if (pointed) return join(pointed, "d.sock");
  if (!create) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "gc-vscode-"));
  writePrivateFileAtomic(paths.socketDirPointer, dir);
  return join(dir, "d.sock");
}

function usableRuntimeDir(): string | undefined {
  const dir = process.env.XDG_RUNTIME_DIR;
  if (!dir) return undefined;
  try {
    return privacyProblem(lstatSync(dir), "directory") === undefined ? dir : undefined;
  } catch {
    return undefined;
  }
}

function readPointer(pointer: string): string | undefined {
  try {
    if (!existsSync(pointer) || privacyProblem(lstatSync(pointer), "file")) return undefined;
    const dir = readFileSync(pointer, "utf8").trim();
    return dir !== "" && privacyProblem(lstatSync(dir), "directory") === undefined ? dir : undefined;
  } catch {
    return undefined;
  }
}

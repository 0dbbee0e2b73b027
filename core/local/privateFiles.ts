/**
 * Files only the user can read, in directories only the user can enter: on a shared login node every
 * task's source, arguments, results and prints are someone's research data. Checks use lstat, so a
 * symbolic link planted in place of a directory or file is refused, not followed.
 */
import { chmodSync, closeSync, fchmodSync, lstatSync, mkdirSync, openSync, renameSync, writeSync, type Stats } from "node:fs";
import { LocalEndpointError } from "./errors";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** This process's user id (-1 where there is none, e.g. Windows, and no ownership check is possible). */
export const currentUid = (): number => process.getuid?.() ?? -1;

/** Why `st` is not the user's own private `kind`, or undefined when it is. */
export function privacyProblem(st: Stats, kind: "directory" | "file" | "socket"): string | undefined {
  const isKind = kind === "directory" ? st.isDirectory() : kind === "file" ? st.isFile() : st.isSocket();
  if (!isKind) return st.isSymbolicLink() ? "is a symbolic link" : `is not a ${kind}`;
  const uid = currentUid();
  if (uid >= 0 && st.uid !== uid) return `is owned by user ${st.uid}, not by this user (${uid})`;
  if ((st.mode & 0o077) !== 0) return `has mode ${(st.mode & 0o777).toString(8)}: others may enter or read it`;
  return undefined;
}

/** Throws DAEMON_UNTRUSTED unless `path` is the user's own private `kind`. */
export function checkPrivate(path: string, kind: "directory" | "file" | "socket"): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (err) {
    throw new LocalEndpointError("DAEMON_UNTRUSTED", `${path} cannot be checked: ${(err as Error).message}`, { cause: err });
  }
  const problem = privacyProblem(st, kind);
  if (problem) throw new LocalEndpointError("DAEMON_UNTRUSTED", `${path} ${problem}; refusing to use it`);
}

/**
 * Creates `dir` (and missing parents) 0700, or takes an existing one: ours and a real directory, it is
 * made 0700 (our own folder left group-readable by the umask); anyone else's, or a link, is refused.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (err) {
    throw new LocalEndpointError("STORE_IO", `cannot create ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const st = lstatSync(dir);
  const owned = st.isDirectory() && (currentUid() < 0 || st.uid === currentUid());
  if (owned && (st.mode & 0o077) !== 0) chmodSync(dir, PRIVATE_DIR_MODE);
  checkPrivate(dir, "directory");
}

const WRITE_CHUNK = 1 << 20;

/** Writes `path` atomically (temporary file renamed over it), created 0600; `data` may come in pieces (no string need hold it all). */
export function writePrivateFileAtomic(path: string, data: string | Uint8Array | Iterable<string>): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", PRIVATE_FILE_MODE);
  try {
    // A leftover .tmp of another mode keeps its mode on open: set it.
    fchmodSync(fd, PRIVATE_FILE_MODE);
    if (typeof data === "string" || data instanceof Uint8Array) writeAll(fd, data);
    else {
      // Pieces gathered into writes of about a megabyte: a write per journal line would be a syscall each.
      let pending = "";
      for (const piece of data) {
        pending += piece;
        if (pending.length >= WRITE_CHUNK) {
          writeAll(fd, pending);
          pending = "";
        }
      }
      if (pending !== "") writeAll(fd, pending);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Opens `path` for appending (created 0600; an existing file is made 0600). */
export function openPrivateAppend(path: string, truncate = false): number {
  const fd = openSync(path, truncate ? "w" : "a", PRIVATE_FILE_MODE);
  fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}

export function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * Mutual authentication of the daemon and its clients: both read a random secret from a 0600 file in
 * the user's private state directory, and each proves it knows the secret by an HMAC over a fresh
 * challenge of the other side. The secret itself never crosses the socket, so a process impersonating
 * the daemon learns nothing from a client (which sends only its random challenge before the proof
 * checks out), and a proof cannot be replayed on another connection.
 *
 *   client → daemon  {"hello": 1, "challenge": c}
 *   daemon → client  {"challenge": d, "proof": HMAC(secret, "daemon" c d)}
 *   client → daemon  {"proof": HMAC(secret, "client" d c)}      then requests
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, openSync, readFileSync } from "node:fs";
import { LocalEndpointError } from "../../../local/errors";
import { checkPrivate, PRIVATE_FILE_MODE, writeAll } from "../../../local/privateFiles";

const SECRET_BYTES = 32;

/** The secret in `path`, created (0600, exclusively) when missing; refused unless the user's own private file. */
export function loadOrCreateSecret(path: string): Buffer {
  try {
    const fd = openSync(path, "wx", PRIVATE_FILE_MODE);
    try {
      writeAll(fd, randomBytes(SECRET_BYTES).toString("hex"));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new LocalEndpointError("STORE_IO", `cannot create the local endpoint secret ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  return readSecret(path);
}

export function readSecret(path: string): Buffer {
  checkPrivate(path, "file");
  const secret = Buffer.from(readFileSync(path, "utf8").trim(), "hex");
  // A file still being written by a racing creator reads short: the caller retries on the next round.
  if (secret.length !== SECRET_BYTES) throw new LocalEndpointError("DAEMON_UNTRUSTED", `the local endpoint secret ${path} is malformed`);
  return secret;
}

export const newChallenge = (): string => randomBytes(32).toString("base64");

export function proof(secret: Buffer, role: "daemon" | "client", first: string, second: string): string {
  return createHmac("sha256", secret).update(`${role}\0${first}\0${second}`).digest("base64");
}

export function proofMatches(expected: string, got: unknown): boolean {
  if (typeof got !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The one path of a folder, however it was opened: through a symbolic link (an HPC home linked into
 * /gpfs, `code .` from a linked directory), with `..` or a trailing separator. What belongs to a folder
 * (its task history, its local endpoint) is keyed by this, so every window on the folder finds the same.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";

export function canonicalFolder(folder: string): string {
  try {
    return realpathSync.native(folder);
  } catch {
    return resolve(folder); // missing or unreadable: as written, made absolute
  }
}

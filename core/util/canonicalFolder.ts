/**
 * The one path of a folder, however it was opened: through a symbolic link (an HPC home linked into
 * /gpfs, `code .` from a linked directory), with `..` or a trailing separator. What belongs to a folder
 * (its task history, its local endpoint) is keyed by this, so every window on the folder finds the same.
 */
import { existsSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";

export function canonicalFolder(folder: string): string {
  try {
    return realpathSync.native(folder);
  } catch {
    return resolve(folder); // missing or unreadable: as written, made absolute
  }
}

/**
 * The name under `root` of what belongs to `folder`: `keyOf` its canonical path, unless only the name of
 * the path as written exists there already, made before names were canonical (a linked HPC home; on
 * Windows the drive letter's case alone differs), which is kept so that an update hides nothing.
 */
export function folderKeyIn(root: string, folder: string, keyOf: (path: string) => string): string {
  const canonical = keyOf(canonicalFolder(folder));
  const written = keyOf(resolve(folder));
  if (written === canonical || existsSync(join(root, canonical)) || !existsSync(join(root, written))) return canonical;
  return written;
}

/**
 * Where a workspace folder's history lives: one folder per (workspace folder, user) under the extension's
 * global storage, so every window on the folder (another browser, a second window, after a crash) finds
 * the same history, unlike the per-window workspace storage folder.
 */
import { createHash } from "node:crypto";
import { userInfo } from "node:os";
import { join } from "node:path";
import { folderKeyIn } from "../util/canonicalFolder";

export function historyDir(globalStorageDir: string, workspaceFolder: string | undefined, user = currentUser()): string {
  const root = join(globalStorageDir, "history");
  const hashOf = (key: string) => createHash("sha256").update(`${user}\0${key}`).digest("hex").slice(0, 24);
  return join(root, workspaceFolder === undefined ? hashOf("no-folder") : folderKeyIn(root, workspaceFolder, hashOf));
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? "user");
  }
}

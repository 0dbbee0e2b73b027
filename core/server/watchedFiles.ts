/**
 * Project files changed outside the editor (a `git checkout`, a script that writes a module, a colleague's
 * edit of a shared library): the server asks the client to watch the project's files, so that what looked
 * at a changed file or directory is analysed again without waiting for its own next edit.
 */
import { dirname } from "node:path";
import { DidChangeWatchedFilesNotification, WatchKind, type Connection, type FileSystemWatcher } from "vscode-languageserver";

/**
 * Python files changed, and anything created or deleted: a directory too. A package directory moved out
 * of the workspace or deleted at once is one event for the directory (VS Code drops its children's deletes
 * as implied, and a move has none), which a `*.py` glob never matches; likewise a package moved in.
 */
export const PROJECT_WATCHERS: FileSystemWatcher[] = [
  { globPattern: "**/*.py", kind: WatchKind.Change },
  { globPattern: "**/*", kind: WatchKind.Create | WatchKind.Delete },
];

/**
 * Asks the client (one that takes dynamic registrations) to report the project's files as they change on
 * disk: plain globs, which the client applies to every folder, those added later too. Extra paths outside
 * the workspace are not watched: a recursive watch of a large tree (a home directory, a site-packages)
 * costs the whole editor, and another machine's edits on a network file system are not reported anyway.
 * The registration ends with the server.
 */
export function watchProjectFiles(connection: Connection): void {
  // A client that refuses leaves diagnostics to follow edits only, as without watching.
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: PROJECT_WATCHERS }).catch(() => undefined);
}

/**
 * The changed paths and every directory above them: a module created in a new directory concerns whoever
 * looked for that directory (a package or a namespace package that did not exist yet).
 */
export function withAncestors(paths: Iterable<string>): Set<string> {
  const all = new Set<string>();
  for (const path of paths) {
    for (let p = path; !all.has(p); p = dirname(p)) {
      all.add(p);
      if (dirname(p) === p) break;
    }
  }
  return all;
}

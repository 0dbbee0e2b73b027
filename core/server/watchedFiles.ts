/**
 * Project files changed outside the editor (a `git checkout`, a script that writes a module, a colleague's
 * edit of a shared library): the server asks the client to watch Python files, so that what looked at a
 * changed file is analysed again without waiting for its own next edit.
 */
import { dirname, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { DidChangeWatchedFilesNotification, type Connection, type FileSystemWatcher } from "vscode-languageserver";
import type { Disposable } from "../util/disposable";

const PYTHON_FILES = "**/*.py";

/**
 * Python files in the workspace folders (a plain glob: the client applies it to every folder, those added
 * later too), and under each extra root outside them when the client takes patterns with a base.
 */
export function pythonFileWatchers(folders: readonly string[], extraRoots: readonly string[], relativePatterns: boolean): FileSystemWatcher[] {
  const watchers: FileSystemWatcher[] = [{ globPattern: PYTHON_FILES }];
  if (!relativePatterns) return watchers;
  const inFolder = (p: string) => folders.some((f) => p === f || p.startsWith(f.endsWith(sep) ? f : f + sep));
  for (const root of new Set(extraRoots)) {
    if (!inFolder(root)) watchers.push({ globPattern: { baseUri: pathToFileURL(root).href, pattern: PYTHON_FILES } });
  }
  return watchers;
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

/**
 * The client's registration of the watchers, replaced when they change (the extra roots come from
 * settings). Registrations are made one after another, each replacing the one before.
 */
export class PythonFileWatch implements Disposable {
  private current: Promise<Disposable | undefined> = Promise.resolve(undefined);
  private key: string | undefined;
  private disposed = false;

  constructor(private readonly connection: Connection) {}

  watch(watchers: FileSystemWatcher[]): void {
    const key = JSON.stringify(watchers);
    if (this.disposed || key === this.key) return;
    this.key = key;
    this.current = this.current.then(async (previous) => {
      previous?.dispose();
      if (this.disposed) return undefined;
      // A client that refuses leaves diagnostics to follow edits only, as without watching.
      return this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch(() => undefined);
    });
  }

  /**
   * Stops replacing the registration. The last one is left to the client, which drops it with the server:
   * unregistering now would be a request on a closing connection.
   */
  dispose(): void {
    this.disposed = true;
  }
}

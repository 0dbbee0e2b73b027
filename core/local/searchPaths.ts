/**
 * The search paths the local endpoint's workers are started with, and how a bare interpreter name is
 * found on them. The workers run in the workspace folder, which others may be able to write to (a cloned
 * repository), so no search path may lead there: an empty or relative PATH entry (`:/usr/bin`, `.`) would
 * run a `python3` committed at its root, an empty PYTHONPATH entry would import its `json.py` ahead of the
 * standard library.
 */
import { accessSync, constants, statSync } from "node:fs";
import { posix, win32 } from "node:path";

/**
 * `env` without the empty entries of PYTHONPATH (`:/x`, a common slip) and without the empty and relative
 * entries of PATH, so neither the workers nor what user code starts look anything up in the working directory.
 */
export function withoutWorkingDirOnPaths(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  const path = pathFor(platform);
  const result = filterEntries(env, "PYTHONPATH", (p) => p !== "", path.delimiter);
  return filterEntries(result, pathKey(result, platform), path.isAbsolute, path.delimiter);
}

/**
 * The absolute path `command` runs: itself when it names a path (`/usr/bin/python3`, `venv/bin/python`:
 * chosen explicitly), else the first executable file of that name in an absolute entry of `env`'s PATH,
 * as spawn would find it but never through an entry that means the working directory (Windows searches
 * the working directory before PATH: not here). Undefined when there is none.
 */
export function findExecutable(command: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  const path = pathFor(platform);
  if (command.includes("/") || (platform === "win32" && command.includes("\\"))) return command;
  // Windows runs `python` as python.com or python.exe (libuv's order); a name with an extension as it is.
  const names = platform === "win32" && path.extname(command) === "" ? [`${command}.com`, `${command}.exe`] : [command];
  for (const dir of absoluteEntries(env, platform)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The entries of `env`'s PATH a lookup uses: the absolute ones. */
export function absoluteEntries(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string[] {
  const path = pathFor(platform);
  return (env[pathKey(env, platform)] ?? "").split(path.delimiter).filter((p) => path.isAbsolute(p));
}

function filterEntries(env: NodeJS.ProcessEnv, key: string, keep: (entry: string) => boolean, delimiter: string): NodeJS.ProcessEnv {
  const value = env[key];
  if (value === undefined || value.split(delimiter).every(keep)) return env;
  const kept = value.split(delimiter).filter(keep);
  const { [key]: _dropped, ...rest } = env;
  return kept.length > 0 ? { ...rest, [key]: kept.join(delimiter) } : rest;
}

/** Windows spells it `Path` as often as `PATH` (a copied environment object is case-sensitive). */
function pathKey(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform !== "win32") return "PATH";
  return Object.keys(env).find((k) => k.toUpperCase() === "PATH") ?? "PATH";
}

function pathFor(platform: NodeJS.Platform): typeof posix {
  return platform === "win32" ? win32 : posix;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the project's own modules are found besides the workspace folders: ours
 * (`globusCompute.python.extraPaths`), else the Python extension's (`python.analysis.extraPaths`). Ours is
 * restricted, so VS Code gives an untrusted workspace's value as unset; the Python extension's may not be,
 * so from an untrusted workspace only the user's own value of it counts: the workspace must not pick which
 * files outside it are shipped with its functions.
 */
export interface PythonExtraPaths {
  /** The effective value (user, workspace and folder values merged). */
  value: unknown;
  /** The user's own value. */
  userValue: unknown;
}

export function chooseExtraPaths(own: unknown, python: PythonExtraPaths, trusted: boolean): string[] {
  const fallback = trusted ? python.value : python.userValue;
  const paths = Array.isArray(own) ? own : Array.isArray(fallback) ? fallback : [];
  return paths.filter((p): p is string => typeof p === "string");
}

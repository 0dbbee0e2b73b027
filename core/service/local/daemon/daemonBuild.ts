/**
 * Which build of the local endpoint a daemon runs: its entry script's path, size and modification time
 * when the client started it. The daemon outlives windows, so without this a client of a newer build (the
 * extension updated, or rebuilt in development) would keep being served by the old code, whose worker
 * script is respawned from a directory VS Code later removes. A client of another build retires it
 * (LocalEndpointClient), as it does a daemon started with other settings.
 */
import { statSync } from "node:fs";

export function daemonBuild(entry: string): string {
  const s = statSync(entry, { throwIfNoEntry: false });
  return s === undefined ? entry : `${entry} ${s.size} ${Math.trunc(s.mtimeMs)}`;
}

/**
 * Pids of live local endpoint processes whose config mentions `fragment` (a state root, a code-server
 * dir), found by their environment: their config is there (GLOBUS_COMPUTE_LOCAL_ENDPOINT_CONFIG), never
 * on their command line. Linux /proc; processes of other users are not readable and not listed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { DAEMON_CONFIG_ENV } from "../../core/service/local/daemon/wire";

export function localEndpointDaemons(fragment: string): number[] {
  const needle = JSON.stringify(fragment).slice(1, -1);
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const entry = readFileSync(`/proc/${name}/environ`, "utf8")
        .split("\0")
        .find((e) => e.startsWith(`${DAEMON_CONFIG_ENV}=`));
      if (!entry?.includes(needle)) continue;
      const state = readFileSync(`/proc/${name}/stat`, "utf8").replace(/^.*\) /, "")[0];
      if (state !== "Z") out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** Helpers of the daemon tests: configs in private temp roots, clients disposed with the test, and finding daemons. */
import { readdirSync, readFileSync } from "node:fs";
import { after, type TestContext } from "node:test";
import { DAEMON_CONFIG_ENV, type DaemonConfig } from "../../../core/service/local/daemon/wire";
import { LocalEndpointClient } from "../../../core/service/local/localEndpointClient";
import { PYTHON, tempDir, waitFor } from "./support";

const roots = new Set<string>();

/**
 * Pids of live daemon processes whose state root is `stateRoot`, found by their environment (the only
 * place their config is: never their command line).
 */
export function daemonsFor(stateRoot: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      const entry = env.find((e) => e.startsWith(`${DAEMON_CONFIG_ENV}=`));
      if (!entry || !entry.includes(JSON.stringify(stateRoot).slice(1, -1))) continue;
      const state = readFileSync(`/proc/${name}/stat`, "utf8").replace(/^.*\) /, "")[0];
      if (state !== "Z") out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

export function daemonConfig(t: TestContext, overrides: Partial<DaemonConfig> = {}): DaemonConfig {
  const stateRoot = overrides.stateRoot ?? tempDir(t, "gc-daemon-test-");
  roots.add(stateRoot);
  return { stateRoot, workspaceFolder: "/work/project", python: PYTHON, workers: 2, idleExitMs: 2000, ...overrides };
}

export async function daemonClient(t: TestContext, c: DaemonConfig): Promise<LocalEndpointClient> {
  const x = await LocalEndpointClient.connect({ config: c });
  t.after(() => x.dispose());
  return x;
}

/** No daemon outlives the test file: SIGTERM stops each with its workers. */
export function stopDaemonsAfterAll(): void {
  after(async () => {
    for (const root of roots) for (const pid of daemonsFor(root)) process.kill(pid, "SIGTERM");
    await waitFor(() => [...roots].every((root) => daemonsFor(root).length === 0), "every daemon of this file to exit");
  });
}

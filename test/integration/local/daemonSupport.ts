/** Helpers of the daemon tests: configs in private temp roots, clients disposed with the test, and finding daemons. */
import { after, type TestContext } from "node:test";
import type { DaemonConfig } from "../../../core/service/local/daemon/wire";
import { LocalEndpointClient } from "../../../core/service/local/localEndpointClient";
import { localEndpointDaemons } from "../../support/localEndpointDaemons";
import { PYTHON, tempDir, waitFor } from "./support";

const roots = new Set<string>();

/** Pids of live daemon processes whose state root is `stateRoot`. */
export const daemonsFor = (stateRoot: string): number[] => localEndpointDaemons(stateRoot);

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

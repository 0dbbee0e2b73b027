/**
 * Runs double(7) through a GlobusComputeService given NO `ca` option: the broker's certificate can
 * only be trusted through the environment (NODE_EXTRA_CA_CERTS), as a user with a corporate CA would.
 * Prints one JSON line: the result and the watcher's states. Env: GC_BASE_URL, GC_TOKEN, GC_ENDPOINT.
 */
import { Executor } from "../../../core/executor";
import type { WatchState } from "../../../core/service/computeService";
import { GlobusComputeService } from "../../../core/service/globus/globusComputeService";
import { double } from "../../demo/seedFunctions";

async function main(): Promise<void> {
  const env = process.env;
  const service = new GlobusComputeService({
    baseUrl: env.GC_BASE_URL as string,
    token: async () => env.GC_TOKEN as string,
    watcher: { reconnectMinMs: 50, reconnectMaxMs: 500, pollIntervalMs: 200 },
  });
  const states: { state: WatchState; reason?: string }[] = [];
  const gce = new Executor({ endpointId: env.GC_ENDPOINT as string, service });
  gce.onWatchStateChange(({ state, reason }) => states.push({ state, reason }));
  const result = await gce.submit(double, 7);
  await gce.shutdown();
  service.dispose();
  console.log(JSON.stringify({ result, states }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * The Endpoints view with 1,000 endpoints, against the emulator over real HTTP with its rate limit on
 * (20 requests per 10 s per token, as the service): time to list them, then one refresh of the statuses
 * on screen (a page), how many statuses that asked for and how many 429s came back, the render cost of
 * a page over 1,000 rows (filtered and not), and the event loop's worst delay meanwhile, against an
 * idle baseline measured in the same run. Prints one JSON object per line.
 * Run alone with `node --import tsx test/bench/endpoints.ts`, or via `npm run bench -- endpoints`.
 */
import { randomUUID } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { EndpointDirectory, type BackOff } from "../../core/endpoints/endpointDirectory";
import { GlobusComputeService } from "../../core/service/globus/globusComputeService";
import { EndpointSelection } from "../../extension/endpoints/endpointSelection";
import { EndpointTreeDataProvider } from "../../extension/endpoints/endpointTreeDataProvider";
import { EndpointViewModel } from "../../extension/endpoints/endpointViewModel";
import { Settings } from "../../extension/state/settings";
import type { TreeItemData } from "../../extension/vscode/treeItemData";
import { startEmulator } from "../emulator/emulator";

const ENDPOINTS = 1000;

async function maxLoopDelayMs<T>(work: () => Promise<T>): Promise<{ value: T; maxDelayMs: number; ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  h.disable();
  return { value, maxDelayMs: round(h.max / 1e6), ms: round(ms) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export async function run(): Promise<void> {
  const em = await startEmulator({
    endpoints: Array.from({ length: ENDPOINTS }, (_, i) => ({ id: randomUUID(), name: `endpoint-${i}`, displayName: `Endpoint ${i}`, workers: 1, lazy: true })),
  });
  const service = new GlobusComputeService({ baseUrl: em.baseUrl, token: async () => em.token });
  const directory = new EndpointDirectory({ api: async () => service });
  const backOffs: BackOff[] = [];
  directory.onDidBackOff((b) => backOffs.push(b));
  const values: Record<string, unknown> = {};
  const settings = new Settings({ get: (k) => values[k], onDidChange: () => ({ dispose() {} }) });
  const storage = new Map<string, unknown>();
  const selection = new EndpointSelection(settings, { get: (k) => storage.get(k), update: async (k, v) => void storage.set(k, v) }, () =>
    directory.endpoints.map((e) => ({ kind: "cloud" as const, name: e.displayName, id: e.id })),
  );
  const model = new EndpointViewModel(settings, selection, directory);
  const tree = new EndpointTreeDataProvider(model, directory, settings, { toTreeItem: (d: TreeItemData) => d });
  try {
    const idle = await maxLoopDelayMs(() => new Promise((r) => setTimeout(r, 1000)));
    const listed = await maxLoopDelayMs(() => directory.list());
    console.log(JSON.stringify({ bench: "endpoints.list", endpoints: listed.value.length, ms: listed.ms, max_loop_delay_ms: listed.maxDelayMs, idle_max_loop_delay_ms: idle.maxDelayMs }));

    let statusRequests = 0;
    const getStatus = service.getEndpointStatus.bind(service);
    service.getEndpointStatus = (id) => (statusRequests++, getStatus(id));
    const refreshed = await maxLoopDelayMs(async () => {
      // What the view does when shown: render the page, fetch the statuses of the rows on it.
      const rows = tree.getChildren().map((n) => tree.getTreeItem(n));
      await directory.refreshStatuses(tree.visibleCloudIds());
      return rows.length;
    });
    const withStatus = tree.visibleCloudIds().filter((id) => directory.entry(id).status).length;
    console.log(
      JSON.stringify({
        bench: "endpoints.refreshStatuses",
        rows_on_screen: refreshed.value,
        statuses_fetched: statusRequests,
        statuses_shown: withStatus,
        responses_429: backOffs.length,
        ms: refreshed.ms,
        max_loop_delay_ms: refreshed.maxDelayMs,
        idle_max_loop_delay_ms: idle.maxDelayMs,
      }),
    );

    const render = (filter: string) => {
      model.setFilter(filter);
      let best = Infinity;
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        tree.getChildren().forEach((n) => tree.getTreeItem(n));
        best = Math.min(best, performance.now() - t0);
      }
      return round(best * 100) / 100;
    };
    console.log(JSON.stringify({ bench: "endpoints.renderPage", rows: ENDPOINTS + 2, page_ms: render(""), filtered_page_ms: render("endpoint 9") }));
  } finally {
    tree.dispose();
    model.dispose();
    selection.dispose();
    directory.dispose();
    service.dispose();
    settings.dispose();
    await em.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void run();

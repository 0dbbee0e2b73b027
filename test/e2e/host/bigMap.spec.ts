/**
 * Inside VS Code's extension host: Map Function over range(20000) on the local endpoint completes, "Save
 * Results As…" writes its 20k rows correctly, and the extension never keeps the host's event loop busy
 * beyond 50 ms meanwhile (perf_hooks.monitorEventLoopDelay's p99 and max are reported with the results,
 * beside the CPU-attributed stall the test asserts on; see stallMonitor), and the function's CodeLens
 * shows the map's outcome.
 */
import * as assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import * as vscode from "vscode";
import { after, before, describe, it } from "mocha";
import type { GlobusComputeApi } from "../../../extension/extension";
import { stallMonitor } from "../../support/stallMonitor";
import { activateWithLocalFile, recordFigures, restoreDefaultEndpoint, when } from "./hostSetup";

const SOURCE = "def double(x):\n    return x * 2\n";
const ITEMS = 20_000;
const MAX_DELAY_MS = 50;

describe("a 20k map from the editor", () => {
  let api: GlobusComputeApi;
  let uri: vscode.Uri;

  before(async () => {
    ({ api, uri } = await activateWithLocalFile("host_big_map.py", SOURCE));
  });

  after(restoreDefaultEndpoint);

  const mapOver = async (iterable: string) => {
    const before = api.taskGroups.groups.length;
    await vscode.commands.executeCommand("globusCompute.mapFunction", { uri: uri.toString(), name: "double", offset: SOURCE.indexOf("double"), iterable });
    return when(
      api,
      () => {
        const g = api.taskGroups.groups[0];
        const done = api.taskGroups.groups.length > before && g.tasks.length > 0 && g.tasks.every((t) => t.state === "success");
        return done ? g : undefined;
      },
      `the map over ${iterable}`,
      120_000,
    );
  };

  it("completes, its results file holds 20k correct rows, and the event loop is never kept busy beyond 50 ms", async function () {
    this.timeout(180_000);
    // The language server, the local endpoint and the function's registration warm up on a small map first.
    await mapOver("range(3)");
    // The same measure over an idle second first: what the shared machine and VS Code cost by themselves.
    const idle = monitorEventLoopDelay({ resolution: 5 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 1000));
    idle.disable();
    let gcMaxMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration);
    });
    gc.observe({ entryTypes: ["gc"] });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const stalls = stallMonitor();
    const started = performance.now();
    const group = await mapOver(`range(${ITEMS})`);
    const mapMs = performance.now() - started;
    const path = join(vscode.workspace.workspaceFolders![0].uri.fsPath, "double-20k.csv");
    await vscode.commands.executeCommand("globusCompute.saveResultsAs", { kind: "group", groupKey: group.key }, path);
    delay.disable();
    gc.disconnect();
    const busyMaxMs = stalls.stop();

    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    assert.equal(lines[0], "index,input,status,result,error");
    assert.equal(lines.length, ITEMS + 1);
    const wrong = lines.slice(1).filter((line, i) => line !== `${i},${i},success,${2 * i},`);
    assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} wrong row(s)`);

    const figures = {
      items: ITEMS,
      tasks: group.tasks.length,
      map_ms: Math.round(mapMs),
      event_loop_delay_p99_ms: Math.round(delay.percentile(99) / 1e4) / 100,
      event_loop_delay_max_ms: Math.round(delay.max / 1e4) / 100,
      bound_ms: MAX_DELAY_MS,
      gc_pause_max_ms: Math.round(gcMaxMs * 100) / 100,
      idle_event_loop_delay_max_ms: Math.round(idle.max / 1e4) / 100,
      stall_cpu_max_ms: Math.round(busyMaxMs * 100) / 100,
    };
    recordFigures("map_20k_from_editor", figures);
    assert.ok(figures.stall_cpu_max_ms < MAX_DELAY_MS, `the host was kept busy too long: ${JSON.stringify(figures)}`);
  });

  it("the function's CodeLens shows the map's outcome", async () => {
    let titles: string[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
      titles = lenses.map((l) => l.command?.title ?? "");
      if (titles.some((t) => t.startsWith(`✓ map × ${ITEMS} · `))) return;
    }
    assert.fail(`no lens for the map's outcome above double: ${JSON.stringify(titles)}`);
  });
});

/**
 * "Save Results As…" on a task group: every result to a CSV or JSON Lines file the person picks. A map
 * from the editor writes one row per item (its input and outcome), any other group one row per task (its
 * call and outcome); what has not finished is written as pending.
 */
import type { ComputeFuture } from "../../core/executor";
import { readChunk, type ChunkItems } from "../../core/executor/mapResult";
import { exportFormatOf, writeResults, type ExportRow } from "../../core/data/resultsExport";
import type { MapRun } from "../submit/mapRun";
import { errorSummary } from "./failureText";
import type { TrackedGroup } from "../tasks/taskGroupTracker";
import type { UserInterface } from "../vscode/window";

export interface ResultsExportDeps {
  ui: Pick<UserInterface, "showInformation" | "showError" | "pickSaveLocation">;
  group(key: string): TrackedGroup | undefined;
  map(key: string): MapRun | undefined;
  /** Where the dialog starts (the workspace folder), if any. */
  defaultDir(): string | undefined;
}

/** `node`: a group row of the Tasks view; `target`: a file path (skips the dialog, for keybindings and tests). */
export async function saveResultsAs(deps: ResultsExportDeps, node: unknown, target?: unknown): Promise<void> {
  const key = (node as { kind?: unknown; groupKey?: unknown } | undefined)?.kind === "group" ? (node as { groupKey: unknown }).groupKey : undefined;
  const group = typeof key === "string" ? deps.group(key) : undefined;
  if (typeof key !== "string" || group === undefined) {
    deps.ui.showError("Save Results As… works on a task group of the Tasks view that was submitted or reloaded in this window.");
    return;
  }
  const run = deps.map(key);
  const base = `${group.functionName}-results`;
  const dir = deps.defaultDir();
  const path =
    typeof target === "string"
      ? target
      : await deps.ui.pickSaveLocation({
          title: `Save the results of ${group.functionName}`,
          defaultPath: dir === undefined ? `${base}.csv` : `${dir}/${base}.csv`,
          filters: { CSV: ["csv"], "JSON Lines": ["jsonl"] },
        });
  if (path === undefined) return;
  const rows = run !== undefined ? run.rows() : await taskRows(group);
  let pending = 0;
  const counted = (function* () {
    for (const row of rows) {
      if ("pending" in row.outcome) pending++;
      yield row;
    }
  })();
  try {
    let cut = 0;
    const n = await writeResults(path, counted, exportFormatOf(path), run?.input.columns, () => cut++);
    const notes = [pending > 0 ? `${pending} still pending` : "", cut > 0 ? `${cut} too large to write whole, marked truncated` : ""].filter(Boolean);
    deps.ui.showInformation(`Saved ${n} result row(s) of ${group.functionName} to ${path}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}.`);
  } catch (err) {
    deps.ui.showError(`Could not save the results to ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * One row per task: its call and outcome; for a map's chunk tasks (a map reloaded in this window, whose
 * inputs were not kept), one row per item: its index and outcome, the input left blank.
 */
async function taskRows(group: TrackedGroup): Promise<ExportRow[]> {
  const rows = await Promise.all(
    group.futures.map(async (f: ComputeFuture, index): Promise<ExportRow[]> => {
      const items = group.chunkItems.get(index);
      const outcome = await outcomeOf(f);
      if (items === undefined) return [{ index, input: group.calls[index], outcome }];
      return itemOutcomes(items, f, outcome).map((o, k) => ({ index: items.first + k, outcome: o }));
    }),
  );
  return rows.flat();
}

/** A chunk task's outcome per item: each item's result or failure, or the task's own failure for all. */
function itemOutcomes(items: ChunkItems, future: ComputeFuture, outcome: ExportRow["outcome"]): ExportRow["outcome"][] {
  if (!("value" in outcome)) return new Array<ExportRow["outcome"]>(items.count).fill(outcome);
  const { results, failed } = readChunk(outcome.value, items, future);
  const out: ExportRow["outcome"][] = results.map((value) => ({ value }));
  for (const f of failed) out[f.index - items.first] = { error: errorSummary(f.error) };
  return out;
}

async function outcomeOf(f: ComputeFuture): Promise<ExportRow["outcome"]> {
  if (!f.done()) return { pending: true };
  try {
    return { value: await f };
  } catch (err) {
    return { error: errorSummary(err) };
  }
}

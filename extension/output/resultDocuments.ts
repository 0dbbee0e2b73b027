/**
 * "Open Result": a task's whole result (or traceback) as a read-only document. The URI names the task
 * (`globus-compute-result:/<group key>/<index>/<call>.py`); the text is built from its future on demand.
 */
import type { ComputeFuture } from "../../core/executor";
import { formatPython } from "../../core/protocol/formatPython";
import { failureText, type TaskOrigin } from "./failureText";

export const RESULT_SCHEME = "globus-compute-result";

/** Longest call text kept in the document's name. */
const MAX_NAME = 60;

export function resultPath(groupKey: string, index: number, call: string): string {
  const name = call.replace(/[/\\?#%*:|"<>\s]+/g, "_").slice(0, MAX_NAME);
  return `/${encodeURIComponent(groupKey)}/${index}/${name}.py`;
}

export function parseResultPath(path: string): { groupKey: string; index: number } | undefined {
  const m = /^\/([^/]+)\/(\d+)\//.exec(path);
  return m ? { groupKey: decodeURIComponent(m[1]), index: Number(m[2]) } : undefined;
}

/**
 * The document text: a header comment, then the Python repr of the value or the traceback (its frames
 * naming the file `origin` says the function came from).
 */
export async function resultText(call: string, future: ComputeFuture | undefined, origin?: TaskOrigin): Promise<string> {
  if (future === undefined) return `# ${call}\n# The result is no longer available (the task group was forgotten).\n`;
  const header = `# ${call}${future.taskId ? `  ·  task ${future.taskId}` : ""}`;
  if (!future.done()) return `${header}\n# Still ${future.state}: no result yet.\n`;
  try {
    return `${header}\n${formatPython(await future)}\n`;
  } catch (err) {
    const body = failureText(err, origin, "python");
    return `${header}\n# failed:\n${body
      .split("\n")
      .map((l) => `# ${l}`)
      .join("\n")}\n`;
  }
}

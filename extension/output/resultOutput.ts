/**
 * Writes each finished task to the "Globus Compute" LogOutputChannel the moment it settles: the call,
 * `→` and the result's Python repr (or the traceback), the duration, the task id, and what the function
 * printed (local endpoint). The channel adds the time stamp.
 */
import { formatPython } from "../../core/protocol/formatPython";
import type { PyValue } from "../../core/protocol/pyValue";
import { formatDuration, oneLine } from "../util/format";
import { errorSummary, failureText, type TaskOrigin } from "./failureText";

/** The part of vscode.LogOutputChannel this needs. */
export interface ResultLog {
  info(message: string): void;
  error(message: string): void;
}

export interface SettledTask {
  call: string;
  taskId?: string;
  durationMs: number;
  outcome: { value: PyValue } | { error: unknown };
  stdout?: string;
  stderr?: string;
}

/** Longest result written to the channel; "Open Result" shows the whole value. */
const MAX_RESULT_CHARS = 10_000;

/** `origin`: where the function came from, so traceback frames name the file (as links). */
export function formatSettled(task: SettledTask, origin?: TaskOrigin): { level: "info" | "error"; text: string } {
  const meta = `(${formatDuration(task.durationMs)}${task.taskId ? ` · task ${task.taskId}` : ""})`;
  const printed = [printedBlock("stdout", task.stdout), printedBlock("stderr", task.stderr)].join("");
  if ("value" in task.outcome) {
    const repr = formatPython(task.outcome.value, { maxLength: MAX_RESULT_CHARS });
    return { level: "info", text: `${task.call} → ${repr}  ${meta}${printed}` };
  }
  const detail = failureText(task.outcome.error, origin, "link");
  return { level: "error", text: `${task.call} failed  ${meta}\n${indent(detail)}${printed}` };
}

export class ResultOutput {
  constructor(private readonly log: ResultLog) {}

  write(task: SettledTask, origin?: TaskOrigin): void {
    const { level, text } = formatSettled(task, origin);
    this.log[level](text);
  }
}

function printedBlock(stream: "stdout" | "stderr", text: string | undefined): string {
  if (!text) return "";
  return `\n  ${stream}:\n${indent(text.replace(/\n$/, ""), "    | ")}`;
}

function indent(text: string, prefix = "    "): string {
  return text
    .split("\n")
    .map((l) => prefix + l)
    .join("\n");
}

/** The CodeLens text above the function for its last result, e.g. `✓ 14 · 120 ms` or `✗ ZeroDivisionError: …`. */
export function lensStatus(task: SettledTask): string {
  if ("value" in task.outcome) return `✓ ${oneLine(formatPython(task.outcome.value, { maxLength: 60 }), 40)} · ${formatDuration(task.durationMs)}`;
  return `✗ ${oneLine(errorSummary(task.outcome.error), 60)}`;
}

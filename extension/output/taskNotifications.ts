/**
 * Notifications for outcomes a person should not miss: a failed task (with Show Traceback and Re-run), and
 * a long task that finished while the window was not focused. Outcomes within a short window are
 * gathered, so a burst of 100 failures is one summary, not 100 pop-ups.
 */
import { ExecutorError } from "../../core/executor/errors";
import type { Disposable } from "../../core/util/disposable";
import { formatDuration, oneLine } from "../util/format";
import type { MessageAction } from "../vscode/window";
import { errorSummary } from "./failureText";
import type { SettledTask } from "./resultOutput";

export interface Notifications {
  showError(message: string, actions?: readonly MessageAction[]): void;
  showInformation(message: string, actions?: readonly MessageAction[]): void;
}

export interface TaskNotificationOptions {
  ui: Notifications;
  /** Whether a window of this editor has focus now. */
  focused(): boolean;
  /** Seconds after which a finished task notifies when the window is not focused (`0`: never). */
  longTaskSeconds(): number;
  /** How long outcomes are gathered before notifying; default 1 s. */
  gatherMs?: number;
}

/** Which task row a notification's buttons act on. */
export interface TaskRow {
  groupKey: string;
  index: number;
}

interface Pending {
  task: SettledTask;
  row: TaskRow;
}

const SHOW_OUTPUT: MessageAction = { title: "Show Output", command: "globusCompute.showOutput" };

export class TaskNotifications implements Disposable {
  private failures: Pending[] = [];
  private finished: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TaskNotificationOptions) {}

  /** A live outcome was printed. */
  settled(task: SettledTask, row: TaskRow): void {
    if ("error" in task.outcome) {
      if (!notifiable(task.outcome.error)) return;
      this.failures.push({ task, row });
    } else {
      const seconds = this.options.longTaskSeconds();
      if (seconds <= 0 || task.durationMs < seconds * 1000 || this.options.focused()) return;
      this.finished.push({ task, row });
    }
    this.timer ??= setTimeout(() => this.flush(), this.options.gatherMs ?? 1000);
  }

  /** Shows what was gathered now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const { ui } = this.options;
    const [failures, finished] = [this.failures, this.finished];
    this.failures = [];
    this.finished = [];
    if (failures.length === 1) {
      const { task, row } = failures[0];
      const node = { kind: "task", ...row };
      ui.showError(`${oneLine(task.call, 80)} failed: ${oneLine(errorSummary(outcomeError(task)), 200)}`, [
        { title: "Show Traceback", command: "globusCompute.openResult", arguments: [node] },
        { title: "Re-run", command: "globusCompute.rerunTask", arguments: [node] },
      ]);
    } else if (failures.length > 1) {
      const calls = failures.slice(0, 3).map((f) => oneLine(f.task.call, 40));
      const more = failures.length > 3 ? `, and ${failures.length - 3} more` : "";
      ui.showError(`${failures.length} tasks failed: ${calls.join(", ")}${more}. The output has each traceback.`, [SHOW_OUTPUT]);
    }
    if (finished.length === 1) {
      const { task, row } = finished[0];
      ui.showInformation(`${oneLine(task.call, 80)} finished after ${formatDuration(task.durationMs)}.`, [
        { title: "Open Result", command: "globusCompute.openResult", arguments: [{ kind: "task", ...row }] },
      ]);
    } else if (finished.length > 1) {
      ui.showInformation(`${finished.length} long tasks finished.`, [SHOW_OUTPUT]);
    }
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Cancelled tasks were the person's doing; a failed submission has its own notification. */
function notifiable(error: unknown): boolean {
  if (!(error instanceof ExecutorError)) return true;
  return !["CANCELLED", "SUBMIT_FAILED", "REGISTRATION_FAILED", "INVALID_ARGUMENTS"].includes(error.code);
}

function outcomeError(task: SettledTask): unknown {
  return "error" in task.outcome ? task.outcome.error : undefined;
}

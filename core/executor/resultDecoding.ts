/** Turning what the service reports (a result message or a status record) into a settled future. */
import type { ResultEvent, TaskStatusRecord } from "../service/computeService";
import { failureCode, recordTransitions } from "../service/taskStatusRecord";
import type { ComputeFuture } from "./computeFuture";
import { ExecutorError, TaskExecutionFailed } from "./errors";
import { decodeResultData } from "./taskPayload";
import type { PyValue } from "../protocol/pyValue";

/**
 * Settles `future` from a streamed result (the caller handles high-assurance notifications first).
 * A result whose data cannot be decoded leaves the future untouched and returns the reason: one
 * malformed message must not decide a task that a later message, or the service's record, can.
 */
export function settleFromResult(future: ComputeFuture, event: ResultEvent): ExecutorError | undefined {
  const r = event.result;
  const failed = r.error_details !== null && r.error_details !== undefined;
  let value: PyValue = null;
  if (!failed) {
    try {
      value = decodeResultData(r.data);
    } catch (err) {
      return malformedResult(future, r.data, err);
    }
  }
  future.completionT = event.completionT;
  future.resultSize = r.data.length;
  if (event.stdout !== undefined) future.stdout = event.stdout;
  if (event.stderr !== undefined) future.stderr = event.stderr;
  if (r.task_statuses) future.transitions = r.task_statuses;
  if (failed) future._reject(new TaskExecutionFailed(r.data, event.completionT, r.error_details!.code));
  else future._resolve(value);
  return undefined;
}

/**
 * Applies a status record; returns true when it settled the future. Like the SDK's reload path, a task is
 * finished when the record has a truthy `completion_t`.
 */
export function applyStatusRecord(future: ComputeFuture, record: TaskStatusRecord): boolean {
  const transitions = recordTransitions(record);
  if (!record.completion_t) {
    if (record.status) future._setState(record.status.toLowerCase(), transitions);
    return false;
  }
  future.completionT = record.completion_t;
  if (record.stdout !== undefined) future.stdout = record.stdout;
  if (record.stderr !== undefined) future.stderr = record.stderr;
  if (transitions !== undefined) future.transitions = transitions;
  if (record.status?.toLowerCase() === "success" && typeof record.result === "string") settleWithData(future, record.result);
  else
    future._reject(
      new TaskExecutionFailed(record.exception ?? record.reason ?? "Task failed (the service gave no reason)", record.completion_t, failureCode(record)),
    );
  return true;
}

/** The service's own record is the last word: a result it holds that cannot be decoded fails the task. */
function settleWithData(future: ComputeFuture, data: string): void {
  future.resultSize = data.length;
  try {
    future._resolve(decodeResultData(data));
  } catch (err) {
    future._reject(malformedResult(future, data, err));
  }
}

function malformedResult(future: ComputeFuture, data: string, err: unknown): ExecutorError {
  return new ExecutorError(
    "MALFORMED_RESULT",
    `The result of task ${future.taskId} arrived but cannot be decoded (${err instanceof Error ? err.message : String(err)}); data starts ${JSON.stringify(String(data).slice(0, 40))}.`,
    { cause: err },
  );
}

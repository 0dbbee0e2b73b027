/** Typed errors of the Executor. Every error has a stable `code` and a message that says what to do. */
import { exceptionLine } from "./exceptionLine";

export type ExecutorErrorCode =
  | "INVALID_OPTION" // an option has the wrong type or value
  | "UNKNOWN_OPTION" // an option the Executor does not know (a typo, or an SDK-only option)
  | "INVALID_ARGUMENTS" // submit()/map() arguments that cannot be sent
  | "EXECUTOR_SHUT_DOWN" // submit after shutdown()
  | "FUNCTION_ALREADY_REGISTERED" // registerFunction() twice for the same source with a different id
  | "REGISTRATION_FAILED" // the service refused or failed to register a function
  | "SUBMIT_FAILED" // the batch holding this task could not be submitted (after retries)
  | "SUBMIT_RESPONSE_MISMATCH" // the service's answer does not list this task
  | "NO_TASK_GROUP" // reloadTasks() with no task group known
  | "TASK_GROUP_MISMATCH" // the service answered for another task group
  | "RESULT_TIMEOUT" // result(timeoutMs) gave up waiting (the task itself goes on)
  | "MALFORMED_RESULT" // the result arrived but cannot be decoded
  | "RESULT_FETCH_FAILED" // a high-assurance result could not be fetched over REST (after retries)
  | "CANCELLED"; // the future was cancelled locally

export class ExecutorError extends Error {
  override readonly name: string = "ExecutorError";
  constructor(
    readonly code: ExecutorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The future was cancelled. `remoteMayRun` is true when the task had already left this process: the
 * service cannot cancel it, so cancelling only stopped the waiting here.
 */
export class TaskCancelledError extends ExecutorError {
  override readonly name = "TaskCancelledError";
  constructor(
    readonly remoteMayRun: boolean,
    taskId: string | undefined,
    message = remoteMayRun
      ? `Stopped waiting for task ${taskId ?? "(being submitted)"}; it was already sent and may still run on the endpoint.`
      : "Task cancelled before it was submitted; it never left this process.",
  ) {
    super("CANCELLED", message);
  }

  /** One error shared by sent tasks cancelled together (an error per task costs ~8 µs to build). */
  static stoppedWaitingTogether(why: string): TaskCancelledError {
    return new TaskCancelledError(true, undefined, `Stopped waiting for this task: ${why}. It was already sent and may still run on the endpoint.`);
  }
}

/**
 * The task ran (or tried to) on the endpoint and failed there: the function raised, the result was too
 * large, the function is not allowed, ... `remoteTraceback` is the endpoint's text, `errorCode` its code.
 */
export class TaskExecutionFailed extends Error {
  override readonly name = "TaskExecutionFailed";
  readonly code = "TASK_EXECUTION_FAILED";
  constructor(
    readonly remoteTraceback: string,
    /** Unix seconds as a decimal string, as upstream's `completion_t` ("0" when unknown). */
    readonly completionT: string,
    /** The endpoint's error code, e.g. `RemoteExecutionError`, `MaxResultSizeExceeded`. */
    readonly errorCode: string = "RemoteExecutionError",
  ) {
    super(describeRemoteFailure(remoteTraceback, errorCode));
  }
}

function describeRemoteFailure(traceback: string, errorCode: string): string {
  const summary = exceptionLine(traceback) ?? "(no traceback)";
  let hint = "";
  if (errorCode === "MaxResultSizeExceeded")
    hint = " The result is larger than the endpoint's limit (10 MiB): return less data, or stage it elsewhere.";
  // The exception itself, not every frame: the worker's own frames (deserialize…) are in most tracebacks.
  else if (/dill|pickl|serializ/i.test(summary))
    hint = " This looks like a serialization problem: check that arguments and results are plain data.";
  else if (errorCode === "WorkerLost" || /parsl.*\.WorkerLost:/.test(traceback)) hint = " The worker process died (out of memory, killed, or ended by the task).";
  return `Task failed on the endpoint (${errorCode}): ${summary}.${hint}`;
}

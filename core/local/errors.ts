/** Typed errors of the local endpoint's host side. Task failures are not errors: they are error Results. */

export type LocalEndpointErrorCode =
  | "PYTHON_NOT_FOUND" // the interpreter path does not exist or cannot be executed
  | "WORKER_START_FAILED" // the interpreter ran but the worker exited before it was ready
  | "WORKER_START_TIMEOUT" // the worker did not report ready in time
  | "INVALID_OPTIONS" // a pool or task option out of range
  | "POOL_DISPOSED" // the pool was used after dispose()
  | "STORE_IO" // the result store could not read or write its directory
  | "STORE_IN_USE" // another local endpoint process already serves this state directory (its store has one writer)
  | "DAEMON_START_FAILED" // the local endpoint process did not come up (the message ends with its log)
  | "DAEMON_LOST" // the connection to the local endpoint process broke (it exited or was killed)
  | "DAEMON_PROTOCOL" // the local endpoint process (or its client) sent something unreadable
  | "DAEMON_UNTRUSTED" // the socket, its directory or the secret is not provably this user's own: nothing was sent
  | "DAEMON_AUTH_FAILED"; // the peer on the socket failed the handshake (not our daemon): nothing but a challenge was sent

export class LocalEndpointError extends Error {
  override readonly name = "LocalEndpointError";
  constructor(
    readonly code: LocalEndpointErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * `error_details.code` of Results the pool itself produces (the worker produces `RemoteExecutionError`
 * and `MaxResultSizeExceeded`, as a real endpoint does).
 */
export const TaskFailureCode = {
  workerLost: "WorkerLost",
  timeout: "TaskTimeout",
  cancelled: "TaskCancelled",
  stopped: "EndpointStopped",
  workerStartFailed: "WorkerStartFailed",
  endpointRestarted: "EndpointRestarted",
} as const;

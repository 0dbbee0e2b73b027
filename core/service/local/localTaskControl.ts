/**
 * Stopping tasks already submitted, which only the local endpoint can do: the cloud service has no such
 * call (a task sent to Globus Compute runs to its end). LocalComputeService does it in process,
 * LocalEndpointClient over the daemon's socket.
 */
export interface LocalTaskControl {
  /**
   * Cancels tasks: a queued one never runs; a running one is stopped by killing its worker (and what its
   * task spawned), which is replaced. Each ends as a `TaskCancelled` error result, delivered to watchers as
   * any result is. Resolves with the ids it cancelled: unknown and finished ones are left out.
   */
  cancelTasks(taskIds: readonly string[]): Promise<string[]>;
}

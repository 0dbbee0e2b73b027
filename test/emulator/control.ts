/**
 * Fault injection and test hooks, for in-process tests (`emulator.control`) and, through
 * `routes/control.ts`, for other processes (UI tests, benchmarks).
 */
import type { Broker } from "../support/rabbitmq";
import { ApiError } from "./apiError";
import type { GlobusAuth } from "./auth/globusAuth";
import type { TokenStore } from "./auth/tokens";
import type { EmulatorContext } from "./context";
import type { ReceivedSubmission } from "./emulatedEndpoint";
import type { Faults, FailureFault, LatencyFault } from "./faults";
import type { RateLimit, RateLimiter } from "./rateLimit";
import type { User } from "./state";
import { newToken } from "./auth/tokens";

/** Bytes that are not a valid envelope: the JSON is cut short. */
export const MALFORMED_MESSAGE = Buffer.from('\x01{"message_type":"result","data":{"task_id":', "latin1");

export class EmulatorControl {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly broker: Broker,
    private readonly faults: Faults,
    private readonly rateLimiter: RateLimiter,
    private readonly tokens: TokenStore,
    private readonly auth: GlobusAuth,
  ) {}

  /** The next `count` matching API requests fail with `status` (and an ErrorResponse body). */
  failNext(fault: FailureFault): void {
    this.faults.failNext(fault);
  }

  setLatency(fault: LatencyFault): void {
    this.faults.setLatency(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Drops every AMQP connection, clients' and the service's own (which reconnects). */
  closeAmqpConnections(reason = "closed by the emulator's fault injection"): Promise<void> {
    return this.broker.closeAllConnections(reason);
  }

  restartBroker(): Promise<void> {
    return this.broker.restart();
  }

  /** Publishes bytes that are not a valid Result envelope to a task group's queue. */
  async publishMalformed(taskGroupId: string, body: Uint8Array = MALFORMED_MESSAGE): Promise<void> {
    await this.ctx.delivery.publishRaw(this.queuedGroup(taskGroupId), body);
  }

  /** Publishes a finished task's Result a second time. */
  async publishDuplicate(taskId: string): Promise<void> {
    const task = this.ctx.state.tasks.get(taskId);
    if (!task?.outcome) throw new ApiError(404, "TASK_NOT_FOUND", `Task ${taskId} has not finished`, [taskId]);
    this.queuedGroup(task.groupId);
    await new Promise<void>((resolve) => this.ctx.delivery.deliver(task, resolve));
  }

  async setEndpointOnline(endpointId: string, online: boolean): Promise<void> {
    await this.endpoint(endpointId).setOnline(online);
  }

  /** What each submission to the endpoint carried besides tasks (user_endpoint_config, resource_specification). */
  submissions(endpointId: string): readonly ReceivedSubmission[] {
    return this.endpoint(endpointId).received;
  }

  setHighAssurance(endpointId: string, enabled: boolean): void {
    this.endpoint(endpointId).config.highAssurance = enabled;
  }

  setRateLimit(limit: RateLimit | null): void {
    this.rateLimiter.set(limit);
  }

  /** Lifetime of access tokens issued from now on. */
  setTokenLifetime(seconds: number): void {
    this.tokens.setLifetime(seconds);
  }

  expireToken(token: string): boolean {
    return this.tokens.expire(token);
  }

  /** A second identity, e.g. to check that one user cannot touch another's task groups. */
  addUser(username: string): { user: User; token: string } {
    const user = this.ctx.state.addUser(username);
    const token = newToken("at");
    this.tokens.addStatic(token, user.id);
    return { user, token };
  }

  setAutoApprove(enabled: boolean): void {
    this.auth.autoApprove = enabled;
  }

  pendingAuthorizations(): ReturnType<GlobusAuth["pendingRequests"]> {
    return this.auth.pendingRequests();
  }

  /** Approves a pending authorization (the latest when no id is given): returns the code and redirect. */
  approveAuthorization(requestId?: string): { code: string; state: string; location: string } {
    const pending = this.auth.pendingRequests();
    const id = requestId ?? pending[pending.length - 1]?.id;
    if (!id) throw new ApiError(404, "REQUEST_NOT_FOUND", "No pending authorization request");
    const { code, request } = this.auth.approve(id);
    const location = new URL(request.redirectUri);
    location.searchParams.set("code", code);
    location.searchParams.set("state", request.state);
    return { code, state: request.state, location: location.toString() };
  }

  private endpoint(id: string) {
    const ep = this.ctx.endpoints.get(id.toLowerCase());
    if (!ep) throw new ApiError(404, "ENDPOINT_NOT_FOUND", `Endpoint ${id} could not be resolved`, [id]);
    return ep;
  }

  private queuedGroup(id: string) {
    const group = this.ctx.state.taskGroups.get(id.toLowerCase());
    if (!group?.createQueue) throw new ApiError(404, "TASK_GROUP_NOT_FOUND", `Task group ${id} has no result queue`, [id]);
    return group;
  }
}

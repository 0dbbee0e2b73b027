/**
 * Copies finished tasks' Results to their task group's AMQP queue `queue_prefix + task_group_id`
 * (protocol.md §7.4), and publishes the control API's deliberately bad messages (malformed, duplicate)
 * the same way.
 */
import { packMessage } from "../../core/protocol";
import type { EmulatedEndpoint } from "./emulatedEndpoint";
import type { PublishProperties, ResultPublisher } from "./resultPublisher";
import type { EmulatorState, TaskGroup, TaskRecord } from "./state";

export class ResultDelivery {
  /** Publishes not yet confirmed or failed, and who waits for them all (`flush()`). */
  private inFlight = 0;
  private flushWaiters: (() => void)[] = [];

  constructor(
    private readonly publisher: ResultPublisher,
    private readonly state: EmulatorState,
    private readonly endpoint: (id: string) => EmulatedEndpoint | undefined,
    private readonly onError: (err: unknown) => void,
  ) {}

  queueName(group: TaskGroup): string {
    const owner = this.state.users.get(group.ownerId);
    if (!owner) throw new Error(`task group ${group.id} has no owner`);
    return owner.queuePrefix + group.id;
  }

  /** Declares the group's durable queue (idempotent) and from now on copies its results there. */
  async openQueue(group: TaskGroup): Promise<void> {
    await this.publisher.declareQueue(this.queueName(group));
    group.createQueue = true;
  }

  /**
   * Publishes a finished task's Result if its group has a queue; never throws (errors go to onError).
   * `done` is called once it is confirmed or has failed.
   */
  deliver(task: TaskRecord, done: () => void = () => {}): void {
    const group = this.state.taskGroups.get(task.groupId);
    if (!group?.createQueue || !task.outcome) return done();
    const ha = this.endpoint(task.endpointId)?.config.highAssurance ?? false;
    // High-assurance results are only announced; the data must be fetched over REST.
    const result = ha ? { ...task.outcome.result, data: "", details: null, task_statuses: null } : task.outcome.result;
    const body = packMessage({ message_type: "result", data: result });
    const props = { timestampS: Math.floor(Number(task.outcome.completionT)), ...(ha ? { headers: { high_assurance: true } } : {}) };
    // A view of the packed bytes, not a copy.
    const content = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.publish(this.queueName(group), content, props, (err) => {
      if (err !== undefined) this.onError(err);
      done();
    });
  }

  /** Publishes arbitrary bytes to a group's queue (fault injection). */
  publishRaw(group: TaskGroup, body: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.publish(this.queueName(group), Buffer.from(body), { timestampS: Math.floor(Date.now() / 1000) }, (err) =>
        err === undefined ? resolve() : reject(err),
      ),
    );
  }

  /** Resolves once everything published so far is confirmed (or has failed). */
  flush(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  private publish(queue: string, body: Buffer, props: PublishProperties, done: (err?: unknown) => void): void {
    // One channel keeps publish order, and confirms are awaited concurrently, not one after another.
    this.inFlight++;
    this.publisher.publish(queue, body, props, (err) => {
      done(err);
      if (--this.inFlight > 0) return;
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }
}

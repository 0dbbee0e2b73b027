/**
 * The service's own AMQP connection: it declares the per-task-group queues and publishes Results into
 * them with publisher confirms. It reconnects by itself, because faults (close_all_connections, broker
 * restart) drop it like every other connection; operations retry until the broker is back.
 */
import { connect, type ChannelModel, type ConfirmChannel } from "amqplib";

export interface PublishProperties {
  /** Unix seconds, the AMQP `timestamp` property (the SDK uses it as completion_t, protocol.md §7.2). */
  timestampS: number;
  headers?: Record<string, unknown>;
}

export class ResultPublisher {
  private channel: Promise<ConfirmChannel> | undefined;
  /** The channel once open: publishing on it directly skips a promise per message. */
  private ready: ConfirmChannel | undefined;
  private model: ChannelModel | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    /** How long an operation keeps retrying while the broker is unreachable. */
    private readonly retryForMs = 30_000,
  ) {}

  async declareQueue(name: string): Promise<void> {
    await this.withChannel((ch) => ch.assertQueue(name, { durable: true }));
  }

  /**
   * Publishes one message; `done` is called once it is confirmed, or with the error once retrying gave
   * up. A callback, not a promise: there is one message per task, and on an open channel this path
   * allocates nothing else.
   */
  publish(queue: string, body: Buffer, props: PublishProperties, done: (err?: unknown) => void): void {
    const options = { persistent: true, timestamp: props.timestampS, ...(props.headers ? { headers: props.headers } : {}) };
    const retry = () => {
      const send = (ch: ConfirmChannel) =>
        new Promise<void>((resolve, reject) => {
          ch.sendToQueue(queue, body, options, (err: unknown) => (err ? reject(err) : resolve()));
        });
      this.withChannel(send).then(() => done(), done);
    };
    const ready = this.ready;
    if (ready === undefined) return retry();
    const failed = () => {
      if (this.ready === ready) this.reset();
      retry();
    };
    try {
      ready.sendToQueue(queue, body, options, (err: unknown) => (err ? failed() : done()));
    } catch {
      failed(); // the channel closed under us
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const model = this.model;
    this.reset();
    await model?.close().catch(() => {});
  }

  private async withChannel<T>(op: (ch: ConfirmChannel) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new Error("result publisher is closed");
      try {
        return await op(await this.getChannel());
      } catch (err) {
        this.reset();
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  private getChannel(): Promise<ConfirmChannel> {
    this.channel ??= (async () => {
      const model = await connect(this.url);
      this.model = model;
      // 'error' is always followed by 'close'; only a current connection resets the cached channel.
      model.on("error", () => {});
      model.on("close", () => {
        if (this.model === model) this.reset();
      });
      const ch = await model.createConfirmChannel();
      ch.on("error", () => {});
      ch.on("close", () => {
        if (this.model === model) this.reset();
      });
      if (this.model === model) this.ready = ch;
      return ch;
    })();
    return this.channel;
  }

  private reset(): void {
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    this.ready = undefined;
    model?.close().catch(() => {});
  }
}

/**
 * A child process of the `e2e` benchmark: publishes copies of one Result message into a queue on a
 * recorded timeline (when each result of a measured pass reached the client), so the benchmark can
 * measure what receiving that same stream costs a bare amqplib consumer (the floor under the
 * Executor's client CPU). Driven over the IPC channel:
 * it gets a `StreamJob`, answers "ready" once connected, publishes on "go", and exits when confirmed.
 */
import * as amqp from "amqplib";

export interface StreamJob {
  url: string;
  queue: string;
  /** The message body, base64. */
  body: string;
  /** When each message is due, in ms from the first: the delivery times of the pass being replayed. */
  offsetsMs: number[];
}

/** Publishing is topped up to the due count every millisecond or so, the timer's own resolution. */
const TICK_MS = 1;

async function main(job: StreamJob): Promise<void> {
  const connection = await amqp.connect(job.url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(job.queue, { durable: true });
  const body = Buffer.from(job.body, "base64");
  process.send?.("ready");
  await new Promise((resolve) => process.once("message", resolve));
  const t0 = performance.now();
  const offsets = job.offsetsMs;
  for (let sent = 0; sent < offsets.length; ) {
    const now = performance.now() - t0;
    for (; sent < offsets.length && offsets[sent] - offsets[0] <= now; sent++) {
      channel.sendToQueue(job.queue, body, { persistent: true, timestamp: Math.floor(Date.now() / 1000) });
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await channel.waitForConfirms();
  await connection.close();
}

process.once("message", (job: StreamJob) => {
  main(job).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});

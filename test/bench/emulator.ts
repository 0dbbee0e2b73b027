/**
 * The emulator's own throughput, one JSON line each:
 * - `submit_tasks_per_s`: tasks accepted through `POST /v3/endpoints/{id}/submit` in batches of 128,
 *   one request at a time (as the SDK's submitter thread sends them);
 * - `results_published_per_s`: the same tasks' Results (no-op function, local Python workers) arriving
 *   at a raw amqplib consumer, counted from the first submit.
 * Run alone with `node --import tsx test/bench/emulator.ts`, or via `npm run bench -- emulator`.
 * Env: BENCH_EMULATOR_BATCHES (default 40), BENCH_EMULATOR_WORKERS (default 2).
 */
import { connect } from "amqplib";
import { startEmulator } from "../emulator/emulator";

const BATCH = 128;

export async function run(): Promise<void> {
  const batches = Number(process.env.BENCH_EMULATOR_BATCHES ?? 40);
  const workers = Number(process.env.BENCH_EMULATOR_WORKERS ?? 2);
  await using em = await startEmulator({ rateLimit: null, endpoints: [{ workers }] });
  const headers = { authorization: `Bearer ${em.token}`, "content-type": "application/json" };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(em.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked by use
    return (await res.json()) as any;
  };
  const source = "st\nnoop:def noop(x):\n    return x\n";
  const { function_uuid: fn } = await call("POST", "/v3/functions", {
    function_name: "noop",
    function_code: `${[...source].length}\n${source}`,
    meta: { python_version: "3.11.2", sdk_version: "4.15.0", serde_identifier: "st" },
  });
  const payload = "6\n11\n[1]5\n11\n{}";
  const body = (group?: string) => ({
    create_queue: true,
    tasks: { [fn]: Array.from({ length: BATCH }, () => payload) },
    result_serializers: ["globus_compute_sdk.serialize.concretes.JSONData"],
    ...(group ? { task_group_id: group } : {}),
  });

  // Warm-up: one batch, so the queue, broker account and workers exist before timing.
  const warm = await call("POST", `/v3/endpoints/${em.endpoints[0]}/submit`, body());
  const group: string = warm.task_group_id;
  const amqp = await call("GET", "/v2/get_amqp_result_connection_url");
  const conn = await connect(amqp.connection_url);
  try {
    const ch = await conn.createChannel();
    const total = batches * BATCH;
    let received = 0;
    let skip = BATCH; // the warm-up batch's results
    let allReceived!: () => void;
    const done = new Promise<void>((r) => (allReceived = r));
    await ch.consume(amqp.queue_prefix + group, (msg) => {
      if (!msg) return;
      ch.ack(msg);
      if (skip > 0) skip--;
      else if (++received === total) allReceived();
    });
    while (skip > 0) await new Promise((r) => setTimeout(r, 20));

    const t0 = performance.now();
    for (let i = 0; i < batches; i++) await call("POST", `/v3/endpoints/${em.endpoints[0]}/submit`, body(group));
    const submitS = (performance.now() - t0) / 1000;
    await done;
    const resultsS = (performance.now() - t0) / 1000;
    const common = { bench: "emulator", batch_size: BATCH, tasks: total, workers };
    console.log(JSON.stringify({ ...common, metric: "submit_tasks_per_s", value: Math.round(total / submitS) }));
    console.log(JSON.stringify({ ...common, metric: "results_published_per_s", value: Math.round(total / resultsS) }));
  } finally {
    await conn.close();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * `npm run emulator`: broker + emulator in the foreground. The first stdout line is one JSON object
 * (`base_url`, `amqp_url`, `token`, `endpoints`, plus `control_secret`, `client_id`, `client_secret`);
 * Ctrl-C or SIGTERM (to this process, or to `npm` which then dies without forwarding it) stops both
 * and leaves no process behind.
 *
 * Options (environment): EMULATOR_PORT, EMULATOR_PYTHON, EMULATOR_TOKEN, EMULATOR_ENDPOINTS (count),
 * EMULATOR_WORKERS (per endpoint, default 2), EMULATOR_TLS (`1`: hand out `amqps://` URLs; the CA
 * to trust is then printed as `ca_pem`),
 * EMULATOR_RATE_LIMIT (`requests/seconds`, or `off`), EMULATOR_CONTROL_SECRET, EMULATOR_CATALOG=1 (the
 * endpoint directory of endpointCatalog.ts: owned, shared, offline, multi-user, high-assurance).
 */
import { catalogEndpoints } from "./endpointCatalog";
import { startEmulator } from "./emulator";

async function main(): Promise<void> {
  const env = process.env;
  const rate = env.EMULATOR_RATE_LIMIT;
  const [requests, seconds] = (rate ?? "20/10").split("/").map(Number);
  const emulator = await startEmulator({
    port: env.EMULATOR_PORT ? Number(env.EMULATOR_PORT) : undefined,
    python: env.EMULATOR_PYTHON,
    token: env.EMULATOR_TOKEN,
    endpoints:
      env.EMULATOR_CATALOG === "1"
        ? catalogEndpoints()
        : Array.from({ length: Number(env.EMULATOR_ENDPOINTS ?? 1) }, () => ({
            workers: env.EMULATOR_WORKERS ? Number(env.EMULATOR_WORKERS) : undefined,
          })),
    rateLimit: rate === "off" ? null : { requests, windowMs: seconds * 1000 },
    controlSecret: env.EMULATOR_CONTROL_SECRET,
    tls: env.EMULATOR_TLS === "1",
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`[emulator] ${signal}: stopping`);
    emulator.stop().then(
      () => process.exit(0),
      (err) => {
        console.error("[emulator] stop failed", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // `npm run` does not forward SIGTERM: when npm dies we are re-parented, and stop like on a signal.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      stop("parent exited");
    }
  }, 250);
  process.stdout.write(
    JSON.stringify({
      base_url: emulator.baseUrl,
      amqp_url: emulator.amqpUrl,
      token: emulator.token,
      endpoints: emulator.endpoints,
      control_secret: emulator.controlSecret,
      client_id: emulator.client.id,
      client_secret: emulator.client.secret,
      ...(emulator.caPem ? { ca_pem: emulator.caPem } : {}),
    }) + "\n",
  );
}

main().catch((err) => {
  console.error("[emulator] failed to start:", err);
  process.exit(1);
});

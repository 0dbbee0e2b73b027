/**
 * `startEmulator()`: the Globus Compute web service and Globus Auth, emulated over real HTTP, with a
 * real private RabbitMQ for result streaming and local worker pools as endpoints.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { BrokerError, startBroker, type Broker } from "../support/rabbitmq";
import { GlobusAuth } from "./auth/globusAuth";
import { TokenStore, newToken } from "./auth/tokens";
import { BrokerAccounts } from "./brokerAccounts";
import type { EmulatorContext } from "./context";
import { EmulatorControl } from "./control";
import { EmulatedEndpoint, type EndpointConfig } from "./emulatedEndpoint";
import { Faults } from "./faults";
import { RateLimiter, type RateLimit } from "./rateLimit";
import { ResultDelivery } from "./resultDelivery";
import { ResultPublisher } from "./resultPublisher";
import { Router } from "./router";
import { amqpRoutes } from "./routes/amqp";
import { controlRoutes } from "./routes/control";
import { endpointRoutes } from "./routes/endpoints";
import { functionRoutes } from "./routes/functions";
import { oauthRoutes } from "./routes/oauth";
import { submitRoutes } from "./routes/submit";
import { taskRoutes } from "./routes/tasks";
import { versionRoutes } from "./routes/version";
import { EmulatorServer } from "./server";
import { EmulatorState } from "./state";

export interface EmulatorOptions {
  /** HTTP port on `host` (default: a free one). */
  port?: number;
  host?: string;
  /** A broker to use (not stopped by the emulator); by default a private one is started and owned. */
  broker?: Broker;
  /**
   * `get_amqp_result_connection_url` hands out `amqps://…@localhost` URLs, as the real service does;
   * clients must trust `caPem`. The owned broker is then started with TLS; a given one must have it.
   */
  tls?: boolean;
  /** Python interpreter of the endpoints' workers (default `/usr/bin/python3`). */
  python?: string;
  /**
   * Endpoints to emulate; default one online endpoint with 2 workers. `shared`: owned by another user
   * (a colleague), so visible to the default user only when public.
   */
  endpoints?: EndpointSpec[];
  /** The default user's access token (never expires); random by default. */
  token?: string;
  /** Per-token request limit on the Compute API; `null` disables it. Default 20 per 10 s. */
  rateLimit?: RateLimit | null;
  /** Lifetime of access tokens issued by the emulated Globus Auth (default 172800 s, as Globus). */
  tokenLifetimeS?: number;
  /** Authorize without a consent step (default true); otherwise approve through the control API. */
  autoApprove?: boolean;
  /** Secret of the control API (header `X-Emulator-Secret`); random by default. */
  controlSecret?: string;
  /** Errors in the background (e.g. a Result that could not be published). Default: console.error. */
  onError?: (err: unknown) => void;
}

export type EndpointSpec = Partial<Omit<EndpointConfig, "ownerId">> & { shared?: boolean };

export interface Emulator extends AsyncDisposable {
  readonly baseUrl: string;
  /** The broker administrator's URL (clients get their own through get_amqp_result_connection_url). */
  readonly amqpUrl: string;
  /** The default user's non-expiring access token. */
  readonly token: string;
  readonly userId: string;
  readonly endpoints: string[];
  readonly controlSecret: string;
  /** A confidential client for the client_credentials grant. */
  readonly client: { id: string; secret: string };
  readonly broker: Broker;
  /** With `tls`: the CA that clients must trust for the broker's certificate. */
  readonly caPem: string | undefined;
  readonly control: EmulatorControl;
  /** Resolves once every finished task so far has been published to its queue. */
  flushResults(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const onError = options.onError ?? ((err: unknown) => console.error("[emulator]", err));
  const ownBroker = !options.broker;
  const tls = options.tls ?? false;
  if (tls && options.broker && options.broker.tlsPort === undefined) {
    throw new BrokerError("INVALID_ARGUMENT", "startEmulator({ tls: true }) needs a broker started with startBroker({ tls: true })");
  }
  const broker = options.broker ?? (await startBroker({ tls }));
  const cleanups: (() => Promise<void> | void)[] = [];
  if (ownBroker) cleanups.push(() => broker.stop());
  try {
    const state = new EmulatorState();
    const user = state.addUser("tester@example.org");
    const tokens = new TokenStore(options.tokenLifetimeS ?? 172_800);
    const token = options.token ?? newToken("at");
    tokens.addStatic(token, user.id);

    const publisher = new ResultPublisher(broker.amqpUrl);
    cleanups.push(() => publisher.close());
    const endpoints = new Map<string, EmulatedEndpoint>();
    const delivery = new ResultDelivery(publisher, state, (id) => endpoints.get(id), onError);
    // Runs before the publisher closes (cleanups run in reverse): confirms still due are awaited
    // briefly, rather than each reported as failed by the closing channel.
    cleanups.push(() => settledWithin(delivery.flush(), 2000));
    const ctx: EmulatorContext = { state, endpoints, delivery, accounts: new BrokerAccounts(broker, tls) };
    const specs = options.endpoints ?? [{}];
    let colleague: { id: string } | undefined;
    specs.forEach((spec, i) => {
      const name = spec.name ?? `emulated-endpoint-${i + 1}`;
      const config: EndpointConfig = {
        id: (spec.id ?? randomUUID()).toLowerCase(),
        name,
        displayName: spec.displayName ?? name,
        online: spec.online ?? true,
        highAssurance: spec.highAssurance ?? false,
        public: spec.public ?? true,
        ownerId: spec.shared ? (colleague ??= state.addUser("colleague@example.org")).id : user.id,
        workers: spec.workers ?? 2,
        allowedFunctions: spec.allowedFunctions ?? null,
        multiUser: spec.multiUser ?? false,
        userConfigTemplate: spec.userConfigTemplate ?? null,
        userConfigSchema: spec.userConfigSchema ?? null,
        description: spec.description ?? "Globus Compute emulator endpoint",
        lazy: spec.lazy ?? false,
      };
      const ep = new EmulatedEndpoint(config, options.python ?? "/usr/bin/python3", (task) => delivery.deliver(task));
      endpoints.set(config.id, ep);
      cleanups.push(() => ep.dispose());
    });
    await Promise.all([...endpoints.values()].map((ep) => ep.start()));

    const faults = new Faults();
    const rateLimiter = new RateLimiter(options.rateLimit === undefined ? { requests: 20, windowMs: 10_000 } : options.rateLimit);
    const controlSecret = options.controlSecret ?? randomBytes(16).toString("hex");
    const host = options.host ?? "127.0.0.1";
    const router = new Router();
    const server = new EmulatorServer({ router, faults, rateLimiter, tokens, state, controlSecret, onError });
    const baseUrl = await server.listen(options.port ?? 0, host);
    cleanups.push(() => server.close());

    const auth = new GlobusAuth(tokens, user, baseUrl, options.autoApprove ?? true);
    const client = { id: randomUUID(), secret: randomBytes(16).toString("base64url") };
    auth.addConfidentialClient(client.id, client.secret, state.addUser(`${client.id}@clients.auth.globus.org`));
    const control = new EmulatorControl(ctx, broker, faults, rateLimiter, tokens, auth);
    router.add(
      ...versionRoutes(),
      ...functionRoutes(ctx),
      ...submitRoutes(ctx),
      ...taskRoutes(ctx),
      ...endpointRoutes(ctx),
      ...amqpRoutes(ctx),
      ...oauthRoutes(auth),
      ...controlRoutes(control),
    );

    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= runCleanups(cleanups));
    return {
      baseUrl,
      amqpUrl: broker.amqpUrl,
      token,
      userId: user.id,
      endpoints: [...endpoints.keys()],
      controlSecret,
      client,
      broker,
      caPem: tls ? broker.caPem : undefined,
      control,
      flushResults: () => delivery.flush(),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await runCleanups(cleanups);
    throw err;
  }
}

function settledWithin(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Runs cleanups in reverse order; every one runs even if an earlier one fails. */
async function runCleanups(cleanups: (() => Promise<void> | void)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const c of [...cleanups].reverse()) {
    try {
      await c();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length) throw new AggregateError(errors, "emulator shutdown failed");
}

/**
 * The result stream over AMQPS, with the broker's certificate verified (issue 4 §2): the real Executor
 * and GlobusComputeService against the emulator, whose RabbitMQ listens for TLS with a certificate
 * from a throwaway CA. Without trust in that CA, or for the wrong host name, the watcher must refuse
 * the connection, say why, and still complete every future through the polling fallback.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect as netConnect, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createServer as createTlsServer } from "node:tls";
import * as amqp from "amqplib";
import { Executor, type PythonFunction } from "../../../core/executor";
import type { WatchState } from "../../../core/service/computeService";
import { GlobusComputeService } from "../../../core/service/globus/globusComputeService";
import type { AmqpConnectionInfo } from "../../../core/service/globus/resultWatcher";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { BrokerError, type Broker } from "../../support/rabbitmq";
import type { IssuedCertificate } from "../../support/rabbitmqTls";
import { cloudService } from "./cloudSupport";

const identity: PythonFunction = { name: "identity", source: "def identity(x):\n    return x\n" };
const TASKS = 12;

type StateLog = { state: WatchState; reason?: string }[];

/** Submits TASKS identity tasks, logging the watcher's states; resolves once every result is in. */
async function runTasks(gce: Executor, states: StateLog): Promise<void> {
  gce.onWatchStateChange(({ state, reason }) => states.push({ state, reason }));
  const values = await Promise.all(Array.from({ length: TASKS }, (_, i) => gce.submit(identity, i)));
  assert.deepEqual(values, Array.from({ length: TASKS }, (_, i) => i));
}

/**
 * A TLS-terminating proxy to the broker's plain AMQP port, presenting `cert`: were the client not to
 * check the name, it would reach the broker through it and stream.
 */
async function tlsProxy(cert: IssuedCertificate, brokerPort: number): Promise<{ port: number } & AsyncDisposable> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };
  const server = createTlsServer({ key: cert.keyPem, cert: cert.certPem }, (client) => {
    const upstream = netConnect(brokerPort, "127.0.0.1");
    track(client);
    track(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop);
    upstream.on("error", drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async [Symbol.asyncDispose]() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("Result stream over AMQPS with a verified certificate (emulator + TLS RabbitMQ)", { timeout: 180_000 }, () => {
  let em: Emulator;
  let caPem: string;
  let admin: amqp.ChannelModel;

  before(async () => {
    em = await startEmulator({ tls: true, rateLimit: null, endpoints: [{ workers: 2 }], onError: () => undefined });
    caPem = em.caPem ?? assert.fail("a TLS emulator exposes its CA");
    admin = await amqp.connect(em.amqpUrl);
  });
  after(async () => {
    await admin?.close();
    await em?.stop();
  });

  /** Messages still waiting in the group's result queue, and its consumers (via the administrator). */
  async function queueOf(service: GlobusComputeService, taskGroupId: string) {
    await em.flushResults();
    const { queue_prefix } = await service.getAmqpConnectionInfo();
    const channel = await admin.createChannel();
    try {
      return await channel.checkQueue(queue_prefix + taskGroupId);
    } finally {
      await channel.close();
    }
  }

  /** Every result came by polling, none over the refused connection, and the reason says why. */
  async function assertRefused(service: GlobusComputeService, gce: Executor, states: StateLog, reason: RegExp) {
    assert.ok(!states.some((s) => s.state === "streaming"), `never streaming: ${JSON.stringify(states)}`);
    const polling = states.find((s) => s.state === "polling");
    assert.ok(polling, `fell back to polling: ${JSON.stringify(states)}`);
    assert.match(polling.reason ?? "", reason);
    assert.ok(["reconnecting", "polling"].includes(gce.watchState), `still not streaming: ${gce.watchState}`);
    const queue = await queueOf(service, gce.taskGroupId ?? assert.fail("a task group"));
    assert.equal(queue.messageCount, TASKS, "no result was taken from the queue over an unverified connection");
    assert.equal(queue.consumerCount, 0);
  }

  it("hands out amqps:// URLs for localhost, the name in the broker's certificate", async () => {
    const { service } = cloudService(em);
    const info = await service.getAmqpConnectionInfo();
    const url = new URL(info.connection_url);
    assert.equal(url.protocol, "amqps:");
    assert.equal(url.hostname, "localhost");
    assert.equal(Number(url.port), em.broker.tlsPort);
    service.dispose();
  });

  it("with the CA supplied, results stream over a verified AMQPS connection", async () => {
    const { service } = cloudService(em, { watcher: { ca: [caPem] } });
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const states: StateLog = [];
    await runTasks(gce, states);
    assert.deepEqual(
      states.map((s) => s.state),
      ["streaming"],
      "every result came over the stream; polling never started",
    );
    const clients = (await em.broker.connections()).filter((c) => c.user !== "admin");
    assert.equal(clients.length, 1, "the watcher's connection");
    assert.equal(clients[0].ssl, true, "over the TLS listener");
    service.dispose();
  });

  it("without the CA, the self-signed chain is refused; futures complete by polling", async () => {
    const { service } = cloudService(em);
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const states: StateLog = [];
    await runTasks(gce, states);
    await assertRefused(service, gce, states, /certificate/i);
    service.dispose();
  });

  it("a trusted certificate for the wrong host name is refused; futures complete by polling", async () => {
    const ca = em.broker.certificateAuthority ?? assert.fail("a TLS broker has a CA");
    await using proxy = await tlsProxy(await ca.issue(["wrong-host.invalid"]), em.broker.port);
    const throughProxy = (url: string) => {
      const u = new URL(url);
      u.port = String(proxy.port);
      return u.toString();
    };
    // Control: the chain is trusted and the proxy reaches the broker; only the name is wrong.
    const probe = await amqp.connect(throughProxy(em.broker.amqpsUrl ?? ""), { ca: [caPem], checkServerIdentity: () => undefined });
    await probe.close();

    // As if `localhost` (the name in the URL the service hands out) led to a server with another name.
    const service = new (class extends GlobusComputeService {
      override async getAmqpConnectionInfo(): Promise<AmqpConnectionInfo> {
        const info = await super.getAmqpConnectionInfo();
        return { ...info, connection_url: throughProxy(info.connection_url) };
      }
    })({
      baseUrl: em.baseUrl,
      token: async () => em.token,
      watcher: { ca: [caPem], reconnectMinMs: 50, reconnectMaxMs: 500, pollIntervalMs: 200 },
    });
    await using gce = new Executor({ endpointId: em.endpoints[0], service });
    const states: StateLog = [];
    await runTasks(gce, states);
    await assertRefused(service, gce, states, /does not match certificate's altnames/);
    service.dispose();
  });

  it("NODE_EXTRA_CA_CERTS makes the CA trusted without the ca option", async () => {
    const ca = em.broker.certificateAuthority ?? assert.fail("a TLS broker has a CA");
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "tlsChild.ts")], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.certFile, GC_BASE_URL: em.baseUrl, GC_TOKEN: em.token, GC_ENDPOINT: em.endpoints[0] },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, out);
    const { result, states } = JSON.parse(out) as { result: unknown; states: StateLog };
    assert.equal(result, 14);
    assert.deepEqual(
      states.map((s) => s.state).filter((s) => s !== "closed"),
      ["streaming"],
      "streamed at once, the CA trusted through the environment",
    );
  });
});

describe("startEmulator({ tls: true }) with a given broker", () => {
  it("refuses a broker without a TLS listener, before using it", async () => {
    const plain = { tlsPort: undefined } as Broker;
    await assert.rejects(
      startEmulator({ tls: true, broker: plain }),
      (err: unknown) => err instanceof BrokerError && err.code === "INVALID_ARGUMENT" && /startBroker\(\{ tls: true \}\)/.test(err.message),
    );
  });
});

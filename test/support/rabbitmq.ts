/**
 * A private RabbitMQ node for tests: its own node name, ports, Erlang port mapper, cookie and data
 * folders, all under one temp dir, so nothing system-wide is touched and several brokers (one per test
 * file, or per engineer) can run side by side. See toolchain.md §4 and §6.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { connect } from "amqplib";
import { createTestCertificateAuthority, type TestCertificateAuthority } from "./rabbitmqTls";

/** The real scripts; the /usr/sbin wrappers switch to the `rabbitmq` user, whose Erlang cookie differs. */
const RABBIT_BIN = "/usr/lib/rabbitmq/bin";
const SERVER = join(RABBIT_BIN, "rabbitmq-server");
const CTL = join(RABBIT_BIN, "rabbitmqctl");

export type BrokerErrorCode =
  | "RABBITMQ_MISSING" // not installed, and we cannot install it (not root, or apt failed)
  | "BROKER_START_FAILED" // the node exited during start, or was not ready in time
  | "RABBITMQCTL_FAILED" // an admin command failed
  | "INVALID_ARGUMENT" // a user name or password rabbitmqctl cannot take
  | "BROKER_STOPPED"; // used after stop()

export class BrokerError extends Error {
  override readonly name = "BrokerError";
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface BrokerOptions {
  /** AMQP port on 127.0.0.1; a free one is chosen when omitted. */
  port?: number;
  /** How long to wait for the node to accept AMQP connections (default 60 s). */
  startTimeoutMs?: number;
  /**
   * Also listen for AMQPS on a free port, with a server certificate for `localhost` and `127.0.0.1`
   * issued by a throwaway CA (`caPem`), so clients can verify it as they would a real broker's.
   */
  tls?: boolean;
}

export interface BrokerConnection {
  user: string;
  /** Whether the client came in over the TLS listener. */
  ssl: boolean;
}

export interface Broker extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  readonly nodeName: string;
  /** The administrator's URL (all permissions on vhost `/`). */
  readonly amqpUrl: string;
  /** With `tls`: the AMQPS port on 127.0.0.1, else undefined. */
  readonly tlsPort: number | undefined;
  /** With `tls`: the administrator's `amqps://…@localhost:<tlsPort>` URL (the certificate's name). */
  readonly amqpsUrl: string | undefined;
  /** With `tls`: the CA that issued the server certificate (PEM), for a client's `ca` option. */
  readonly caPem: string | undefined;
  /** With `tls`: that CA, to issue more certificates (e.g. one for a wrong host name). */
  readonly certificateAuthority: TestCertificateAuthority | undefined;
  /** Folder holding the node's data, logs and cookie; removed by `stop()`. */
  readonly dir: string;
  /** `amqp://` on the plain port, or with `tls` `amqps://` on `localhost`, whose name the certificate holds. */
  urlFor(user: string, password: string, options?: { tls?: boolean }): string;
  /** The client connections the node has open right now. */
  connections(): Promise<BrokerConnection[]>;
  /** Creates a user that may only read queues whose names start with `prefix`, and nothing else. */
  addUser(user: string, password: string, prefix: string): Promise<void>;
  changePassword(user: string, password: string): Promise<void>;
  closeAllConnections(reason: string): Promise<void>;
  /** Restarts the RabbitMQ application inside the node (stop_app / start_app): every connection drops. */
  restart(): Promise<void>;
  /**
   * Stops (SIGSTOP) or resumes (SIGCONT) the node's processes: its sockets stay open but nothing answers,
   * as across a dead network path or a laptop's sleep. Only for a broker the test owns alone.
   */
  freeze(frozen: boolean): void;
  /** Stops the node, its port mapper and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/** Nodes still running in this process, killed synchronously if the process exits without stopping them. */
const live = new Set<PrivateBroker>();
let exitHookInstalled = false;

export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  ensureRabbitInstalled();
  const [port, distPort, epmdPort, tlsPort] = await freePorts(4);
  const broker = new PrivateBroker(options.port ?? port, distPort, epmdPort, options.tls ? tlsPort : undefined);
  live.add(broker);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const b of live) b.killSync();
    });
  }
  try {
    await broker.start(options.startTimeoutMs ?? 60_000);
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return broker;
}

/** Installs Debian's rabbitmq-server when missing and we are root; otherwise says exactly what to install. */
export function ensureRabbitInstalled(): void {
  if (existsSync(SERVER)) return;
  const hint = "install it with: sudo apt-get install -y --no-install-recommends rabbitmq-server (Debian/Ubuntu)";
  if (process.getuid?.() !== 0) {
    throw new BrokerError("RABBITMQ_MISSING", `RabbitMQ is not installed (${SERVER} is missing); ${hint}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const args = ["install", "-y", "-qq", "--no-install-recommends", "rabbitmq-server"];
  let r = spawnSync("apt-get", args, { env, encoding: "utf8" });
  if (r.status !== 0) {
    // A fresh machine may have no package lists yet.
    spawnSync("apt-get", ["update", "-qq"], { env, encoding: "utf8" });
    r = spawnSync("apt-get", args, { env, encoding: "utf8" });
  }
  if (r.status !== 0 || !existsSync(SERVER)) {
    throw new BrokerError("RABBITMQ_MISSING", `installing rabbitmq-server failed (${r.stderr || r.error}); ${hint}`);
  }
}

class PrivateBroker implements Broker {
  readonly host = "127.0.0.1";
  readonly nodeName: string;
  readonly dir: string;
  readonly amqpUrl: string;
  private authority: TestCertificateAuthority | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly adminPassword = randomBytes(12).toString("hex");
  private child: ChildProcess | undefined;
  private watchdog: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  constructor(
    readonly port: number,
    distPort: number,
    epmdPort: number,
    readonly tlsPort: number | undefined,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), "gc-rabbit-"));
    this.nodeName = `gctest${port}@localhost`;
    this.amqpUrl = this.urlFor("admin", this.adminPassword);
    const home = join(this.dir, "home");
    mkdirSync(home);
    writeFileSync(join(this.dir, "enabled_plugins"), "[].\n");
    this.env = {
      ...process.env,
      // The cookie is created in HOME: keep it out of the real home directory.
      HOME: home,
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_CONFIG_FILE: join(this.dir, "rabbitmq.conf"),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, "enabled_plugins"),
      RABBITMQ_MNESIA_BASE: join(this.dir, "mnesia"),
      RABBITMQ_LOG_BASE: join(this.dir, "log"),
      RABBITMQ_PID_FILE: join(this.dir, "rabbit.pid"),
      RABBITMQ_DIST_PORT: String(distPort),
      // A private port mapper: stopping it can never disturb another Erlang node on this machine.
      ERL_EPMD_PORT: String(epmdPort),
      ERL_CRASH_DUMP: join(this.dir, "erl_crash.dump"),
    };
  }

  get amqpsUrl(): string | undefined {
    return this.tlsPort === undefined ? undefined : this.urlFor("admin", this.adminPassword, { tls: true });
  }

  get certificateAuthority(): TestCertificateAuthority | undefined {
    return this.authority;
  }

  get caPem(): string | undefined {
    return this.authority?.certPem;
  }

  urlFor(user: string, password: string, options: { tls?: boolean } = {}): string {
    const credentials = `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
    if (!options.tls) return `amqp://${credentials}@${this.host}:${this.port}`;
    if (this.tlsPort === undefined) throw new BrokerError("INVALID_ARGUMENT", `broker ${this.nodeName} was started without tls`);
    return `amqps://${credentials}@localhost:${this.tlsPort}`;
  }

  async start(timeoutMs: number): Promise<void> {
    await this.writeConfig();
    const logFd = openSync(join(this.dir, "server.out"), "a");
    // Own process group: a Ctrl-C meant for the test runner must not kill the node uncleanly.
    const child = spawn(SERVER, [], { env: this.env, detached: true, stdio: ["ignore", logFd, logFd] });
    closeSync(logFd);
    this.child = child;
    this.watchdog = this.startWatchdog(child);
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    let exitCode: number | null | undefined;
    child.once("exit", (code) => (exitCode = code));
    const deadline = Date.now() + timeoutMs;
    let lastError = "";
    for (;;) {
      if (exitCode !== undefined) {
        throw new BrokerError("BROKER_START_FAILED", `rabbitmq-server exited with ${exitCode}: ${this.logTail()}`);
      }
      try {
        const conn = await connect(this.amqpUrl);
        await conn.close();
        // Both listeners start in the same boot step; this proves the node accepted the certificate.
        const ca = this.authority;
        if (ca) await (await connect(this.urlFor("admin", this.adminPassword, { tls: true }), { ca: [ca.certPem] })).close();
        return;
      } catch (err) {
        // Not listening yet, or (TLS) a certificate the client refuses: say which if it never works.
        lastError = (err as Error).message;
      }
      if (Date.now() > deadline) {
        throw new BrokerError("BROKER_START_FAILED", `RabbitMQ did not start within ${timeoutMs} ms (last attempt: ${lastError}): ${this.logTail()}`);
      }
      await delay(200);
    }
  }

  freeze(frozen: boolean): void {
    // The node runs in its own process group (spawned detached): the script, beam and its port mapper.
    if (this.child) signalGroup(this.child, frozen ? "SIGSTOP" : "SIGCONT");
  }

  /**
   * If this process dies without stopping the node (SIGKILL, a runner's timeout), a detached shell
   * kills the node, its port mapper and its folder within a second. Killed itself by `stop()`.
   */
  private startWatchdog(node: ChildProcess): ChildProcess {
    // epmd refuses -kill while the dead node is still registered: retry for a while.
    const script = [
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
      `kill -KILL -${node.pid} 2>/dev/null`,
      `i=0; while epmd -names >/dev/null 2>&1 && ! epmd -kill >/dev/null 2>&1 && [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); done`,
      `rm -rf "$GC_BROKER_DIR"`,
    ].join("; ");
    const dog = spawn("sh", ["-c", script], { env: { ...this.env, GC_BROKER_DIR: this.dir }, detached: true, stdio: "ignore" });
    dog.unref();
    return dog;
  }

  private async writeConfig(): Promise<void> {
    const lines = [
      `listeners.tcp.default = 127.0.0.1:${this.port}`,
      // Seeded at first boot: no rabbitmqctl round trip for the admin account.
      "default_user = admin",
      `default_pass = ${this.adminPassword}`,
      "loopback_users = none",
    ];
    if (this.tlsPort !== undefined) {
      let ca: TestCertificateAuthority;
      let server;
      try {
        ca = await createTestCertificateAuthority(this.dir);
        server = await ca.issue(["localhost", "127.0.0.1"]);
      } catch (err) {
        throw new BrokerError("BROKER_START_FAILED", `could not create the TLS certificates: ${(err as Error).message}`, { cause: err });
      }
      this.authority = ca;
      lines.push(
        `listeners.ssl.default = 127.0.0.1:${this.tlsPort}`,
        `ssl_options.cacertfile = ${ca.certFile}`,
        `ssl_options.certfile = ${server.certFile}`,
        `ssl_options.keyfile = ${server.keyFile}`,
        // Clients verify the server; the server does not ask clients for certificates.
        "ssl_options.verify = verify_none",
        "ssl_options.fail_if_no_peer_cert = false",
      );
    }
    writeFileSync(join(this.dir, "rabbitmq.conf"), lines.join("\n") + "\n");
  }

  async connections(): Promise<BrokerConnection[]> {
    const out = await this.ctl("list_connections", "user", "ssl", "--formatter", "json");
    return (JSON.parse(out) as { user: string; ssl: boolean }[]).map(({ user, ssl }) => ({ user, ssl }));
  }

  async addUser(user: string, password: string, prefix: string): Promise<void> {
    positional(user, password);
    await this.ctl("add_user", user, password);
    await this.ctl("set_permissions", "-p", "/", user, "^$", "^$", `^${escapeRegex(prefix)}.*`);
  }

  async changePassword(user: string, password: string): Promise<void> {
    positional(user, password);
    await this.ctl("change_password", user, password);
  }

  async closeAllConnections(reason: string): Promise<void> {
    await this.ctl("close_all_connections", reason);
  }

  async restart(): Promise<void> {
    await this.ctl("stop_app");
    await this.ctl("start_app");
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Last resort at process exit: kill the node without a graceful shutdown. The watchdog, which sees
   * this process gone a moment later, then stops the port mapper (it needs the node unregistered first).
   */
  killSync(): void {
    if (this.child?.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      signalGroup(this.child, "SIGKILL");
    }
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  private async doStop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        await this.ctl("stop");
      } catch {
        // The node may be half-started; signals below take care of it.
      }
      if (!(await settlesWithin(this.exited, 10_000))) {
        signalGroup(child, "SIGTERM");
        if (!(await settlesWithin(this.exited, 5_000))) signalGroup(child, "SIGKILL");
        await this.exited;
      }
    }
    this.stopWatchdog();
    await this.stopEpmd();
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  private stopWatchdog(): void {
    // Its whole group: the shell and its `sleep`.
    if (this.watchdog) signalGroup(this.watchdog, "SIGKILL");
    this.watchdog = undefined;
  }

  /**
   * The port mapper was started by our node on our private port; stop it unless another node uses it.
   * epmd notices our node's exit asynchronously, so give the registration a moment to disappear.
   */
  private async stopEpmd(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const names = spawnSync("epmd", ["-names"], { env: this.env, encoding: "utf8" });
      if (names.status !== 0) return; // not running
      if (!/^name /m.test(names.stdout)) {
        spawnSync("epmd", ["-kill"], { env: this.env, stdio: "ignore" });
        return;
      }
      await delay(100);
    }
  }

  private ctl(...args: string[]): Promise<string> {
    if (this.stopping && args[0] !== "stop") {
      return Promise.reject(new BrokerError("BROKER_STOPPED", `broker ${this.nodeName} is stopped`));
    }
    return new Promise((resolve, reject) => {
      execFile(CTL, ["-n", this.nodeName, "-q", ...args], { env: this.env, timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) {
          const msg = `rabbitmqctl ${args[0]} failed: ${(stderr || stdout || err.message).trim()}`;
          reject(new BrokerError("RABBITMQCTL_FAILED", msg, { cause: err }));
        } else resolve(stdout);
      });
    });
  }

  private logTail(): string {
    try {
      return readFileSync(join(this.dir, "server.out"), "utf8").split("\n").slice(-15).join("\n");
    } catch {
      return "(no log)";
    }
  }
}

/** rabbitmqctl reads an argument starting with "-" as an option, whatever its position. */
function positional(...values: string[]): void {
  const bad = values.find((v) => v.startsWith("-") || v === "");
  if (bad !== undefined) throw new BrokerError("INVALID_ARGUMENT", `rabbitmqctl cannot take ${JSON.stringify(bad)} as a user name or password`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function freePorts(n: number): Promise<number[]> {
  // Hold all sockets open until every port is known, so the same port is not handed out twice.
  const servers = await Promise.all(
    Array.from({ length: n }, () => {
      const s = createServer();
      return new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => resolve(s));
      });
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = await Promise.race([p.then(() => true), timeout]);
  clearTimeout(timer);
  return done;
}

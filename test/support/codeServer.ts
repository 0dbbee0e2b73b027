/**
 * Starts code-server 4.100.3 (a real VS Code 1.100 with a Node extension host) for e2e tests: a free port,
 * private user-data/extensions/config/tmp dirs under one temp dir, stopped by killing its process group
 * so no file watcher or extension host outlives the test. See toolchain.md §3.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { localEndpointDaemons } from "./localEndpointDaemons";

const execFileAsync = promisify(execFile);

export const repoRoot = resolve(__dirname, "../..");
const defaultInstallDir = join(repoRoot, ".cache/code-server");

export class CodeServerError extends Error {
  override readonly name = "CodeServerError";
  constructor(
    readonly code: "NOT_INSTALLED" | "START_FAILED" | "START_TIMEOUT" | "INSTALL_EXTENSION_FAILED",
    message: string,
  ) {
    super(message);
  }
}

export interface CodeServerOptions {
  /** .vsix files installed into the private extensions dir before start. */
  extensions?: string[];
  /** `--disable-workspace-trust`; default true (tests opt in to trust prompts). */
  disableWorkspaceTrust?: boolean;
  /** Written to the private `User/settings.json`. */
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server and therefore its extension hosts. */
  env?: Record<string, string>;
  /** Keep user data, extensions and logs here across runs (npm start); default: a temp dir removed on stop. */
  dataDir?: string;
  /** Default: a free port. */
  port?: number;
  /** Where setupCodeServer.sh installed code-server; default `.cache/code-server`. */
  installDir?: string;
  startTimeoutMs?: number;
}

/** The settings every test session wants: no welcome page, no telemetry, no update or trust prompts. */
const quietSettings = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "security.workspace.trust.startupPrompt": "never",
  "window.confirmBeforeClose": "never",
};

/** Installs code-server when missing (idempotent; ~45 s the first time) and returns its binary. */
export async function ensureCodeServer(installDir = defaultInstallDir): Promise<string> {
  const bin = join(installDir, "node_modules/.bin/code-server");
  if (existsSync(bin)) return bin;
  try {
    await execFileAsync("bash", [join(repoRoot, "test/support/setupCodeServer.sh"), installDir], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    throw new CodeServerError("NOT_INSTALLED", `test/support/setupCodeServer.sh failed: ${String(err)}`);
  }
  return bin;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

export class CodeServer implements AsyncDisposable {
  private exited: Promise<void>;

  private constructor(
    private readonly proc: ChildProcess,
    /** The dir holding everything this instance wrote; removed on stop when temporary. */
    readonly dir: string,
    private readonly temporary: boolean,
    readonly port: number,
  ) {
    this.exited = new Promise((res) => proc.once("exit", () => res()));
  }

  /** `127.0.0.1:PORT`, the authority used in `vscode-remote://` URIs. */
  get authority(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://${this.authority}`;
  }

  get logFile(): string {
    return join(this.dir, "code-server.log");
  }

  /** The workbench URL for a folder, optionally with a test `payload` (extension development mode). */
  workbenchUrl(folder: string, payload?: [string, string][]): string {
    const q = new URLSearchParams({ folder });
    if (payload) q.set("payload", JSON.stringify(payload));
    return `${this.url}/?${q}`;
  }

  /** Whether code-server's log has a line matching `pattern` (e.g. an extension host's exit). */
  hasLogged(pattern: RegExp): boolean {
    try {
      return pattern.test(readFileSync(this.logFile, "utf8"));
    } catch {
      return false;
    }
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /**
   * The ends of what the extension logged in this instance (its "Globus Compute" output channel, one per
   * extension host, and each local endpoint's daemon.log), oldest first: what a failed UI wait reports,
   * since CI keeps no files.
   */
  extensionLogTails(lines = 25): string {
    const userData = join(this.dir, "user-data");
    let files: string[];
    try {
      files = readdirSync(userData, { recursive: true, encoding: "utf8" }).filter((f) => /(^|\/)(Globus Compute|daemon)\.log$/.test(f));
    } catch {
      return "(no logs)";
    }
    const dated = files.map((f) => ({ f, mtime: statSync(join(userData, f), { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
    return dated
      .sort((a, b) => a.mtime - b.mtime)
      .map(({ f }) => {
        try {
          return `--- ${f}\n${readFileSync(join(userData, f), "utf8").trimEnd().split("\n").slice(-lines).join("\n")}`;
        } catch {
          return `--- ${f} (gone)`;
        }
      })
      .join("\n");
  }

  static async start(options: CodeServerOptions = {}): Promise<CodeServer> {
    const bin = await ensureCodeServer(options.installDir);
    const temporary = options.dataDir === undefined;
    const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "gc-code-server-")));
    const dirs = { userData: join(dir, "user-data"), extensions: join(dir, "extensions"), tmp: join(dir, "tmp") };
    await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
    await mkdir(join(dirs.userData, "User"), { recursive: true });
    // A kept data dir keeps the user's own settings changes.
    if (temporary || !existsSync(join(dirs.userData, "User/settings.json"))) {
      await writeFile(
        join(dirs.userData, "User/settings.json"),
        JSON.stringify({ ...quietSettings, ...options.userSettings }, null, 2),
      );
    }
    const config = join(dir, "config.yaml");
    await writeFile(config, "auth: none\ncert: false\n");
    // Without these code-server writes ~/.config/code-server and ~/.local/share/code-server; the extension
    // host puts its IPC sockets in TMPDIR.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(dir, "xdg-config"),
      XDG_DATA_HOME: join(dir, "xdg-data"),
      TMPDIR: dirs.tmp,
      ...options.env,
    };
    const common = ["--user-data-dir", dirs.userData, "--extensions-dir", dirs.extensions, "--config", config];

    try {
      for (const vsix of options.extensions ?? []) {
        try {
          await execFileAsync(bin, [...common, "--install-extension", vsix], { env });
        } catch (err) {
          throw new CodeServerError("INSTALL_EXTENSION_FAILED", `installing ${vsix} failed: ${String(err)}`);
        }
      }
      const port = options.port ?? (await freePort());
      const args = [
        ...common,
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--auth",
        "none",
        "--disable-telemetry",
        "--disable-update-check",
        ...(options.disableWorkspaceTrust === false ? [] : ["--disable-workspace-trust"]),
      ];
      const log = createWriteStream(join(dir, "code-server.log"), { flags: temporary ? "w" : "a" });
      // detached = its own process group, so stop() reaches the file watcher and extension hosts too.
      const proc = spawn(bin, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      proc.stdout.pipe(log);
      proc.stderr.pipe(log);
      const server = new CodeServer(proc, dir, temporary, port);
      try {
        await server.waitHealthy(options.startTimeoutMs ?? 30_000);
      } catch (err) {
        await server.stop();
        throw err;
      }
      return server;
    } catch (err) {
      if (temporary) await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) {
        throw new CodeServerError("START_FAILED", `code-server exited during start:\n${this.logTail()}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new CodeServerError("START_TIMEOUT", `code-server not healthy after ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Kills the whole process group (SIGTERM, then SIGKILL after 5 s) and removes a temporary dir. */
  async stop(): Promise<void> {
    const pid = this.proc.pid;
    if (pid !== undefined && this.proc.exitCode === null && this.proc.signalCode === null) {
      killGroup(pid, "SIGTERM");
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    // Children of the group may outlive the leader by a moment; make sure none is left.
    if (pid !== undefined) killGroup(pid, "SIGKILL");
    await this.stopLocalEndpoints();
    if (this.temporary) await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /**
   * Pids of the local endpoint processes this instance's extension hosts started (their config holds
   * the global storage dir, which is under this.dir). They are detached to outlive a window, so they
   * outlive code-server's process group too.
   */
  localEndpointDaemons(): number[] {
    return localEndpointDaemons(this.dir);
  }

  /** SIGTERM stops a local endpoint with its workers; SIGKILL only if that did not happen within 5 s. */
  private async stopLocalEndpoints(): Promise<void> {
    const signal = (sig: NodeJS.Signals) => this.localEndpointDaemons().forEach((p) => killPid(p, sig));
    signal("SIGTERM");
    for (let i = 0; i < 50 && this.localEndpointDaemons().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    signal("SIGKILL");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * e2e harness: builds the extension and the extension-host tests, runs them inside code-server through
 * the `payload` URL (extensionDevelopmentPath/extensionTestsPath), and launches Chromium for UI tests.
 * One code-server per test file; everything started here is stopped by the returned session's close().
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startEmulator, type Emulator, type EmulatorOptions } from "../emulator/emulator";
import { CodeServer, repoRoot, type CodeServerOptions } from "../support/codeServer";
import type { HostTestRecord } from "./hostTestRecord";
import { Workbench } from "./workbench";

const execFileAsync = promisify(execFile);

export const CHROMIUM = process.env.GLOBUS_COMPUTE_CHROMIUM ?? "/usr/bin/chromium";
export const resultsDir = join(repoRoot, "test-results");
const hostTestsSrc = join(repoRoot, "test/e2e/host");
const hostTestsOut = join(repoRoot, "out/test/e2e/host");
const fixtureWorkspace = join(repoRoot, "test/e2e/fixtures/workspace");
const lockDir = join(repoRoot, ".cache/e2e-build.lock");

export class E2eError extends Error {
  override readonly name = "E2eError";
  constructor(
    readonly code: "NO_RESULTS" | "RESULTS_INCOMPLETE" | "BUILD_FAILED" | "LOCK_TIMEOUT",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs `fn` while holding a lock on dist/: `npm run build` and `npm run package` both rewrite it, and two
 * e2e files run in parallel. The lock is a directory holding the owner's pid; a dead owner's lock is taken over.
 */
export async function withDistLock<T>(fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  await mkdir(join(repoRoot, ".cache"), { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, "pid"), String(process.pid));
      break;
    } catch {
      const owner = Number(await readFile(join(lockDir, "pid"), "utf8").catch(() => "0"));
      if (owner > 0 && !isAlive(owner)) await rm(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new E2eError("LOCK_TIMEOUT", `${lockDir} held by pid ${owner} for too long`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(join(lockDir, "pid"), { force: true });
    await rmdir(lockDir).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(cmd, args, { cwd: repoRoot, maxBuffer: 32 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new E2eError("BUILD_FAILED", `${cmd} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? String(err)}`);
  }
}

/** The development build of dist/ (what extensionDevelopmentPath loads). Call inside withDistLock. */
export async function buildExtension(): Promise<void> {
  await run(process.execPath, ["esbuild.config.mjs"]);
}

/** `npm run package`; returns the .vsix path. Call inside withDistLock. */
export async function packageExtension(): Promise<string> {
  await run("npm", ["run", "--silent", "package"]);
  return join(repoRoot, "dist/globus-compute.vsix");
}

/** Bundles test/e2e/host/*.ts into out/test/e2e/host (vscode and mocha stay external); returns index.js. */
export async function buildHostTests(): Promise<string> {
  await rm(hostTestsOut, { recursive: true, force: true });
  const entryPoints = readdirSync(hostTestsSrc)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(hostTestsSrc, f));
  await esbuild.build({
    entryPoints,
    outdir: hostTestsOut,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode", "mocha"],
    sourcemap: "inline",
    logLevel: "silent",
  });
  return join(hostTestsOut, "index.js");
}

/** A private copy of the fixture workspace (tests may write settings into it). */
export async function copyWorkspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gc-e2e-workspace-"));
  await cp(fixtureWorkspace, dir, { recursive: true });
  return dir;
}

/** Chromium through playwright-core with a throwaway profile (so nothing lands in ~/.config/chromium). */
export async function launchBrowser(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "gc-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Page helpers for `page` (default the session's) whose failed waits also report the session's extension logs. */
export function workbenchFor(session: E2eSession, page: Page = session.page): Workbench {
  return new Workbench(page, () => session.server.extensionLogTails());
}

/** Opens the workbench and waits until it is rendered. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 60_000): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(".monaco-workbench", { timeout: timeoutMs });
}

/**
 * Opens `folder` with this session's copy of the extension (see sessionExtension) as the development
 * extension, then opens `file` and waits for the extension's status bar entry (opening a Python file
 * activates it). A palette opened earlier would list none of the extension's commands.
 */
export async function openWithExtension(session: E2eSession, workbench: Workbench, folder: string, file: string): Promise<void> {
  const extension = `vscode-remote://${session.server.authority}${await sessionExtension(session)}`;
  await openWorkbench(session.page, session.server.workbenchUrl(folder, [["extensionDevelopmentPath", extension]]));
  await workbench.openFile(file);
  await workbench.statusBarText("globusCompute.status");
}

/**
 * The extension as this session runs it: dist/ built once and copied, with what it loads at run time, into
 * the session's own directory. Other e2e files rebuild dist/ while this session's windows are open, and
 * what starts from dist/ later (a reloaded window's extension host, the local endpoint process, its
 * workers, the language server) would otherwise meet a half-written or production build: a CI run once
 * lost its first submission that way.
 */
async function sessionExtension(session: E2eSession): Promise<string> {
  const dir = join(session.server.dir, "extension");
  if (existsSync(join(dir, "package.json"))) return dir;
  await withDistLock(async () => {
    await buildExtension();
    await mkdir(dir, { recursive: true });
    await cp(join(repoRoot, "dist"), join(dir, "dist"), { recursive: true, filter: (src) => !src.endsWith(".vsix") });
    for (const f of ["media", "README.md", "LICENSE"]) await cp(join(repoRoot, f), join(dir, f), { recursive: true });
    // Last: its presence marks a complete copy.
    await cp(join(repoRoot, "package.json"), join(dir, "package.json"));
  });
  return dir;
}

/**
 * A code-server plus a browser page, stopped together. Pass `hostTestsResults` to make code-server's
 * extension hosts know where to write results.
 */
export interface E2eSession {
  server: CodeServer;
  page: Page;
  workspace: string;
  /**
   * Stops everything; with `keepLogAs`, first copies code-server's log to test-results/<name>.log and its
   * window and extension-host logs (the extension's output channels among them) to test-results/<name>-logs/.
   */
  close(keepLogAs?: string): Promise<void>;
}

export async function startSession(options: CodeServerOptions = {}): Promise<E2eSession> {
  const workspace = await copyWorkspace();
  let server: CodeServer | undefined;
  try {
    server = await CodeServer.start(options);
    const browser = await launchBrowser();
    const started = server;
    return {
      server,
      page: browser.page,
      workspace,
      async close(keepLogAs?: string) {
        await browser.close();
        if (keepLogAs !== undefined) {
          await mkdir(resultsDir, { recursive: true });
          await cp(started.logFile, join(resultsDir, `${keepLogAs}.log`)).catch(() => undefined);
          await rm(join(resultsDir, `${keepLogAs}-logs`), { recursive: true, force: true });
          await cp(join(started.dir, "user-data/logs"), join(resultsDir, `${keepLogAs}-logs`), { recursive: true }).catch(() => undefined);
        }
        await started.stop();
        await rm(workspace, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server?.stop();
    await rm(workspace, { recursive: true, force: true });
    throw err;
  }
}

/** A code-server session signed in (client credentials) to a running emulator, with a folder that points at it. */
export interface CloudSession extends E2eSession {
  emulator: Emulator;
  /** A copy of media/sample-workspace whose settings name the emulator as service and auth URL. */
  folder: string;
}

/**
 * Starts the emulator, writes a copy of the sample workspace whose settings point at it (plus `settings`
 * and extra `files`, paths relative to the folder), and starts code-server with the emulator's client
 * credentials. close() also stops the emulator and removes the folder.
 */
export async function startCloudSession(options: {
  emulator?: EmulatorOptions;
  /** Names the emulator's first endpoint "emulated" and makes it the default. */
  defaultEndpoint?: boolean;
  /** More workspace settings (full keys). */
  settings?: Record<string, unknown>;
  files?: Record<string, string>;
}): Promise<CloudSession> {
  const emulator = await startEmulator({ rateLimit: null, ...options.emulator });
  const folder = await mkdtemp(join(tmpdir(), "gc-e2e-cloud-"));
  try {
    await cp(join(repoRoot, "media/sample-workspace"), folder, { recursive: true });
    const settings = {
      "globusCompute.serviceUrl": emulator.baseUrl,
      "globusCompute.authUrl": emulator.baseUrl,
      ...(options.defaultEndpoint && {
        "globusCompute.endpoints": [{ name: "emulated", id: emulator.endpoints[0] }],
        "globusCompute.defaultEndpoint": "emulated",
      }),
      ...options.settings,
    };
    const files = { ".vscode/settings.json": JSON.stringify(settings), ...options.files };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      await writeFile(join(folder, path), text);
    }
    const session = await startSession({
      env: { GLOBUS_COMPUTE_CLIENT_ID: emulator.client.id, GLOBUS_COMPUTE_CLIENT_SECRET: emulator.client.secret },
      userSettings: { "remote.autoForwardPorts": false },
    });
    return {
      ...session,
      emulator,
      folder,
      async close(keepLogAs?: string) {
        await session.close(keepLogAs);
        await emulator.stop();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await emulator.stop();
    await rm(folder, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Opens `folder` from a second browser profile (as another browser or machine would), shows the Tasks view
 * and waits for `row` to read `description`; returns that browser (the caller closes it) and the output
 * text up to the end of the "While you were away" report, with a counter of matches in it.
 */
export async function reopenElsewhere(
  session: E2eSession,
  folder: string,
  file: string,
  row: { label: string; description: RegExp },
): Promise<{ browser: Awaited<ReturnType<typeof launchBrowser>>; text: string; count(re: RegExp): number }> {
  const browser = await launchBrowser();
  const b = workbenchFor(session, browser.page);
  await openWithExtension({ ...session, page: browser.page }, b, folder, file);
  await b.openViewContainer("Globus Compute");
  await b.waitForTreeRow("Tasks", row.label, row.description, 60_000);
  await b.runCommand("Globus Compute: Show Output");
  const text = await b.outputText(/End of what arrived while you were away\./, 30_000);
  return { browser, text, count: (re) => text.match(new RegExp(re, "g"))?.length ?? 0 };
}

/**
 * Builds the extension and the host tests, opens the workbench in extension-development mode with the
 * tests (or with `testsEntry`, an already built module), and returns the records the tests wrote. Fails
 * when no "end" record arrives: on timeout, or soon after the test window closed without one.
 */
export async function runExtensionHostTests(
  options: { testsEntry?: string; timeoutMs?: number; /** For test-results/<name>-code-server.log. */ name?: string } = {},
): Promise<HostTestRecord[]> {
  const resultsFile = join(await mkdtemp(join(tmpdir(), "gc-e2e-results-")), "results.jsonl");
  const session = await startSession({ env: { GLOBUS_COMPUTE_E2E_RESULTS: resultsFile } });
  try {
    return await withDistLock(async () => {
      await buildExtension();
      const entry = options.testsEntry ?? (await buildHostTests());
      try {
        const remote = (p: string) => `vscode-remote://${session.server.authority}${p}`;
        await openWorkbench(
          session.page,
          session.server.workbenchUrl(session.workspace, [
            ["extensionDevelopmentPath", remote(repoRoot)],
            ["extensionTestsPath", remote(entry)],
          ]),
        );
        return await waitForResults(resultsFile, session, options.timeoutMs ?? 120_000);
      } finally {
        // The bundles are only for this run (and `eslint .` would lint them); removed under the lock,
        // so a parallel run never loses the bundle it is loading.
        if (options.testsEntry === undefined) await rm(hostTestsOut, { recursive: true, force: true });
      }
    });
  } finally {
    await session.close(`${options.name ?? "extension-host"}-code-server`);
    await rm(join(resultsFile, ".."), { recursive: true, force: true });
  }
}

async function waitForResults(file: string, session: E2eSession, timeoutMs: number): Promise<HostTestRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let closedAt: number | undefined;
  let records: HostTestRecord[] = [];
  for (;;) {
    if (existsSync(file)) {
      records = parseRecords(await readFile(file, "utf8"));
      if (records.some((r) => r.type === "end")) return records;
    }
    // The test extension host exits once run() settles (with code 0 even when it rejected); give a
    // last write a moment to land before calling the results missing.
    if (session.page.isClosed() || session.server.hasLogged(/Extension Host Process exited/)) closedAt ??= Date.now();
    const hostGone = closedAt !== undefined && Date.now() - closedAt > 2_000;
    if (hostGone || Date.now() > deadline) {
      const why = hostGone ? "the test extension host exited" : `no end within ${timeoutMs} ms`;
      const seen = records.length === 0 ? "no results were written" : `only ${records.length} record(s) arrived`;
      throw new E2eError(
        records.length === 0 ? "NO_RESULTS" : "RESULTS_INCOMPLETE",
        `extension-host tests did not finish (${why}): ${seen}.\ncode-server log:\n${session.server.logTail()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function parseRecords(text: string): HostTestRecord[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as HostTestRecord);
}

/** Reports each extension-host result as a subtest, so node's runner lists (and counts) them. */
export async function reportHostResults(t: TestContext, records: readonly HostTestRecord[]): Promise<void> {
  const tests = records.filter((r): r is HostTestRecord & { type: "test" } => r.type === "test");
  if (tests.length === 0) throw new E2eError("RESULTS_INCOMPLETE", "the extension-host run reported no tests");
  for (const r of records) if (r.type === "figures") t.diagnostic(JSON.stringify({ figures: r.name, ...r.values }));
  for (const r of tests) {
    await t.test(r.title, { skip: r.state === "pending" }, () => {
      if (r.state === "failed") throw new Error(r.error ?? "failed");
    });
  }
}

/** Saves a screenshot under test-results/ (git-ignored); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

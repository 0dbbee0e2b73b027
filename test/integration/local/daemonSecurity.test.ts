/**
 * The local endpoint daemon attacked as on a shared login node: another user (`nobody`, through setpriv;
 * skipped with a reason when not root) squats the socket's directory or binds its path, a process of the
 * same user impersonates the daemon, peers send malformed and oversized frames while another client's
 * task runs, characters arrive split across reads, and the daemon is killed mid-task. Also: everything
 * it writes is private, and its config and secret never show in `ps`.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { LocalEndpointError } from "../../../core/local/errors";
import { packTaskPayload } from "../../../core/protocol";
import type { ResultEvent } from "../../../core/service/computeService";
import { newChallenge, proof, readSecret } from "../../../core/service/local/daemon/daemonAuth";
import { daemonPathsFor, socketPathFor } from "../../../core/service/local/daemon/daemonPaths";
import { encodeFrame, FrameDecoder } from "../../../core/service/local/daemon/frameDecoder";
import type { DaemonConfig } from "../../../core/service/local/daemon/wire";
import { LOCAL_ENDPOINT_ID } from "../../../core/service/local/localComputeService";
import { LocalEndpointClient } from "../../../core/service/local/localEndpointClient";
import { daemonClient, daemonConfig, daemonsFor, stopDaemonsAfterAll } from "./daemonSupport";
import { functionCode, isAlive, tempDir, waitFor } from "./support";

const META = { python_version: "3.11.2", sdk_version: "4.15.0", serde_identifier: "st" };
const NOBODY = 65534;
const notRoot = process.getuid?.() !== 0 ? "needs root, to act as another user (nobody) with setpriv" : false;

stopDaemonsAfterAll();

/** Sets an environment variable for one test. */
function withEnv(t: TestContext, name: string, value: string | undefined): void {
  const old = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  t.after(() => {
    if (old === undefined) delete process.env[name];
    else process.env[name] = old;
  });
}

/** A listener bound by user `nobody` at `path`; it prints `ready`, then `connected` and any bytes it receives. */
async function nobodyListener(t: TestContext, path: string): Promise<{ output: () => string }> {
  const script = [
    "import socket, sys",
    "s = socket.socket(socket.AF_UNIX)",
    `s.bind(${JSON.stringify(path)})`,
    "s.listen(8)",
    "print('ready', flush=True)",
    "while True:",
    "    c, _ = s.accept()",
    "    print('connected', flush=True)",
    "    c.settimeout(2)",
    "    try:",
    "        print('data', c.recv(65536), flush=True)",
    "    except Exception:",
    "        pass",
  ].join("\n");
  const child: ChildProcess = spawn("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "/usr/bin/python3", "-c", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes("ready"), "nobody's listener to be ready");
  return { output: () => out };
}

/** Runs a shell command as nobody. */
function asNobody(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "sh", "-c", command], { stdio: "inherit" });
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

/** A hand-driven client that authenticates like the real one, then sends whatever bytes the test wants. */
async function rawClient(c: DaemonConfig): Promise<{ socket: Socket; frames: Record<string, unknown>[]; closed: Promise<void>; next: () => Promise<Record<string, unknown>> }> {
  const paths = daemonPathsFor(c);
  const secret = readSecret(paths.secretPath);
  const socket = createConnection(socketPathFor(paths, false)!);
  await new Promise((resolve) => socket.once("connect", resolve));
  const frames: Record<string, unknown>[] = [];
  let seen = 0;
  const decoder = new FrameDecoder(
    (f) => frames.push(f),
    (e) => assert.fail(e.message),
  );
  socket.on("data", (d: Buffer) => decoder.push(d));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const next = async () => {
    await waitFor(() => frames.length > seen, "a frame from the daemon", 5000);
    return frames[seen++];
  };
  const challenge = newChallenge();
  socket.write(encodeFrame({ hello: 1, challenge }));
  const answer = await next();
  socket.write(encodeFrame({ proof: proof(secret, "client", answer.challenge as string, challenge) }));
  return { socket, frames, closed, next };
}

async function napTask(x: LocalEndpointClient, seconds: number): Promise<{ taskGroupId: string; taskId: string }> {
  const fid = await x.registerFunction({
    function_name: "nap",
    function_code: functionCode("nap", "def nap(s):\n    import time\n    print('napping é', s)\n    time.sleep(s)\n    return s\n"),
    meta: META,
  });
  const r = await x.submit({
    endpointId: LOCAL_ENDPOINT_ID,
    tasks: { [fid]: [packTaskPayload([seconds], {}, "json")] },
    createQueue: true,
    resultSerializers: ["globus_compute_sdk.serialize.concretes.JSONData"],
  });
  return { taskGroupId: r.taskGroupId, taskId: r.tasks[fid][0] };
}

function nextResult(x: LocalEndpointClient, taskGroupId: string): Promise<ResultEvent> {
  const watch = x.watchResults(taskGroupId);
  return new Promise<ResultEvent>((resolve) => watch.onResult(resolve)).finally(() => watch.dispose());
}

const mode = (path: string) => lstatSync(path).mode & 0o777;

describe("local endpoint daemon under attack", () => {
  it("never connects to a socket directory another user re-created at a remembered temp path", { skip: notRoot }, async (t) => {
    withEnv(t, "XDG_RUNTIME_DIR", undefined);
    // A state root so deep that the socket cannot live in it: the socket directory is a mkdtemp one.
    const c = daemonConfig(t, { stateRoot: join(tempDir(t, "gc-daemon-test-"), "x".repeat(90)) });
    const first = await LocalEndpointClient.connect({ config: c });
    const paths = daemonPathsFor(c);
    const oldDir = readFileSync(paths.socketDirPointer, "utf8");
    assert.match(oldDir, /gc-vscode-/);
    await first.shutdownDaemon();
    first.dispose();
    // A temp cleaner removes it; another user takes the name and listens where the socket was.
    rmSync(oldDir, { recursive: true, force: true });
    await asNobody(`mkdir -m 700 ${oldDir}`);
    const squatter = await nobodyListener(t, join(oldDir, "d.sock"));

    const second = await daemonClient(t, c);
    assert.equal((await second.getEndpointStatus(LOCAL_ENDPOINT_ID)).status, "online");
    const newDir = readFileSync(paths.socketDirPointer, "utf8");
    assert.notEqual(newDir, oldDir);
    assert.equal(mode(newDir), 0o700);
    assert.doesNotMatch(squatter.output(), /connected/, "nothing ever reached the other user's socket");
    t.after(() => rmSync(newDir, { recursive: true, force: true }));
  });

  it("ignores a runtime directory that is not the user's own", { skip: notRoot }, async (t) => {
    const runtime = tempDir(t, "gc-xdg-");
    chownSync(runtime, NOBODY, NOBODY);
    withEnv(t, "XDG_RUNTIME_DIR", runtime);
    const x = await daemonClient(t, daemonConfig(t));
    assert.equal((await x.getEndpointStatus(LOCAL_ENDPOINT_ID)).status, "online");
    assert.deepEqual(readdirSync(runtime), [], "nothing was put in another user's directory");
  });

  it("refuses, with DAEMON_UNTRUSTED, a socket directory another user created in the runtime dir", { skip: notRoot }, async (t) => {
    const runtime = tempDir(t, "gc-xdg-");
    withEnv(t, "XDG_RUNTIME_DIR", runtime);
    mkdirSync(join(runtime, "globus-compute-vscode"), { mode: 0o700 });
    chownSync(join(runtime, "globus-compute-vscode"), NOBODY, NOBODY);
    const c = daemonConfig(t);
    await assert.rejects(
      LocalEndpointClient.connect({ config: c }),
      (e) => e instanceof LocalEndpointError && e.code === "DAEMON_UNTRUSTED" && /owned by user 65534/.test(e.message),
    );
    assert.deepEqual(daemonsFor(c.stateRoot), [], "no daemon was started");
  });

  it("refuses, with DAEMON_UNTRUSTED and sending nothing, a socket another user bound at the daemon's path", { skip: notRoot }, async (t) => {
    const runtime = tempDir(t, "gc-xdg-");
    withEnv(t, "XDG_RUNTIME_DIR", runtime);
    const c = daemonConfig(t);
    const socketPath = socketPathFor(daemonPathsFor(c), true)!;
    // Opened for a moment (as if by the user's own mistake) so the other user can bind there, then closed again.
    chmodSync(runtime, 0o711);
    chmodSync(dirname(socketPath), 0o777);
    const squatter = await nobodyListener(t, socketPath);
    chmodSync(dirname(socketPath), 0o700);
    chmodSync(runtime, 0o700);
    await assert.rejects(
      LocalEndpointClient.connect({ config: c }),
      (e) => e instanceof LocalEndpointError && e.code === "DAEMON_UNTRUSTED" && /d\.sock|\.sock is owned by user 65534/.test(e.message),
    );
    assert.doesNotMatch(squatter.output(), /connected/);
  });

  it("refuses, with DAEMON_AUTH_FAILED, a process of the same user posing as the daemon: it only ever sees a challenge", async (t) => {
    withEnv(t, "XDG_RUNTIME_DIR", undefined);
    const c = daemonConfig(t);
    const paths = daemonPathsFor(c);
    // A first client creates the state dir and the secret; the real daemon is then stopped.
    const first = await LocalEndpointClient.connect({ config: c });
    await first.shutdownDaemon();
    first.dispose();
    const received: string[] = [];
    const sockets: Socket[] = [];
    const impostor = createServer((s) => {
      sockets.push(s);
      s.on("data", (d) => received.push(d.toString()));
      s.write(encodeFrame({ challenge: newChallenge(), proof: "forged" }));
    });
    const socketPath = socketPathFor(paths, false)!;
    await new Promise<void>((resolve) => impostor.listen(socketPath, resolve));
    t.after(() => {
      impostor.close();
      for (const s of sockets) s.destroy();
    });
    // A careful impostor: its socket passes the ownership and mode checks; only the handshake can tell.
    chmodSync(socketPath, 0o600);
    await assert.rejects(
      LocalEndpointClient.connect({ config: c }),
      (e) => e instanceof LocalEndpointError && e.code === "DAEMON_AUTH_FAILED" && /could not prove/.test(e.message),
    );
    await waitFor(() => received.join("").includes("\n"), "the impostor to receive the client's first frame");
    const frames = received.join("").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(frames.length, 1);
    assert.deepEqual(Object.keys(frames[0]).sort(), ["challenge", "hello"]);
  });

  it("answers malformed and oversized frames with an error and closes only that connection, while another client's task runs", async (t) => {
    const c = daemonConfig(t);
    const x = await daemonClient(t, c);
    const pid = await x.daemonPid();
    const { taskGroupId, taskId } = await napTask(x, 1.5);
    const result = nextResult(x, taskGroupId);

    const attacks: [string, Buffer][] = [
      ["null", Buffer.from("null\n")],
      ["array", Buffer.from("[1,2]\n")],
      ["wrong types", Buffer.from('{"id":"1","method":5}\n')],
      ["params not an object", Buffer.from('{"id":1,"method":"getTaskGroup","params":[1]}\n')],
      ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x0a])],
      ["oversized", Buffer.alloc(65 * 1024 * 1024, 0x20)],
    ];
    for (const [what, bytes] of attacks) {
      const raw = await rawClient(c);
      raw.socket.write(bytes);
      const reply = await raw.next();
      const error = reply.error as { code?: string; message?: string } | undefined;
      if (what === "params not an object") {
        // A well-framed request with bad params is answered and the connection stays.
        assert.equal(reply.id, 1);
        assert.match(error?.message ?? "", /params of getTaskGroup must be an object/);
        raw.socket.destroy();
        continue;
      }
      assert.equal(error?.code, "DAEMON_PROTOCOL", what);
      await raw.closed;
    }
    // Unauthenticated garbage is refused the same way.
    const stranger = createConnection(socketPathFor(daemonPathsFor(c), false)!);
    let answer = "";
    stranger.on("data", (d: Buffer) => (answer += d.toString()));
    const closed = new Promise((resolve) => stranger.once("close", resolve));
    stranger.write('{"id":1,"method":"shutdown"}\n');
    await closed;
    assert.match(answer, /expected the handshake's hello first/);
    const event = await result;
    assert.equal(event.result.task_id, taskId);
    assert.equal(event.result.error_details, null);
    assert.equal(event.stdout, "napping é 1.5\n");
    assert.equal(await x.daemonPid(), pid, "the daemon carried on");
  });

  it("drops a connection that never finishes the handshake, so it cannot keep the daemon from idling out", async (t) => {
    const c = daemonConfig(t, { idleExitMs: 1000 });
    const x = await LocalEndpointClient.connect({ config: c });
    const pid = await x.daemonPid();
    x.dispose();
    const silent = createConnection(socketPathFor(daemonPathsFor(c), false)!);
    t.after(() => silent.destroy());
    let answer = "";
    silent.on("data", (d: Buffer) => (answer += d.toString()));
    let closed = false;
    silent.once("close", () => (closed = true));
    silent.write('{"hello":1,'); // half a handshake, then nothing
    await waitFor(() => closed, "the daemon to drop the silent connection", 20_000);
    assert.match(answer, /no handshake within 10 s/);
    await waitFor(() => !daemonsFor(c.stateRoot).includes(pid), "the daemon to exit idle", 15_000);
  });

  it("reads a request sent one byte at a time, its multi-byte characters intact", async (t) => {
    const c = daemonConfig(t);
    const x = await daemonClient(t, c);
    await x.daemonPid();
    const raw = await rawClient(c);
    const bytes = Buffer.from(encodeFrame({ id: 7, method: "getTaskGroup", params: { taskGroupId: "é🎉中" } }));
    for (const byte of bytes) {
      raw.socket.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    const reply = await raw.next();
    assert.equal(reply.id, 7);
    assert.match((reply.error as { message: string }).message, /Task group é🎉中 not found/);
    raw.socket.destroy();
  });

  it("writes everything 0600 in 0700 directories, and keeps its config out of its command line", async (t) => {
    withEnv(t, "XDG_RUNTIME_DIR", undefined);
    const c = daemonConfig(t);
    const x = await daemonClient(t, c);
    const { taskGroupId } = await napTask(x, 0);
    await nextResult(x, taskGroupId);
    const paths = daemonPathsFor(c);
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return lstatSync(p).isDirectory() ? [p, ...walk(p)] : [p];
    });
    await waitFor(() => existsSync(join(paths.storeDir, "journal.jsonl")), "the task record to be written");
    assert.equal(mode(paths.stateDir), 0o700);
    for (const p of walk(paths.stateDir)) {
      const st = lstatSync(p);
      assert.equal(st.mode & 0o777, st.isDirectory() ? 0o700 : 0o600, `${p}: ${(st.mode & 0o777).toString(8)}`);
    }
    for (const p of [paths.secretPath, paths.logPath]) assert.ok(existsSync(p), p);
    const pid = await x.daemonPid();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    assert.ok(!cmdline.includes(c.stateRoot) && !cmdline.includes(readFileSync(paths.secretPath, "utf8")), cmdline);
    // The workers' capture files (what tasks print) too: their fds 1 and 2.
    const workerPid = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0];
    for (const fd of ["1", "2"]) {
      const file = readlinkSync(`/proc/${workerPid}/fd/${fd}`);
      assert.equal(mode(file), 0o600, file);
      assert.equal(mode(dirname(file)), 0o700, dirname(file));
    }
  });

  it("reports a task running when the daemon is killed as lost, with a clear error, from the daemon that replaces it", async (t) => {
    const c = daemonConfig(t);
    const x = await daemonClient(t, c);
    const pid = await x.daemonPid();
    const { taskGroupId, taskId } = await napTask(x, 30);
    await waitFor(async () => (await x.getTaskStatuses([taskId])).get(taskId)?.status === "running", "the task to run");
    const result = nextResult(x, taskGroupId);
    process.kill(pid, "SIGKILL");
    const event = await result;
    assert.equal(event.result.task_id, taskId);
    assert.equal(event.result.error_details?.code, "EndpointRestarted");
    assert.match(event.result.data, /task was lost: the local endpoint process stopped .* while the task was running/);
    const now = await x.daemonPid();
    assert.notEqual(now, pid);
    assert.ok(!isAlive(pid));
    assert.equal((await x.getTaskStatuses([taskId])).get(taskId)?.status, "failed");
  });
});

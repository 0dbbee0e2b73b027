import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { BUNDLE_REQUEST, type BundleResult } from "../../../../core/server/protocol";
import { buildServerBundle } from "./buildServerBundle";
import { LspTestClient } from "./lspTestClient";

// The language server as other editors run it: the esbuild bundle in its own directory with the two
// wasm files next to it (as the build lays out dist/), started with `--stdio` as a child process.
const FIXTURES = join(__dirname, "../../../fixtures/python");
let dir: string;
let child: ChildProcess;
let client: LspTestClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gc-server-bundle-"));
  const server = await buildServerBundle(dir);
  // Run from elsewhere so that node_modules cannot be the fallback for the wasm files.
  child = spawn(process.execPath, [server, "--stdio"], { cwd: tmpdir(), stdio: ["pipe", "pipe", "inherit"] });
  client = LspTestClient.over(child.stdout!, child.stdin!);
  await client.initialize();
});

after(() => {
  if (child.exitCode === null) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

test("the bundled server answers over stdio and exits cleanly on shutdown/exit", async () => {
  const uri = "file:///work/large_5k.py";
  const text = readFileSync(join(FIXTURES, "large_5k.py"), "utf8");
  await client.open(uri, text);
  const diagnostics = await client.diagnosticsFor(uri, 1, 15_000);
  assert.ok(diagnostics.filter((d) => d.code === "SHIPPED").length > 400);
  const result = await client.request<BundleResult>(BUNDLE_REQUEST, { uri, offset: text.indexOf("def entry") });
  assert.ok(result.bundle);
  assert.equal(result.bundle.name, "entry");
  assert.ok(result.bundle.source.includes("def helper_0(x, scale=CONST_0):"));
  const exited = once(child, "exit");
  await client.shutdown(true);
  const [code] = await exited;
  assert.equal(code, 0);
});

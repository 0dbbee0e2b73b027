// Test/bench helper: builds core/server/main.ts into `dir` laid out as dist/ is (server.js + wasm files).
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";

const ROOT = join(__dirname, "../../../..");

export async function buildServerBundle(dir: string): Promise<string> {
  const outfile = join(dir, "server.js");
  await esbuild.build({
    entryPoints: [join(ROOT, "core/server/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "silent",
  });
  copyFileSync(require.resolve("web-tree-sitter/web-tree-sitter.wasm"), join(dir, "web-tree-sitter.wasm"));
  copyFileSync(require.resolve("tree-sitter-python/tree-sitter-python.wasm"), join(dir, "tree-sitter-python.wasm"));
  return outfile;
}

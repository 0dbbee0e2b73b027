// Bundles the extension host entry and the language server entry into dist/ (CommonJS for VS Code 1.100).
import * as esbuild from "esbuild";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const entries = [
  { in: "extension/extension.ts", out: "extension" },
  { in: "core/server/main.ts", out: "server" },
  // The local endpoint process (core/service/local/daemonLauncher.ts starts it from next to the extension).
  { in: "core/service/local/daemon/main.ts", out: "localEndpoint" },
].filter((e) => existsSync(e.in));

const options = {
  entryPoints: entries,
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  sourcemap: true,
  minify: production,
  legalComments: "none",
  logLevel: "info",
};

// Files the bundles load at run time from next to themselves, so they are copied into dist/:
// tree-sitter's runtime and the Python grammar (core/python/pythonParser.ts) and the local
// endpoint's worker script (core/local/workerPool.ts).
const require = createRequire(import.meta.url);
const runtimeAssets = [
  require.resolve("web-tree-sitter/web-tree-sitter.wasm"),
  require.resolve("tree-sitter-python/tree-sitter-python.wasm"),
  "core/local/worker.py",
];
mkdirSync("dist", { recursive: true });
for (const file of runtimeAssets) copyFileSync(file, `dist/${basename(file)}`);

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}

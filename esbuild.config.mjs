// Bundles the extension host entry and the language server entry into dist/ (CommonJS for VS Code 1.100).
import * as esbuild from "esbuild";
import { existsSync } from "node:fs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const entries = [
  { in: "extension/extension.ts", out: "extension" },
  { in: "core/server/main.ts", out: "server" },
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

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}

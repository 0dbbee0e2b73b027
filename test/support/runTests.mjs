// Runs node's test runner over test/<suite>/**/*.test.ts (node 20's --test takes no globs).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const suites = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const only = process.argv.find((a) => a.startsWith("--grep="))?.slice("--grep=".length);

function collect(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(collect(p));
    else if (name.endsWith(".test.ts") && (!only || p.includes(only))) out.push(p);
  }
  return out;
}

const files = (suites.length ? suites : ["unit"]).flatMap((s) => collect(join("test", s))).sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
// A test that hangs fails after 10 minutes (the longest take about 2) instead of holding CI forever.
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=600000", ...files], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);

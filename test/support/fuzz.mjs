// `npm run fuzz`: every *.fuzz.test.ts (unit and integration) with FUZZ_RUNS inputs per property
// (default 200000; `FUZZ_RUNS=1000000 npm run fuzz` for more, FUZZ_SEED=<n> to replay). See test/support/fuzz.ts.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const runner = join(dirname(fileURLToPath(import.meta.url)), "runTests.mjs");
const env = { ...process.env, FUZZ_RUNS: process.env.FUZZ_RUNS || "200000" };
console.error(`# fuzz: FUZZ_RUNS=${env.FUZZ_RUNS}${env.FUZZ_SEED ? ` FUZZ_SEED=${env.FUZZ_SEED}` : ""}`);
const r = spawnSync(process.execPath, [runner, "unit", "integration", "--grep=.fuzz.test.ts"], { stdio: "inherit", env });
process.exit(r.status ?? 1);

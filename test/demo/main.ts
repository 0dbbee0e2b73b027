/**
 * `npm run demo`: the Executor user guide's examples (seed-executor.md), headless, printing results as
 * they stream in. On the built-in local endpoint by default; against a Globus Compute service (e.g.
 * `npm run emulator`) with `--service <url> --token <token> --endpoint <id>`.
 * Other options: `--python <path>` (local endpoint interpreter, default /usr/bin/python3).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { asCompleted, Executor, type ComputeFuture } from "../../core/executor";
import { formatPython } from "../../core/protocol";
import type { ComputeService } from "../../core/service/computeService";
import { GlobusComputeService } from "../../core/service/globus/globusComputeService";
import { LocalComputeService, LOCAL_ENDPOINT_ID } from "../../core/service/local/localComputeService";
import {
  double,
  doubleText,
  generateCollatzSequence,
  generateCollatzSequenceStrict,
  slowDouble,
  taskKernel,
} from "./seedFunctions";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      service: { type: "string" },
      token: { type: "string", default: process.env.GC_TOKEN },
      endpoint: { type: "string" },
      python: { type: "string", default: process.env.GC_PYTHON ?? "/usr/bin/python3" },
    },
  });
  const { service, endpointId, cleanup } = await openService(values);
  const ep = { endpointId, service };
  try {
    section("Quick start: double(7)");
    {
      await using gce = new Executor(ep);
      const fut = gce.submit(double, 7);
      console.log("result:", await fut.result());
    }

    section("Multiple function invocations: Collatz 1..100");
    {
      const generateFrom = 1;
      const generateThrough = 100;
      const futs: ComputeFuture[] = [];
      const disproofCandidates: number[] = [];
      await using gce = new Executor(ep);
      for (let n = generateFrom; n <= generateThrough; n++) futs.push(gce.submit(generateCollatzSequence, n));
      console.log("Tasks all submitted; waiting for results");
      for (const f of futs) {
        const r = (await f.result()) as number[];
        if (r[r.length - 1] !== 1) disproofCandidates.push(r[0]);
      }
      console.log(`All sequences generated (from ${generateFrom} to ${generateThrough})`);
      if (disproofCandidates.length) console.log("Possible conjecture disproving integers:", disproofCandidates);
    }

    section("Checking the status of a result, and handling exceptions");
    {
      await using gce = new Executor(ep);
      const future = gce.submit(generateCollatzSequence, 1234567890);
      console.log("Status: ", future.done());
      await future;
      console.log("Status: ", future.done());
      const strict = gce.submit(generateCollatzSequenceStrict, 1234567890);
      try {
        await strict.result();
      } catch (exc) {
        console.log(`Oh no!  The task raised an exception: ${(exc as Error).message}`);
      }
    }

    section("Receiving results out of order");
    {
      await using gce = new Executor(ep);
      const futs = Array.from({ length: 10 }, (_, i) => gce.submit(doubleText, i));
      console.log("Results:", formatPython(await Promise.all(futs)));
      const slow = Array.from({ length: 10 }, (_, i) => gce.submit(slowDouble, i + 10));
      for await (const done of asCompleted(slow)) console.log("Received:", done.ok ? done.value : done.error.message);
    }

    section("Reloading tasks");
    {
      // The guide kills the process; here the first Executor is dropped without waiting instead.
      const first = new Executor(ep);
      const numTasks = 5;
      for (let i = 0; i < numTasks; i++) first.submit(taskKernel, i + 1);
      while (first.taskCountSubmitted < numTasks) await new Promise((r) => setTimeout(r, 10));
      const taskGroupId = first.taskGroupId as string;
      console.log(`New session; if this script dies, rehydrate futures with this Task Group ID: ${taskGroupId}`);
      first.dispose();
      console.log(`Reloading tasks from Task Group ID: ${taskGroupId}`);
      await using gce = new Executor({ ...ep, taskGroupId });
      const futures = await gce.reloadTasks();
      const results: string[] = [];
      for (const f of futures) {
        try {
          results.push(String(await f.result()));
        } catch (exc) {
          results.push(`(failed: ${(exc as Error).message})`);
        }
      }
      console.log("Results:\n ", results.join("\n  "));
    }

    section("map (the SDK raises NotImplementedError; this one works)");
    {
      await using gce = new Executor(ep);
      const out = [];
      for await (const v of gce.map(double, [1, 2, 3, 4, 5, 6, 7, 8], { chunk: 3 })) out.push(v);
      console.log("map(double, 1..8):", formatPython(out));
    }
  } finally {
    service.dispose();
    cleanup();
  }
}

async function openService(o: {
  service?: string;
  token?: string;
  endpoint?: string;
  python?: string;
}): Promise<{ service: ComputeService; endpointId: string; cleanup: () => void }> {
  if (o.service !== undefined) {
    if (!o.token || !o.endpoint)
      throw new Error("--service needs --token and --endpoint (`npm run emulator` prints all three on its first line).");
    const token = o.token;
    console.log(`Using the Globus Compute service at ${o.service}, endpoint ${o.endpoint}`);
    return { service: new GlobusComputeService({ baseUrl: o.service, token: async () => token }), endpointId: o.endpoint, cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "gc-demo-"));
  console.log(`Using the local endpoint (${o.python})`);
  const service = await LocalComputeService.create({ storageDir: dir, python: o.python, workers: 2 });
  return { service, endpointId: LOCAL_ENDPOINT_ID, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function section(title: string): void {
  console.log(`\n=== ${title}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});

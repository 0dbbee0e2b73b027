/**
 * Wire-format throughput: each core/protocol operation beside JSON.parse / JSON.stringify of the same
 * data, in one run. Prints one JSON object per line; MB is UTF-8 megabytes (10^6) of the wire text.
 * Run alone with `node --import tsx test/bench/wire.ts`, or via `npm run bench -- wire`.
 */
import { pathToFileURL } from "node:url";
import {
  PyDict,
  PyFloat,
  PyTuple,
  deserializeData,
  packBuffers,
  packMessage,
  serializeData,
  unpackBuffers,
  unpackMessage,
  type PyValue,
} from "../../core/protocol";

const MIN_MS = 400;

/** Best-of-runs seconds per call, repeating until MIN_MS has passed (at least 3 calls). */
function time(fn: () => unknown): number {
  let best = Infinity;
  let total = 0;
  let runs = 0;
  while (total < MIN_MS || runs < 3) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    best = Math.min(best, dt);
    total += dt;
    runs++;
  }
  return best / 1000;
}

const mbPerS = (bytes: number, seconds: number): number => Math.round((bytes / 1e6 / seconds) * 10) / 10;
const utf8Bytes = (s: string): number => Buffer.byteLength(s, "utf8");

interface Side {
  /** UTF-8 bytes the operation reads or writes. */
  bytes: number;
  fn: () => unknown;
}

/** One line: our operation beside the JSON built-in doing the same job on the same data. */
function compare(op: string, ours: Side, baselineName: string, baseline: Side): void {
  const line = {
    bench: "wire",
    op,
    mb: Math.round(ours.bytes / 1e4) / 100,
    mb_per_s: mbPerS(ours.bytes, time(ours.fn)),
    [`baseline_${baselineName}_mb_per_s`]: mbPerS(baseline.bytes, time(baseline.fn)),
  };
  console.log(JSON.stringify(line));
}

/** A typical result-like value: records with strings (some non-ASCII), ints, floats and nested lists. */
function records(n: number): { py: PyValue; js: unknown } {
  const py: PyValue[] = [];
  const js: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const name = `sample-${i} ${i % 7 === 0 ? "é✓" : "abc"}`;
    const tags = ["x", "y", String(i)];
    py.push(PyDict.fromObject({ id: i, name, score: i / 7, whole: new PyFloat(i), tags, ok: i % 2 === 0 }));
    js.push({ id: i, name, score: i / 7, whole: i, tags, ok: i % 2 === 0 });
  }
  return { py, js };
}

export async function run(): Promise<void> {
  // packBuffers / unpackBuffers: 2000 buffers of ~2 KB, a few with astral characters.
  const buffers = Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? "😀 " : "") + "x".repeat(2000) + i);
  const packed = packBuffers(buffers);
  const buffersJson = JSON.stringify(buffers);
  const packedBytes = utf8Bytes(packed);
  const buffersJsonBytes = utf8Bytes(buffersJson);
  compare("packBuffers", { bytes: packedBytes, fn: () => packBuffers(buffers) }, "json_stringify", {
    bytes: buffersJsonBytes,
    fn: () => JSON.stringify(buffers),
  });
  compare("unpackBuffers", { bytes: packedBytes, fn: () => unpackBuffers(packed) }, "json_parse", {
    bytes: buffersJsonBytes,
    fn: () => JSON.parse(buffersJson),
  });

  // JSONData (`11`) encode and decode of 20k records.
  const { py, js } = records(20_000);
  const json11 = serializeData(py, "json");
  const jsText = JSON.stringify(js);
  const stringifyJs = { bytes: utf8Bytes(jsText), fn: () => JSON.stringify(js) };
  const parseJs = { bytes: utf8Bytes(jsText), fn: () => JSON.parse(jsText) };
  compare("serializeData_json", { bytes: utf8Bytes(json11), fn: () => serializeData(py, "json") }, "json_stringify", stringifyJs);
  compare("deserializeData_json", { bytes: utf8Bytes(json11), fn: () => deserializeData(json11) }, "json_parse", parseJs);

  // Pickle decode (`00`): the same records as dill/pickle protocol 4, MIME base64.
  const dill00 = serializeData(py, "dill");
  compare("deserializeData_dill", { bytes: utf8Bytes(dill00), fn: () => deserializeData(dill00) }, "json_parse", parseJs);

  // Result envelopes: 2000 typical results (a JSON result, details, two transitions).
  const envelopes = Array.from({ length: 2000 }, (_, i) =>
    packMessage({
      message_type: "result",
      data: {
        task_id: `c0ffee00-0000-4000-8000-${String(i).padStart(12, "0")}`,
        data: serializeData(new PyTuple([i, `value ${i}`, [1.5, 2, 3]]), "json"),
        details: PyDict.fromObject({
          os: "Linux-6.8.0-x86_64",
          python_version: "3.12.4",
          dill_version: "0.3.9",
          endpoint_id: "5f5e7e62-7d5b-4f4e-9b8c-2d6f0b1c2a3d",
        }),
        error_details: null,
        task_statuses: [
          { timestamp: 1754600000000000000n + BigInt(i), state: "execution-start", actor: "worker" },
          { timestamp: 1754600000012345678n + BigInt(i), state: "execution-end", actor: "worker" },
        ],
      },
    }),
  );
  const envelopeBytes = envelopes.reduce((n, e) => n + e.length, 0);
  const texts = envelopes.map((e) => Buffer.from(e.subarray(1)).toString("utf8"));
  compare("unpackMessage", { bytes: envelopeBytes, fn: () => envelopes.forEach((e) => unpackMessage(e)) }, "json_parse", {
    bytes: envelopeBytes,
    fn: () => texts.forEach((t) => JSON.parse(t)),
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

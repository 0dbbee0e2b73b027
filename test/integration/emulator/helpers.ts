/** Shared by the emulator's integration tests: raw HTTP calls, a function to run, stray-process checks. */
import { readdirSync, readFileSync } from "node:fs";
import type { Emulator } from "../../emulator/emulator";

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
  body: any;
}

export async function api(
  em: Pick<Emulator, "baseUrl" | "token">,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? em.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(em.baseUrl + path, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // HTML pages and empty bodies stay text.
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export function control(em: Emulator, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return api(em, method, `/_emulator${path}`, { body, token: null, headers: { "x-emulator-secret": em.controlSecret } });
}

/** A registration body for `st` source (protocol.md §3.3). */
export function registration(name: string, source: string): Record<string, unknown> {
  const buffer = `st\n${name}:${source}`;
  return {
    function_name: name,
    function_code: `${[...buffer].length}\n${buffer}`,
    meta: { python_version: "3.11.2", sdk_version: "4.15.0", serde_identifier: "st" },
  };
}

/** `pack_buffers([JSONData(args), JSONData(kwargs)])`. */
export function jsonPayload(args: unknown[], kwargs: Record<string, unknown> = {}): string {
  const a = `11\n${JSON.stringify(args)}`;
  const k = `11\n${JSON.stringify(kwargs)}`;
  return `${[...a].length}\n${a}${[...k].length}\n${k}`;
}

export const JSON_RESULTS = ["globus_compute_sdk.serialize.concretes.JSONData"];

export async function registerFunction(em: Emulator, name: string, source: string, token?: string): Promise<string> {
  const r = await api(em, "POST", "/v3/functions", { body: registration(name, source), token });
  if (r.status !== 200) throw new Error(`register failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.function_uuid as string;
}

/** Polls `/v2/tasks/{id}` until the task is finished. */
export async function waitForTask(em: Emulator, taskId: string, timeoutMs = 30_000): Promise<ApiResponse["body"]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(em, "GET", `/v2/tasks/${taskId}`);
    if (r.status !== 200) throw new Error(`task status ${r.status}: ${JSON.stringify(r.body)}`);
    if (r.body.status === "success" || r.body.status === "failed") return r.body;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${r.body.status}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

export interface ProcessInfo {
  pid: number;
  cmdline: string;
}

/**
 * Live processes (zombies excluded) that are Python/Erlang children of this process or whose command line or
 * environment mentions one of `markers` (a broker's folder is in its Erlang processes' environment).
 */
export function strayProcesses(markers: string[]): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      if (/^State:\s+Z/m.test(status)) continue;
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      let environ = "";
      try {
        environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      } catch {
        // Not ours to read: then not ours at all.
      }
      const ownWorker = ppid === process.pid && /python|beam|epmd|erl|rabbit/.test(cmdline);
      if (ownWorker || markers.some((m) => cmdline.includes(m) || environ.includes(m))) found.push({ pid, cmdline });
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

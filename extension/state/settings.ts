/**
 * Typed `globusCompute.*` configuration. Reads through a ConfigurationSource (the vscode wrapper in the
 * extension, a plain object in tests), so the validation below runs in plain Node. A bad value never
 * throws: the default is used and the problem is reported with the setting's key, for the output channel.
 */
import { cleartextProblem } from "../../core/service/globus/cleartextUrl";
import { Emitter, type Event } from "../../core/util/event";
import type { Disposable } from "../../core/util/disposable";

export const SETTINGS_SECTION = "globusCompute";

/** Reads one key below `globusCompute.`; undefined when unset. */
export interface ConfigurationSource {
  get(key: string): unknown;
  /** Fires when anything below `globusCompute.` changed. */
  readonly onDidChange: Event<void>;
}

export interface ConfiguredEndpoint {
  name: string;
  id: string;
}

export const ENVIRONMENTS = ["production", "preview", "sandbox", "test", "integration", "staging"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const ARGUMENT_SERIALIZATIONS = ["auto", "json", "pickle"] as const;
export type ArgumentSerialization = (typeof ARGUMENT_SERIALIZATIONS)[number];

export interface GlobusComputeSettings {
  endpoints: readonly ConfiguredEndpoint[];
  /** `local`, a configured endpoint name, or an endpoint UUID. */
  defaultEndpoint: string;
  environment: Environment;
  /** Overrides the environment's URL when set. */
  serviceUrl: string | undefined;
  /** Overrides the environment's Globus Auth URL when set (an emulator's auth routes). */
  authUrl: string | undefined;
  /** Overrides the port of the service's AMQP connection URL when set. */
  amqpPort: number | undefined;
  batchSize: number;
  resultSerializers: readonly string[];
  argumentSerialization: ArgumentSerialization;
  local: { pythonPath: string; workers: number };
  /** How much the task history keeps (the oldest groups go first). */
  retention: { maxTaskGroups: number; maxTasks: number };
  /** A task that ran at least this long notifies when it finishes while the window is not focused (0: never). */
  notifications: { longTaskSeconds: number };
}

export interface SettingsProblem {
  /** The full setting key, e.g. `globusCompute.endpoints`. */
  key: string;
  message: string;
}

/** Must equal the defaults in package.json `contributes.configuration` (a unit test checks). */
export const DEFAULT_SETTINGS: GlobusComputeSettings = {
  endpoints: [],
  defaultEndpoint: "local",
  environment: "production",
  serviceUrl: undefined,
  authUrl: undefined,
  amqpPort: undefined,
  batchSize: 1024,
  resultSerializers: [],
  argumentSerialization: "auto",
  local: { pythonPath: "", workers: 4 },
  retention: { maxTaskGroups: 50, maxTasks: 100_000 },
  notifications: { longTaskSeconds: 30 },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IMPORT_PATH = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/;

export function isEndpointId(s: string): boolean {
  return UUID.test(s);
}

/** Parses every setting; never throws. */
export function readSettings(source: Pick<ConfigurationSource, "get">): {
  settings: GlobusComputeSettings;
  problems: SettingsProblem[];
} {
  const problems: SettingsProblem[] = [];
  const problem = (key: string, message: string) => problems.push({ key: `${SETTINGS_SECTION}.${key}`, message });

  const str = (key: string, fallback: string): string => {
    const v = source.get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === "string") return v.trim();
    problem(key, `expected a string, got ${describe(v)}; using "${fallback}"`);
    return fallback;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = str(key, fallback);
    if ((allowed as readonly string[]).includes(v)) return v as T;
    problem(key, `"${v}" is not one of ${allowed.join(", ")}; using "${fallback}"`);
    return fallback;
  };
  const int = (key: string, fallback: number | undefined, min: number, max: number): number | undefined => {
    const v = source.get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    problem(key, `expected an integer ${range}, got ${describe(v)}; using ${fallback ?? "none"}`);
    return fallback;
  };

  const d = DEFAULT_SETTINGS;
  const serviceUrl = str("serviceUrl", "");
  const authUrl = str("authUrl", "");
  const settings: GlobusComputeSettings = {
    endpoints: readEndpoints(source.get("endpoints"), (m) => problem("endpoints", m)),
    defaultEndpoint: str("defaultEndpoint", d.defaultEndpoint) || d.defaultEndpoint,
    environment: oneOf("environment", ENVIRONMENTS, d.environment),
    serviceUrl: serviceUrl === "" ? undefined : validUrl(serviceUrl, (m) => problem("serviceUrl", m)),
    authUrl: authUrl === "" ? undefined : validUrl(authUrl, (m) => problem("authUrl", m)),
    amqpPort: int("amqpPort", undefined, 1, 65535),
    batchSize: int("batchSize", d.batchSize, 1, Number.MAX_SAFE_INTEGER) as number,
    resultSerializers: readImportPaths(source.get("resultSerializers"), (m) => problem("resultSerializers", m)),
    argumentSerialization: oneOf("argumentSerialization", ARGUMENT_SERIALIZATIONS, d.argumentSerialization),
    local: {
      pythonPath: str("local.pythonPath", d.local.pythonPath),
      workers: int("local.workers", d.local.workers, 1, 64) as number,
    },
    retention: {
      maxTaskGroups: int("retention.maxTaskGroups", d.retention.maxTaskGroups, 1, 100_000) as number,
      maxTasks: int("retention.maxTasks", d.retention.maxTasks, 1, 10_000_000) as number,
    },
    notifications: { longTaskSeconds: int("notifications.longTaskSeconds", d.notifications.longTaskSeconds, 0, 86_400) as number },
  };
  return { settings, problems };
}

function readEndpoints(v: unknown, problem: (m: string) => void): ConfiguredEndpoint[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problem(`expected a list of {"name", "id"}, got ${describe(v)}; no endpoints configured`);
    return [];
  }
  const out: ConfiguredEndpoint[] = [];
  v.forEach((e: unknown, i) => {
    const entry = e as { name?: unknown; id?: unknown } | null;
    const name = typeof entry?.name === "string" ? entry.name.trim() : "";
    const id = typeof entry?.id === "string" ? entry.id.trim() : "";
    const at = `entry ${i + 1}`;
    if (name === "") problem(`${at} has no "name"; it is ignored`);
    else if (!isEndpointId(id)) {
      problem(`${at} ("${name}"): "id" must be an endpoint UUID, got ${describe(entry?.id)}; it is ignored`);
    } else if (out.some((o) => o.name === name)) problem(`${at}: the name "${name}" is used twice; the first one wins`);
    else out.push({ name, id: id.toLowerCase() });
  });
  return out;
}

function readImportPaths(v: unknown, problem: (m: string) => void): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problem(`expected a list of Python import paths, got ${describe(v)}; using none`);
    return [];
  }
  return v.filter((p: unknown, i) => {
    if (typeof p === "string" && IMPORT_PATH.test(p)) return true;
    problem(`entry ${i + 1} is not a Python import path (like "package.module.Class"): ${describe(p)}; it is ignored`);
    return false;
  }) as string[];
}

/** An https URL, or http for this machine only (the setting's tokens would travel in clear text). */
function validUrl(s: string, problem: (m: string) => void): string | undefined {
  let u: URL | undefined;
  try {
    u = new URL(s);
  } catch {
    // reported below
  }
  if (u === undefined || (u.protocol !== "http:" && u.protocol !== "https:")) {
    problem(`"${s}" is not an http(s) URL; using the environment's URL`);
    return undefined;
  }
  const cleartext = cleartextProblem(u);
  if (cleartext !== undefined) {
    problem(`"${s}": ${cleartext}; using the environment's URL`);
    return undefined;
  }
  return s.replace(/\/+$/, "");
}

function describe(v: unknown): string {
  if (typeof v === "string") return `"${v}"`;
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : String(v);
}

/** The current settings, re-read when the configuration changes. */
export class Settings implements Disposable {
  private snapshot: ReturnType<typeof readSettings>;
  private readonly changed = new Emitter<GlobusComputeSettings>();
  private readonly subscription: Disposable;
  readonly onDidChange: Event<GlobusComputeSettings> = this.changed.event;

  constructor(private readonly source: ConfigurationSource) {
    this.snapshot = readSettings(source);
    this.subscription = source.onDidChange(() => {
      this.snapshot = readSettings(this.source);
      this.changed.fire(this.snapshot.settings);
    });
  }

  get current(): GlobusComputeSettings {
    return this.snapshot.settings;
  }

  /** Problems found in the last read; empty when every setting is valid. */
  get problems(): readonly SettingsProblem[] {
    return this.snapshot.problems;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

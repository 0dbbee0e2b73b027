/** Executor options and their validation, following the SDK's rules (protocol.md §8.1). */
import type { ComputeService } from "../service/computeService";
import { ExecutorError } from "./errors";

/** How task arguments are serialized: `auto` picks JSON when it carries the values exactly, else pickle. */
export type ArgumentSerialization = "auto" | "json" | "pickle";

export interface ExecutorOptions {
  endpointId: string;
  service: ComputeService;
  /** An existing task group (from an earlier session); omitted, the service assigns one on first submit. */
  taskGroupId?: string;
  batchSize?: number;
  /** Overrides the port of the AMQP URL the service hands out: 443, 5671 or 5672. */
  amqpPort?: number;
  apiBurstLimit?: number;
  apiBurstWindowS?: number;
  resourceSpecification?: Record<string, unknown>;
  userEndpointConfig?: Record<string, unknown>;
  /** Import paths of the endpoint's result serialization strategies, tried in order. */
  resultSerializers?: string[];
  label?: string;
  argumentSerialization?: ArgumentSerialization;
}

export interface ResolvedOptions {
  endpointId: string;
  service: ComputeService;
  taskGroupId: string | undefined;
  batchSize: number;
  amqpPort: number | undefined;
  apiBurstLimit: number;
  apiBurstWindowS: number;
  resourceSpecification: Record<string, unknown> | undefined;
  userEndpointConfig: Record<string, unknown> | undefined;
  resultSerializers: string[];
  label: string;
  argumentSerialization: ArgumentSerialization;
}

const SERIALIZE = "globus_compute_sdk.serialize.concretes";
/**
 * Dill (a pickle) first, as the SDK's own default: JSON would turn a tuple into a list, a set or bytes into
 * a failure, and int dict keys into strings, and we decode pickles into PyValue exactly. JSON is the
 * fallback for a value the endpoint cannot pickle (protocol.md §5.6).
 */
export const DEFAULT_RESULT_SERIALIZERS: readonly string[] = [`${SERIALIZE}.DillDataBase64`, `${SERIALIZE}.JSONData`];

const KNOWN_OPTIONS = new Set<string>([
  "endpointId",
  "service",
  "taskGroupId",
  "batchSize",
  "amqpPort",
  "apiBurstLimit",
  "apiBurstWindowS",
  "resourceSpecification",
  "userEndpointConfig",
  "resultSerializers",
  "label",
  "argumentSerialization",
]);

const AMQP_PORTS = new Set([443, 5671, 5672]);
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A UUID in Python's `str(uuid.UUID(x))` form (lower case, hyphenated); throws INVALID_OPTION otherwise. */
export function canonicalUuid(value: unknown, what: string): string {
  if (typeof value !== "string" || !UUID_RE.test(value.trim()))
    throw new ExecutorError("INVALID_OPTION", `${what} must be a UUID, got ${describe(value)}.`);
  const hex = value.trim().replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function resolveOptions(options: ExecutorOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null)
    throw new ExecutorError("INVALID_OPTION", "Executor options must be an object.");
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length > 0)
    throw new ExecutorError(
      "UNKNOWN_OPTION",
      `Unknown Executor option${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}. Known: ${[...KNOWN_OPTIONS].join(", ")}.`,
    );
  const service = options.service;
  if (typeof service !== "object" || service === null || typeof service.submit !== "function")
    throw new ExecutorError("INVALID_OPTION", "service must be a ComputeService.");
  const argumentSerialization = options.argumentSerialization ?? "auto";
  if (!["auto", "json", "pickle"].includes(argumentSerialization))
    throw new ExecutorError(
      "INVALID_OPTION",
      `argumentSerialization must be "auto", "json" or "pickle", got ${describe(argumentSerialization)}.`,
    );
  if (options.amqpPort !== undefined && !AMQP_PORTS.has(options.amqpPort))
    throw new ExecutorError("INVALID_OPTION", `amqpPort must be 443, 5671 or 5672, got ${describe(options.amqpPort)}.`);
  if (options.label !== undefined && typeof options.label !== "string")
    throw new ExecutorError("INVALID_OPTION", `label must be a string, got ${describe(options.label)}.`);
  return {
    endpointId: canonicalUuid(options.endpointId, "endpointId"),
    service,
    taskGroupId: options.taskGroupId === undefined ? undefined : canonicalUuid(options.taskGroupId, "taskGroupId"),
    batchSize: Math.max(1, integer(options.batchSize, "batchSize", 128)),
    amqpPort: options.amqpPort,
    apiBurstLimit: clamp(integer(options.apiBurstLimit, "apiBurstLimit", 4), 1, 8),
    apiBurstWindowS: clamp(integer(options.apiBurstWindowS, "apiBurstWindowS", 16), 1, 32),
    resourceSpecification: jsonDict(options.resourceSpecification, "resourceSpecification"),
    userEndpointConfig: jsonDict(options.userEndpointConfig, "userEndpointConfig"),
    resultSerializers: resultSerializers(options.resultSerializers),
    label: options.label ?? "",
    argumentSerialization,
  };
}

/**
 * A dict that survives JSON exactly (the SDK requires `json.dumps` to succeed); returns a deep copy so
 * later changes by the caller cannot leak into queued tasks.
 */
export function jsonDict(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw new ExecutorError("INVALID_OPTION", `${what} must be a plain object (a JSON dict), got ${describe(value)}.`);
  assertJson(value, what);
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function assertJson(value: unknown, path: string): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value))
        throw new ExecutorError("INVALID_OPTION", `${path} is ${value}, which JSON cannot carry.`);
      return;
    case "object":
      if (value === null) return;
      if (Array.isArray(value)) {
        value.forEach((v, i) => assertJson(v, `${path}[${i}]`));
        return;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
        throw new ExecutorError("INVALID_OPTION", `${path} is a ${value.constructor?.name ?? "object"}, not JSON data.`);
      for (const [k, v] of Object.entries(value)) assertJson(v, `${path}.${k}`);
      return;
    default:
      throw new ExecutorError("INVALID_OPTION", `${path} is a ${typeof value}, which JSON cannot carry.`);
  }
}

export function resultSerializers(value: unknown): string[] {
  if (value === undefined || value === null) return [...DEFAULT_RESULT_SERIALIZERS];
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string" && /^\w+(\.\w+)+$/.test(v)))
    throw new ExecutorError(
      "INVALID_OPTION",
      `resultSerializers must be a non-empty list of import paths like "${DEFAULT_RESULT_SERIALIZERS[0]}", got ${describe(value)}.`,
    );
  return [...value];
}

function integer(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value))
    throw new ExecutorError("INVALID_OPTION", `${what} must be an integer, got ${describe(value)}.`);
  return value;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "an array" : "an object";
  return String(value);
}

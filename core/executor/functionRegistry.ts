/**
 * Registers each Python function once per source (as the SDK's `register_source_code` does, keyed by a
 * hash of name and source) and lets queued tasks wait for the id without blocking `submit()`.
 */
import { createHash } from "node:crypto";
import type { ComputeService, FunctionRegistration } from "../service/computeService";
import { SDK_VERSION } from "../service/sdkVersion";
import { ExecutorError } from "./errors";
import { encodeFunction } from "./taskPayload";

/** A Python function given as its source text; `name` is the function to call in it. */
export interface PythonFunction {
  name: string;
  source: string;
  description?: string;
}

/** A function id that may still be on its way from the service. */
export interface FunctionRef {
  id: string | undefined;
  error: Error | undefined;
  /** Resolves (never rejects) once `id` or `error` is set. */
  readonly settled: Promise<void>;
}

/** Source registrations are interpreter-independent; this only fills the required `meta` field. */
const META_PYTHON_VERSION = "3.11";

export class FunctionRegistry {
  private readonly refs = new Map<string, FunctionRef>();

  constructor(private readonly service: ComputeService) {}

  /** The ref for `fn`, registering it on first use; a failed registration is retried on the next use. */
  refFor(fn: PythonFunction): FunctionRef {
    const key = sourceKey(fn);
    const known = this.refs.get(key);
    if (known !== undefined && known.error === undefined) return known;
    const ref = this.register(fn);
    this.refs.set(key, ref);
    return ref;
  }

  /** Binds `fn` to an id the caller already has (no HTTP call); rebinding to another id is an error. */
  bind(fn: PythonFunction, functionId: string): FunctionRef {
    const key = sourceKey(fn);
    const known = this.refs.get(key);
    if (known !== undefined && known.error === undefined) {
      if (known.id === functionId) return known;
      throw new ExecutorError(
        "FUNCTION_ALREADY_REGISTERED",
        `Function ${fn.name} is already registered${known.id ? ` as ${known.id}` : ""}; it cannot be bound to ${functionId}.`,
      );
    }
    const ref: FunctionRef = { id: functionId, error: undefined, settled: Promise.resolve() };
    this.refs.set(key, ref);
    return ref;
  }

  private register(fn: PythonFunction): FunctionRef {
    const registration: FunctionRegistration = {
      function_name: fn.name,
      function_code: encodeFunction(fn.name, fn.source),
      meta: { python_version: META_PYTHON_VERSION, sdk_version: SDK_VERSION, serde_identifier: "st" },
    };
    if (fn.description) registration.description = fn.description;
    const ref: FunctionRef = {
      id: undefined,
      error: undefined,
      settled: this.service.registerFunction(registration).then(
        (id) => {
          ref.id = id;
        },
        (err: unknown) => {
          ref.error = new ExecutorError(
            "REGISTRATION_FAILED",
            `Registering function ${fn.name} failed: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
        },
      ),
    };
    return ref;
  }
}

/**
 * Functions already validated, with their source key, by object: a loop submits the same object many
 * times, and checking or hashing its source again each time would be most of `submit()`'s cost.
 */
const checked = new WeakMap<object, { name: string; source: string; key?: string }>();

/** What was recorded for `f`, if it still has the name and source it had then. */
function checkedEntry(f: PythonFunction): { name: string; source: string; key?: string } | undefined {
  const c = checked.get(f);
  return c !== undefined && c.name === f.name && c.source === f.source ? c : undefined;
}

export function validateFunction(fn: unknown): PythonFunction {
  const f = fn as PythonFunction;
  if (typeof f !== "object" || f === null || typeof f.name !== "string" || typeof f.source !== "string")
    throw new ExecutorError("INVALID_ARGUMENTS", "A function must be given as { name, source } (Python source text).");
  if (checkedEntry(f) !== undefined) return f;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.name))
    throw new ExecutorError("INVALID_ARGUMENTS", `${JSON.stringify(f.name)} is not a Python function name.`);
  if (!new RegExp(`^\\s*(async\\s+)?def\\s+${f.name}\\s*\\(|^${f.name}\\s*=`, "m").test(f.source))
    throw new ExecutorError("INVALID_ARGUMENTS", `The source does not define a function named ${f.name}.`);
  checked.set(f, { name: f.name, source: f.source });
  return f;
}

function sourceKey(fn: PythonFunction): string {
  const c = checkedEntry(fn);
  if (c?.key !== undefined) return c.key;
  const key = createHash("sha256").update(fn.name).update("\0").update(fn.source).digest("base64");
  if (c !== undefined) c.key = key;
  return key;
}

/**
 * What a multi-user endpoint's manager does with `user_endpoint_config` before it starts a user endpoint
 * (globus-compute `endpoint_manager.py` → `config/utils.py:_validate_user_opts`): reserved names are a
 * `ValueError`, then the config is checked against the site's schema with the `jsonschema` package. Any
 * failure becomes the message the service fails the tasks with (protocol.md §3.10):
 * `Unable to start user endpoint process for <user> [exit code: <n>; (<Type>) <str(exception)>]`,
 * with jsonschema's multi-line `str(ValidationError)` reproduced here for the common keywords.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import { strRepr } from "../../core/protocol/formatPython";

export const RESERVED_USER_CONFIG_NAMES = ["parent_config", "user_runtime", "mapped_identity", "_GC"] as const;

/**
 * The child's exit code when rendering fails on a privileged (root) manager: 70, +1 after `chdir("/")`,
 * +3 for setresgid/initgroups/setresuid, +1 after the privilege check, +3 for setsid/umask/chdir.
 */
export const RENDER_EXIT_CODE = 78;

const compiled = new WeakMap<object, ValidateFunction>();
// Like the jsonschema package's default validator: `format` is an annotation, not checked.
const ajv = new Ajv2020({ allErrors: false, strict: false, validateFormats: false });

/** The failure message for this config, or undefined when the manager would start the user endpoint. */
export function userEndpointStartFailure(
  config: Record<string, unknown>,
  schema: Record<string, unknown> | null,
  localUser: string,
): string | undefined {
  const problem = validationProblem(config, schema);
  return problem && `Unable to start user endpoint process for ${localUser} [exit code: ${RENDER_EXIT_CODE}; ${problem}]`;
}

function validationProblem(config: Record<string, unknown>, schema: Record<string, unknown> | null): string | undefined {
  for (const word of RESERVED_USER_CONFIG_NAMES) {
    if (word in config) return `(ValueError) '${word}' is a reserved word and cannot be passed in via user config`;
  }
  if (!schema) return undefined;
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      return `(SchemaError) ${(err as Error).message}`;
    }
    compiled.set(schema, validate);
  }
  if (validate(config)) return undefined;
  const error = (validate.errors ?? [])[0];
  return error ? `(ValidationError) ${jsonschemaText(error, schema, config)}` : "(ValidationError) invalid";
}

/** `str(jsonschema.ValidationError)`: message, the failing keyword and subschema, the instance path and value. */
function jsonschemaText(e: ErrorObject, schema: Record<string, unknown>, config: unknown): string {
  const instance = pointerValue(config, e.instancePath);
  const schemaSegments = e.schemaPath.replace(/^#\/?/, "").split("/").filter(Boolean).map(unescapePointer);
  const keyword = schemaSegments.pop() ?? e.keyword;
  const subschema = schemaSegments.reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], schema);
  const instanceSegments = e.instancePath.split("/").filter(Boolean).map(unescapePointer);
  return [
    message(e, instance),
    "",
    `Failed validating ${strRepr(keyword)} in ${pathText("schema", schemaSegments)}:`,
    `    ${pyRepr(subschema)}`,
    "",
    `On ${pathText("instance", instanceSegments)}:`,
    `    ${pyRepr(instance)}`,
  ].join("\n");
}

function message(e: ErrorObject, instance: unknown): string {
  const p = e.params as Record<string, unknown>;
  const v = pyRepr(instance);
  switch (e.keyword) {
    case "type": {
      const types = Array.isArray(p.type) ? p.type : String(p.type).split(",");
      return `${v} is not of type ${types.map((t) => strRepr(String(t))).join(", ")}`;
    }
    case "required":
      return `${strRepr(String(p.missingProperty))} is a required property`;
    case "enum":
      return `${v} is not one of ${pyRepr(p.allowedValues)}`;
    case "const":
      return `${pyRepr(p.allowedValue)} was expected`;
    case "minimum":
      return `${v} is less than the minimum of ${pyRepr(p.limit)}`;
    case "maximum":
      return `${v} is greater than the maximum of ${pyRepr(p.limit)}`;
    case "exclusiveMinimum":
      return `${v} is less than or equal to the minimum of ${pyRepr(p.limit)}`;
    case "exclusiveMaximum":
      return `${v} is greater than or equal to the maximum of ${pyRepr(p.limit)}`;
    case "pattern":
      return `${v} does not match ${strRepr(String(p.pattern))}`;
    case "minLength":
      return `${v} is too short`;
    case "maxLength":
      return `${v} is too long`;
    case "additionalProperties":
      return `Additional properties are not allowed (${strRepr(String(p.additionalProperty))} was unexpected)`;
    default:
      return `${v} is not valid under the given schema (${e.keyword}: ${e.message ?? ""})`;
  }
}

function pathText(root: string, segments: readonly string[]): string {
  return root + segments.map((s) => (/^\d+$/.test(s) && root === "instance" ? `[${s}]` : `[${strRepr(s)}]`)).join("");
}

function pointerValue(value: unknown, pointer: string): unknown {
  return pointer
    .split("/")
    .filter(Boolean)
    .map(unescapePointer)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], value);
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Python's repr of a JSON value (as jsonschema prints instances and schemas). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return strRepr(v);
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (typeof v === "object")
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${strRepr(k)}: ${pyRepr(x)}`)
      .join(", ")}}`;
  return String(v);
}

/**
 * The schema a multi-user endpoint's `user_endpoint_config` must satisfy: the site's own (JSON Schema
 * 2020-12), or, when it publishes only a template, one derived from the template's variables. Validation
 * uses ajv (2020-12, with formats) before anything is sent, and each problem names the field and the
 * reason in words a person can act on. `resource_specification` (MPI) has the service's fixed schema.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { EndpointMetadata } from "./endpointRecords";
import { RESERVED_TEMPLATE_NAMES, templateVariables } from "./templateVariables";

export type JsonSchema = Record<string, unknown>;

export interface ConfigIssue {
  /** JSON path segments of the offending value within the validated object ([] for the object itself). */
  path: (string | number)[];
  message: string;
}

/** protocol.md §3.5: `{num_nodes: int (required), ranks_per_node?: int, num_ranks?: int, launcher_options?: str}`. */
export const RESOURCE_SPECIFICATION_SCHEMA: JsonSchema = {
  type: "object",
  description: "MPI resources for each task (MPIFunction / GlobusMPIEngine).",
  properties: {
    num_nodes: { type: "integer", minimum: 1, description: "Nodes each task runs on." },
    ranks_per_node: { type: "integer", minimum: 1, description: "MPI ranks per node." },
    num_ranks: { type: "integer", minimum: 1, description: "Total MPI ranks (instead of ranks_per_node)." },
    launcher_options: { type: "string", description: "Extra options for the MPI launcher (mpiexec/srun)." },
  },
  required: ["num_nodes"],
  additionalProperties: false,
};

/**
 * The endpoint's schema, or one derived from its template (each variable a scalar, required unless the
 * template renders without it); undefined when the endpoint publishes neither (anything goes).
 */
export function userConfigSchemaOf(metadata: Pick<EndpointMetadata, "userConfigSchema" | "userConfigTemplate">): JsonSchema | undefined {
  if (metadata.userConfigSchema) return metadata.userConfigSchema;
  if (!metadata.userConfigTemplate) return undefined;
  const variables = templateVariables(metadata.userConfigTemplate);
  const properties: Record<string, JsonSchema> = {};
  for (const v of variables) {
    properties[v.name] = {
      type: ["string", "number", "integer", "boolean"],
      description: `Used by the endpoint's template${v.defaultText !== undefined ? ` (default there: ${v.defaultText || "empty"})` : ""}.`,
    };
  }
  return {
    type: "object",
    properties,
    required: variables.filter((v) => !v.optional).map((v) => v.name),
    // Templates may read more than a scan can see (macros, includes): extra names are allowed.
    additionalProperties: true,
  };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** Compiles (once per distinct schema) and validates; a schema ajv cannot compile is an issue too. */
export function validateAgainst(schema: JsonSchema, value: unknown): ConfigIssue[] {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(withoutMetaSchema(schema));
    } catch (err) {
      return [{ path: [], message: `the endpoint's schema cannot be used: ${(err as Error).message}` }];
    }
    compiled.set(key, validate);
  }
  if (validate(value)) return [];
  return dedupe((validate.errors ?? []).filter((e) => e.keyword !== "if").map((e) => issueOf(e, value)));
}

/** Everything wrong with a configuration before it is sent: reserved names, the schema, the resource specification. */
export function validateConfiguration(
  schema: JsonSchema | undefined,
  userEndpointConfig: Record<string, unknown>,
  resourceSpecification?: unknown,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(userEndpointConfig)) {
    if (RESERVED_TEMPLATE_NAMES.has(name))
      issues.push({ path: ["user_endpoint_config", name], message: `"${name}" is reserved by the endpoint and cannot be set` });
  }
  if (schema) issues.push(...validateAgainst(schema, userEndpointConfig).map((i) => ({ ...i, path: ["user_endpoint_config", ...i.path] })));
  if (resourceSpecification !== undefined)
    issues.push(
      ...validateAgainst(RESOURCE_SPECIFICATION_SCHEMA, resourceSpecification).map((i) => ({ ...i, path: ["resource_specification", ...i.path] })),
    );
  return issues;
}

/** `user_endpoint_config.nodes_per_block: must be an integer (got "two")`. */
export function describeIssue(issue: ConfigIssue): string {
  return issue.path.length ? `${issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("")}: ${issue.message}` : issue.message;
}

function issueOf(e: ErrorObject, root: unknown): ConfigIssue {
  const path = e.instancePath
    .split("/")
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const value = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], root);
  const p = e.params as Record<string, unknown>;
  const got = ` (got ${JSON.stringify(value)})`;
  switch (e.keyword) {
    case "required":
      return { path: [...path, String(p.missingProperty)], message: "is required" };
    case "additionalProperties":
      return { path: [...path, String(p.additionalProperty)], message: "is not a setting this endpoint knows" };
    case "type":
      return { path, message: `must be ${article(String(p.type))}${got}` };
    case "enum":
      return { path, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}${got}` };
    case "pattern":
      return { path, message: `must match the pattern ${String(p.pattern)}${got}` };
    case "format":
      return { path, message: `must be a valid ${String(p.format)}${got}` };
    default:
      return { path, message: `${e.message ?? "is invalid"}${e.keyword === "minimum" || e.keyword === "maximum" ? got : ""}` };
  }
}

function article(types: string): string {
  return types
    .split(",")
    .map((t) => (t === "integer" ? "an integer" : t === "object" || t === "array" ? `an ${t}` : `a ${t}`))
    .join(" or ");
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = JSON.stringify(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** ajv knows 2020-12 without being told; a `$schema` naming another draft would make it refuse. */
function withoutMetaSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

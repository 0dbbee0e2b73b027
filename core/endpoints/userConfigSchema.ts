/**
 * The schema a multi-user endpoint's `user_endpoint_config` must satisfy: the site's own, or, when it
 * publishes only a template, one derived from the template's variables (whose findings are warnings only).
 * Validation uses ajv as the endpoint's Python jsonschema would (the draft `$schema` names, Python regular
 * expressions) before anything is sent, and each problem names the field and the reason in words a person
 * can act on; what it cannot judge, and `format` (an annotation to the endpoint), is a warning. `resource_specification` (MPI) has the service's fixed schema. */
import Ajv from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { EndpointMetadata } from "./endpointRecords";
import { pythonPatternToRegExp } from "./pythonRegex";
import { mapSchemas } from "./schemaWalk";
import { RESERVED_TEMPLATE_NAMES, templateVariables } from "./templateVariables";

export type JsonSchema = Record<string, unknown>;

export interface ConfigIssue {
  /** JSON path segments of the offending value within the validated object ([] for the object itself). */
  path: (string | number)[];
  message: string;
  /** It may be wrong, but the endpoint is the judge: shown, never a reason to refuse a submission. */
  warning?: true;
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
 * Top-level annotation of a schema derived from a template: the variables it uses without a guard. They are
 * not `required`: a scan can be wrong where the endpoint itself has no schema to refuse with, so a missing
 * one is a warning (the endpoint will say if it cannot render), never a reason to refuse a submission.
 */
export const TEMPLATE_NEEDS = "x-template-needs";

/**
 * The endpoint's schema, or one derived from its template (each variable a scalar, those the template
 * cannot render without listed under TEMPLATE_NEEDS); undefined when the endpoint publishes neither.
 */
export function userConfigSchemaOf(metadata: Pick<EndpointMetadata, "userConfigSchema" | "userConfigTemplate">): JsonSchema | undefined {
  if (metadata.userConfigSchema) return metadata.userConfigSchema;
  if (!metadata.userConfigTemplate) return undefined;
  const variables = templateVariables(metadata.userConfigTemplate);
  const properties: Record<string, JsonSchema> = {};
  for (const v of variables) {
    const use = v.optional ? "Used by the endpoint's template" : "The endpoint's template cannot render without it";
    // A number as the template's default says the variable is a number: the form then reads "4" as 4 (not "0071234").
    const numeric = v.defaultText !== undefined && /^-?\d+(?:\.\d+)?$/.test(v.defaultText);
    properties[v.name] = {
      type: numeric ? ["number", "string", "boolean"] : ["string", "number", "boolean"],
      description: `${use}${v.defaultText !== undefined ? ` (default there: ${v.defaultText || "empty"})` : ""}.`,
    };
  }
  return {
    type: "object",
    properties,
    [TEMPLATE_NEEDS]: variables.filter((v) => !v.optional).map((v) => v.name),
    // Templates may read more than a scan can see (macros, includes): extra names are allowed.
    additionalProperties: true,
  };
}

/** The names a template-derived schema says its template cannot render without ([] for a site's own schema). */
export function templateNeeds(schema: JsonSchema | undefined): string[] {
  const needs = schema?.[TEMPLATE_NEEDS];
  return Array.isArray(needs) ? needs.filter((n): n is string => typeof n === "string") : [];
}

/**
 * A compiled schema, or why it could not be: `validate` as the endpoint (formats not checked), `formats`
 * with formats checked; `unknownPatterns`: Python patterns not checked here.
 */
type Compiled = { validate: ValidateFunction; formats: ValidateFunction; unknownPatterns: string[] } | { problem: string };
const compiled = new Map<string, Compiled>();

/**
 * Compiles (once per distinct schema) and validates. What this check cannot judge as the endpoint would is
 * a warning, never a refusal: a schema ajv cannot compile, a pattern in Python syntax with no JavaScript
 * equivalent.
 */
export function validateAgainst(schema: JsonSchema, value: unknown): ConfigIssue[] {
  const key = JSON.stringify(schema);
  let c = compiled.get(key);
  if (!c) compiled.set(key, (c = compile(schema)));
  if ("problem" in c) return [{ path: [], message: `the endpoint's schema cannot be checked here (${c.problem}): the endpoint will check it`, warning: true }];
  const unknown = c.unknownPatterns.map((p): ConfigIssue => ({ path: [], message: `the pattern ${p} cannot be checked here: the endpoint will check it`, warning: true }));
  const errors = c.validate(value) ? [] : (c.validate.errors ?? []).filter((e) => e.keyword !== "if").map((e) => issueOf(e, value));
  // `format` is an annotation to the endpoint (jsonschema.validate checks none): a mismatch is worth a word, not a refusal.
  const formats = c.formats(value) ? [] : (c.formats.errors ?? []).filter((e) => e.keyword === "format").map((e) => ({ ...issueOf(e, value), warning: true as const }));
  return [...dedupe([...errors, ...formats]), ...unknown];
}

/**
 * Like the endpoint's jsonschema.validate: the draft its `$schema` names (2020-12 when none or unknown),
 * with Python's regular expressions. Each schema has its own ajv, so two with one `$id` do not clash.
 */
function compile(schema: JsonSchema): Compiled {
  const unknownPatterns = new Set<string>();
  const regExp = Object.assign(
    (pattern: string) => {
      const rx = pythonPatternToRegExp(pattern);
      if (rx) return rx;
      unknownPatterns.add(pattern);
      return { test: () => true, toString: () => `unknown ${pattern}` };
    },
    { code: "pythonPatternToRegExp" },
  );
  const draft = draftOf(schema.$schema);
  if (draft === "03") return { problem: "JSON Schema draft-03" };
  const { $schema: _ignored, ...rest } = schema; // the dialect is chosen here; ajv would refuse a draft it was not built for
  const prepared = draft === "04" || draft === "07" ? withoutRefSiblings(rest) : rest;
  const compiler = (validateFormats: boolean) => {
    const options = { allErrors: true, strict: false, code: { regExp }, validateFormats };
    const ajv = draft === "04" ? new AjvDraft04(options) : draft === "07" ? new Ajv(options) : draft === "2019" ? new Ajv2019(options) : new Ajv2020(options);
    if (validateFormats) addFormats(ajv);
    return ajv.compile(prepared);
  };
  try {
    return { validate: compiler(false), formats: compiler(true), unknownPatterns: [...unknownPatterns] };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

function draftOf(uri: unknown): "03" | "04" | "07" | "2019" | "2020" {
  const s = typeof uri === "string" ? uri : "";
  if (/draft-03\b/.test(s)) return "03";
  if (/draft-04\b/.test(s)) return "04";
  if (/draft-0[67]\b/.test(s)) return "07";
  if (/2019-09/.test(s)) return "2019";
  return "2020";
}

/** Up to draft-07, `$ref` replaces its siblings (jsonschema ignores them); ajv would apply them. */
function withoutRefSiblings(schema: JsonSchema): JsonSchema {
  return mapSchemas(schema, (node) => (typeof node.$ref === "string" ? { $ref: node.$ref } : node));
}

/** What blocks a submission: checkConfiguration's issues less its warnings. */
export function validateConfiguration(
  schema: JsonSchema | undefined,
  userEndpointConfig: Record<string, unknown>,
  resourceSpecification?: unknown,
): ConfigIssue[] {
  return checkConfiguration(schema, userEndpointConfig, resourceSpecification).filter((i) => !i.warning);
}

/**
 * Everything wrong with a configuration before it is sent: reserved names, the schema, the resource
 * specification; and, as warnings, what may be wrong (variables a template seems to need).
 */
export function checkConfiguration(
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
  for (const name of templateNeeds(schema)) {
    if (!(name in userEndpointConfig))
      issues.push({ path: ["user_endpoint_config", name], message: "is not set, and the endpoint's template seems to need it", warning: true });
  }
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
      return { path, message: `is not a valid ${String(p.format)}${got}; the endpoint does not check formats` };
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

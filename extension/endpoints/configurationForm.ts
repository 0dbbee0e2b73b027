/**
 * The guided way to a configuration, for people who would rather not write JSON: one quick pick or input
 * box per property of the endpoint's schema (enums and booleans picked, numbers and text typed and checked
 * as they are typed), then an optional MPI resource specification, then a name. A schema that lists no
 * properties (a top-level allOf/oneOf…) is filled as JSON, checked against it.
 */
import type { EndpointConfiguration } from "../../core/endpoints/configurationFile";
import { describeIssue, templateNeeds, validateAgainst, type ConfigIssue, type JsonSchema } from "../../core/endpoints/userConfigSchema";
import type { UserInterface } from "../vscode/window";

type Ui = Pick<UserInterface, "pickOne" | "inputText">;

const SKIP = Symbol("skip");

export async function askConfiguration(
  ui: Ui,
  endpoint: { id: string; name: string },
  schema: JsonSchema | undefined,
  existingNames: readonly string[],
): Promise<EndpointConfiguration | undefined> {
  const userEndpointConfig = await askUserEndpointConfig(ui, endpoint.name, schema);
  if (userEndpointConfig === undefined) return undefined;
  const resourceSpecification = await askResourceSpecification(ui);
  if (resourceSpecification === undefined) return undefined;
  const suggested = typeof userEndpointConfig.partition === "string" ? userEndpointConfig.partition : "default";
  const configName = await ui.inputText({
    title: `Name of the new configuration of ${endpoint.name}`,
    prompt: "A name to pick it by, e.g. \"debug queue\" or \"production 4 nodes\"",
    value: existingNames.includes(suggested) ? "" : suggested,
    validate: (t) => (t.trim() === "" ? "A name is needed" : existingNames.includes(t.trim()) ? `"${t.trim()}" exists already` : undefined),
  });
  if (configName === undefined) return undefined;
  return {
    endpointId: endpoint.id,
    name: configName.trim(),
    userEndpointConfig,
    ...(resourceSpecification === SKIP ? {} : { resourceSpecification }),
  };
}

/**
 * One step per property when the schema lists them (references followed); each typed value is checked
 * in place in the whole object, and the finished object against the whole schema, as rules across fields
 * (if/then, dependentRequired, allOf) are only seen there: what breaks them is corrected as JSON.
 */
async function askUserEndpointConfig(ui: Ui, endpointName: string, schema: JsonSchema | undefined): Promise<Record<string, unknown> | undefined> {
  const root = schema && resolved(schema, schema);
  const properties = isRecord(root?.properties) ? (root.properties as Record<string, JsonSchema>) : {};
  const names = Object.keys(properties);
  if (!schema || names.length === 0) {
    const why = schema ? "The endpoint's schema cannot be shown as a form" : "The endpoint publishes no schema";
    return askJson(ui, endpointName, schema, `${why}: type user_endpoint_config as a JSON object`, {});
  }
  const required = new Set(Array.isArray(root?.required) ? (root.required as string[]) : []);
  // A template's variables are never required (the scan may be wrong), but those it seems to need come first.
  const needed = new Set(templateNeeds(schema));
  const rank = (n: string) => (required.has(n) ? 2 : needed.has(n) ? 1 : 0);
  names.sort((a, b) => rank(b) - rank(a));
  const config: Record<string, unknown> = {};
  for (const [i, name] of names.entries()) {
    const need = required.has(name) ? "required" : needed.has(name) ? "needed" : "optional";
    const problems = (value: unknown) =>
      validateAgainst(schema, { ...config, [name]: value }).filter((issue) => !issue.warning && issue.path[0] === name);
    const value = await askProperty(ui, endpointName, name, resolved(schema, properties[name]), need, `${i + 1}/${names.length}`, problems);
    if (value === undefined) return undefined;
    if (value !== SKIP) config[name] = value;
  }
  if (!validateAgainst(schema, config).some((issue) => !issue.warning)) return config;
  return askJson(ui, endpointName, schema, "Some settings do not go together: correct user_endpoint_config", config);
}

/** user_endpoint_config typed as a JSON object, checked against the schema when there is one. */
async function askJson(
  ui: Ui,
  endpointName: string,
  schema: JsonSchema | undefined,
  prompt: string,
  initial: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const text = await ui.inputText({
    title: `New configuration of ${endpointName}`,
    prompt,
    value: JSON.stringify(initial),
    validate: (t) => {
      const value = objectOf(t);
      if (!value) return "A JSON object, e.g. {\"account\": \"abc123\"}";
      const issues = schema ? validateAgainst(schema, value).filter((i) => !i.warning) : [];
      return issues.length ? issues.map(describeIssue).join("; ") : undefined;
    },
  });
  return text === undefined ? undefined : objectOf(text);
}

async function askProperty(
  ui: Ui,
  endpointName: string,
  name: string,
  schema: JsonSchema,
  need: "required" | "needed" | "optional",
  step: string,
  problems: (value: unknown) => ConfigIssue[],
): Promise<unknown | typeof SKIP | undefined> {
  const required = need === "required";
  const note = { required: "", needed: " (the template seems to need it)", optional: " (optional)" }[need];
  const about = typeof schema.description === "string" ? schema.description : "";
  const skip = required ? [] : [{ label: "(leave unset)", description: "the endpoint's default applies", value: SKIP as unknown }];
  if (Array.isArray(schema.enum) || schema.type === "boolean") {
    const values = Array.isArray(schema.enum) ? schema.enum : [true, false];
    return ui.pickOne(
      [...values.map((v) => ({ label: typeof v === "string" ? v : JSON.stringify(v), value: v as unknown })), ...skip],
      `${endpointName} ${step}: ${name}${note}${about ? ` — ${about}` : ""}`,
    );
  }
  const text = await ui.inputText({
    title: `${endpointName} ${step}: ${name}${required ? "" : `${note.slice(0, -1)}: leave empty to skip)`}`,
    prompt: about || `Value of ${name}`,
    value: schema.default === undefined ? "" : typeof schema.default === "string" ? schema.default : JSON.stringify(schema.default),
    validate: (t) => {
      if (t === "") return required ? `${name} is required` : undefined;
      const issues = problems(valueOf(t, schema));
      return issues.length ? issues.map(describeIssue).join("; ") : undefined;
    },
  });
  if (text === undefined) return undefined;
  return text === "" ? SKIP : valueOf(text, schema);
}

async function askResourceSpecification(ui: Ui): Promise<Record<string, unknown> | typeof SKIP | undefined> {
  const mpi = await ui.pickOne(
    [
      { label: "No resource specification", description: "plain Python functions", value: false },
      { label: "MPI resource specification…", description: "num_nodes, ranks_per_node (MPIFunction)", value: true },
    ],
    "Does this configuration run MPI tasks?",
  );
  if (mpi === undefined) return undefined;
  if (!mpi) return SKIP;
  const positive = (optional: boolean) => (t: string) =>
    (optional && t === "") || /^[1-9]\d*$/.test(t) ? undefined : "A whole number of at least 1";
  const nodes = await ui.inputText({ title: "MPI: num_nodes", prompt: "Nodes each task runs on", value: "1", validate: positive(false) });
  if (nodes === undefined) return undefined;
  const ranks = await ui.inputText({ title: "MPI: ranks_per_node (optional)", prompt: "MPI ranks per node", value: "", validate: positive(true) });
  if (ranks === undefined) return undefined;
  return { num_nodes: Number(nodes), ...(ranks ? { ranks_per_node: Number(ranks) } : {}) };
}

/**
 * Typed text as the property's type: JSON literals where the type list allows them. Text that a string may
 * hold stays text unless the schema lists a number type before "string" and the text is the number's own
 * spelling ("0071234", "1e3", "0x1F" stay text); a number is never rounded nor infinite.
 */
function valueOf(text: string, schema: JsonSchema): unknown {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const number = numberOf(text, types);
  if (number !== undefined) return number;
  if (types.includes("boolean") && (text === "true" || text === "false")) return text === "true";
  if ((types.includes("object") || types.includes("array")) && /^[[{]/.test(text.trim())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** JSON's number syntax: no hex, no `Infinity`, no spaces. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function numberOf(text: string, types: unknown[]): number | undefined {
  const numeric = ["number", "integer"].map((t) => types.indexOf(t)).filter((i) => i >= 0);
  if (numeric.length === 0 || !JSON_NUMBER.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n))) return undefined;
  const stringAt = types.indexOf("string");
  if (stringAt >= 0 && (Math.min(...numeric) > stringAt || String(n) !== text)) return undefined;
  return n;
}

function objectOf(t: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(t);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A subschema with its local `$ref` followed (the reference's target, then the subschema's own keywords). */
function resolved(root: JsonSchema, node: JsonSchema, depth = 0): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#") || depth > 16) return node;
  const segments = ref.slice(1).split("/").filter(Boolean).map((s) => decodeURIComponent(s).replace(/~1/g, "/").replace(/~0/g, "~"));
  const target = segments.reduce<unknown>((n, k) => (isRecord(n) ? n[k] : undefined), root);
  if (!isRecord(target)) return node;
  const { $ref: _ref, ...own } = node;
  return { ...resolved(root, target, depth + 1), ...own };
}

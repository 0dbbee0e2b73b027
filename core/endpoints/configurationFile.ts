/**
 * Named configurations of multi-user endpoints, kept in the workspace file `.globus-compute/endpoints.json`
 * so a group can commit and share them:
 *
 *   { "endpoints": { "<endpoint id>": { "name": "Polaris", "configurations": {
 *       "debug queue": { "user_endpoint_config": { "account": "abc", "partition": "debug" },
 *                        "resource_specification": { "num_nodes": 2 } } } } } }
 *
 * Reading is forgiving (a broken entry is reported and skipped, the others stay usable); the file's own
 * JSON Schema, with each endpoint's schema for its `user_endpoint_config`, gives the editor completion,
 * hover and validation.
 */
import { mapSchemas } from "./schemaWalk";
import { RESOURCE_SPECIFICATION_SCHEMA, type JsonSchema } from "./userConfigSchema";

export const CONFIGURATION_FILE = ".globus-compute/endpoints.json";

export interface EndpointConfiguration {
  endpointId: string;
  name: string;
  description?: string;
  userEndpointConfig: Record<string, unknown>;
  resourceSpecification?: Record<string, unknown>;
}

export interface ConfigurationFileContent {
  /** endpoint id (lower case) → configurations, in file order. */
  configurations: Map<string, EndpointConfiguration[]>;
  /** endpoint id → the name the file gives it (for people reading the file). */
  endpointNames: Map<string, string>;
  problems: string[];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseConfigurationFile(text: string | undefined): ConfigurationFileContent {
  const out: ConfigurationFileContent = { configurations: new Map(), endpointNames: new Map(), problems: [] };
  if (text === undefined || text.trim() === "") return out;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    out.problems.push(`${CONFIGURATION_FILE} is not valid JSON: ${(err as Error).message}`);
    return out;
  }
  const endpoints = isRecord(root) ? root.endpoints : undefined;
  if (!isRecord(endpoints)) {
    out.problems.push(`${CONFIGURATION_FILE} needs an "endpoints" object keyed by endpoint id`);
    return out;
  }
  for (const [id, entry] of Object.entries(endpoints)) {
    if (!UUID_RE.test(id)) {
      out.problems.push(`"${id}" is not an endpoint id (a UUID)`);
      continue;
    }
    if (!isRecord(entry)) continue;
    const key = id.toLowerCase();
    if (typeof entry.name === "string") out.endpointNames.set(key, entry.name);
    const list: EndpointConfiguration[] = [];
    for (const [name, c] of Object.entries(isRecord(entry.configurations) ? entry.configurations : {})) {
      if (!isRecord(c) || (c.user_endpoint_config !== undefined && !isRecord(c.user_endpoint_config))) {
        out.problems.push(`configuration "${name}" of ${id}: user_endpoint_config must be an object`);
        continue;
      }
      list.push({
        endpointId: key,
        name,
        ...(typeof c.description === "string" ? { description: c.description } : {}),
        userEndpointConfig: isRecord(c.user_endpoint_config) ? c.user_endpoint_config : {},
        ...(isRecord(c.resource_specification) ? { resourceSpecification: c.resource_specification } : {}),
      });
    }
    out.configurations.set(key, list);
  }
  return out;
}

/** The file's text with the configuration added (or replaced, by name), keeping everything else. */
export function withConfiguration(text: string | undefined, endpointName: string, configuration: EndpointConfiguration): string {
  let root: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== "") {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) throw new SyntaxError(`${CONFIGURATION_FILE} does not hold a JSON object`);
    root = parsed;
  }
  const endpoints = isRecord(root.endpoints) ? root.endpoints : (root.endpoints = {});
  const key = Object.keys(endpoints).find((k) => k.toLowerCase() === configuration.endpointId) ?? configuration.endpointId;
  const entry = isRecord(endpoints[key]) ? (endpoints[key] as Record<string, unknown>) : (endpoints[key] = { name: endpointName });
  const configurations = isRecord(entry.configurations) ? entry.configurations : (entry.configurations = {});
  configurations[configuration.name] = {
    ...(configuration.description ? { description: configuration.description } : {}),
    user_endpoint_config: configuration.userEndpointConfig,
    ...(configuration.resourceSpecification ? { resource_specification: configuration.resourceSpecification } : {}),
  };
  return `${JSON.stringify(root, null, 2)}\n`;
}

/**
 * The JSON Schema of the file (draft-07, what VS Code's JSON language features understand best), with
 * each known endpoint's schema under its `user_endpoint_config`, so the editor completes, explains and
 * underlines a configuration by that endpoint's own rules.
 */
export function configurationFileSchema(endpoints: ReadonlyMap<string, { name: string; schema?: JsonSchema }>): JsonSchema {
  const configuration = (userConfig: JsonSchema | undefined, name?: string, id?: string): JsonSchema => ({
    type: "object",
    properties: {
      description: { type: "string", description: "What this configuration is for." },
      user_endpoint_config: {
        ...(userConfig && id ? embeddable(userConfig, userConfigPointer(id)) : { type: "object" }),
        description: `The values the endpoint's template renders${name ? ` (${name})` : ""}, sent as user_endpoint_config.`,
      },
      resource_specification: RESOURCE_SPECIFICATION_SCHEMA,
    },
    required: ["user_endpoint_config"],
    additionalProperties: false,
  });
  const entry = (userConfig: JsonSchema | undefined, name?: string, id?: string): JsonSchema => ({
    type: "object",
    properties: {
      name: { type: "string", description: "The endpoint's name, for people reading this file." },
      configurations: {
        type: "object",
        description: "Named configurations: a submission to this endpoint asks which one (and remembers it per function).",
        additionalProperties: configuration(userConfig, name, id),
      },
    },
    additionalProperties: false,
  });
  const properties: Record<string, JsonSchema> = {};
  for (const [id, e] of endpoints) properties[id] = entry(e.schema, e.name, id);
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Globus Compute endpoint configurations",
    type: "object",
    properties: {
      endpoints: {
        type: "object",
        description: "Multi-user endpoints by id, each with named configurations.",
        properties,
        patternProperties: { "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$": entry(undefined) },
        additionalProperties: false,
      },
    },
    required: ["endpoints"],
  };
}

/** Where an endpoint's schema sits in the file's, as a JSON pointer fragment. */
function userConfigPointer(id: string): string {
  const escape = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
  return `#/properties/endpoints/properties/${escape(id)}/properties/configurations/additionalProperties/properties/user_endpoint_config`;
}

/**
 * The endpoint's schema inside the file's: its own `$schema`/`$id` would re-root references, and its
 * local references (`#/$defs/…`, `#`) would point at the file schema's root: they are made to point at
 * where it now sits.
 */
function embeddable(schema: JsonSchema, at: string): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return mapSchemas(rest, (node) => (typeof node.$ref === "string" && node.$ref.startsWith("#") ? { ...node, $ref: at + node.$ref.slice(1) } : node));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

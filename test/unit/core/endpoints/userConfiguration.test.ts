/* eslint-disable @typescript-eslint/no-explicit-any -- digging into a generated schema */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import Ajv from "ajv";
import { configurationFileProblems } from "../../../../core/endpoints/configurationDiagnostics";
import { configurationFileSchema, parseConfigurationFile, withConfiguration } from "../../../../core/endpoints/configurationFile";
import { templateVariables } from "../../../../core/endpoints/templateVariables";
import { checkConfiguration, describeIssue, templateNeeds, userConfigSchemaOf, validateConfiguration } from "../../../../core/endpoints/userConfigSchema";
import { MEP_SCHEMA, MEP_TEMPLATE } from "../../../emulator/endpointCatalog";

const EP = "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0004";

test("template variables: used names are required, guarded ones optional, bound and reserved names left out", () => {
  const vars = templateVariables(`
{# a comment naming {{ not_a_variable }} #}
endpoint_setup: {{ endpoint_setup|default() }}
account: {{ account }}
walltime: {{ walltime | default("00:30:00") }}
nodes: {{ nodes_per_block|d(1) }}
init: {{ worker_init|default('') }}
{%- if scheduler_options %}
options: {{ scheduler_options }}
{% endif %}
{% if gpus is defined %}gpus: {{ gpus | int }}{% endif %}
{% for m in modules %}module load {{ m }}{% endfor %}
{% set queue_name = queue or "debug" %}
queue: {{ queue_name|upper }}
python: {{ user_runtime.python.version }}
label: {{ "%s-%s"|format(project, user_runtime.python_version) }}
mem: {{ memory|default(4, true) }}
`);
  assert.deepEqual(vars, [
    { name: "endpoint_setup", defaultText: "", optional: true },
    { name: "account", optional: false },
    { name: "walltime", defaultText: '"00:30:00"', optional: true },
    { name: "nodes_per_block", defaultText: "1", optional: true },
    { name: "worker_init", defaultText: "''", optional: true },
    { name: "scheduler_options", optional: false },
    { name: "gpus", optional: true },
    { name: "modules", optional: false },
    { name: "queue", optional: false },
    { name: "project", optional: false },
    { name: "memory", defaultText: "4", optional: true },
  ]);
  assert.deepEqual(
    templateVariables(MEP_TEMPLATE).map((v) => [v.name, v.optional]),
    [["endpoint_setup", true], ["account", false], ["partition", false], ["walltime", true], ["nodes_per_block", true], ["worker_init", true]],
  );
});

test("a template without a schema gives a derived schema: scalars, extra names allowed, what the template needs a warning only", () => {
  const schema = userConfigSchemaOf({ userConfigTemplate: "a: {{ account }}\nq: {{ queue|default('workq') }}" });
  assert.equal(schema?.required, undefined, "a scan may be wrong: it never refuses");
  assert.deepEqual(templateNeeds(schema), ["account"]);
  assert.deepEqual(Object.keys(schema?.properties as object), ["account", "queue"]);
  assert.deepEqual(validateConfiguration(schema, { account: "abc", extra: 1 }), []);
  assert.deepEqual(validateConfiguration(schema, { queue: "x" }), []);
  assert.deepEqual(checkConfiguration(schema, { queue: "x" }), [
    { path: ["user_endpoint_config", "account"], message: "is not set, and the endpoint's template seems to need it", warning: true },
  ]);
  assert.deepEqual(templateNeeds(MEP_SCHEMA), []);
  assert.equal(userConfigSchemaOf({}), undefined);
  assert.equal(userConfigSchemaOf({ userConfigSchema: MEP_SCHEMA, userConfigTemplate: "{{ x }}" }), MEP_SCHEMA);
});

test("validation messages name the field and the reason", () => {
  const issues = validateConfiguration(
    MEP_SCHEMA,
    { account: "", partition: "batch", walltime: "1h", nodes_per_block: "two", colour: "red", user_runtime: {} },
    { num_nodes: 0, ranks: 2 },
  ).map(describeIssue);
  assert.deepEqual(issues.sort(), [
    'resource_specification.num_nodes: must be >= 1 (got 0)',
    "resource_specification.ranks: is not a setting this endpoint knows",
    'user_endpoint_config.account: must NOT have fewer than 1 characters',
    "user_endpoint_config.colour: is not a setting this endpoint knows",
    'user_endpoint_config.nodes_per_block: must be an integer (got "two")',
    'user_endpoint_config.partition: must be one of "debug", "compute", "gpu" (got "batch")',
    'user_endpoint_config.user_runtime: "user_runtime" is reserved by the endpoint and cannot be set',
    "user_endpoint_config.user_runtime: is not a setting this endpoint knows",
    'user_endpoint_config.walltime: must match the pattern ^\\d{2}:\\d{2}:\\d{2}$ (got "1h")',
  ].sort());
  assert.deepEqual(validateConfiguration(MEP_SCHEMA, { account: "abc", partition: "debug" }, { num_nodes: 2, ranks_per_node: 4 }), []);
  // `format` is an annotation to the endpoint's jsonschema.validate (no format checker), as the emulator's mepConfig.ts has it.
  const formats = { type: "object", properties: { email: { type: "string", format: "email" }, when: { format: "date-time" }, n: { anyOf: [{ format: "email" }] } } };
  assert.deepEqual(validateConfiguration(formats, { email: "nope", when: "2025-06-01 10:00", n: "me@localhost" }), []);
  assert.deepEqual(checkConfiguration(formats, { email: "nope" }).map((i) => [describeIssue(i), i.warning]), [
    ['user_endpoint_config.email: is not a valid email (got "nope"); the endpoint does not check formats', true],
  ]);
});

test("a site's schema is judged as the endpoint's jsonschema would: the draft its $schema names, Python's regular expressions", () => {
  // Each verdict below is Python jsonschema's (4.10 and 4.25) on the same schema and value.
  const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: "object", properties, ...extra });
  const errors = (schema: Record<string, unknown>, value: Record<string, unknown>) => validateConfiguration(schema, value).map(describeIssue);
  assert.deepEqual(errors(obj({ a: { type: "string", pattern: "^[a-z]{3}\\d{3}\\Z" } }), { a: "abc123" }), []);
  assert.deepEqual(errors(obj({ a: { type: "string", pattern: "(?i)^(debug|prod)$" } }), { a: "Debug" }), []);
  assert.deepEqual(errors(obj({ a: { type: "string", pattern: "^(?P<h>\\d\\d):(?P<m>\\d\\d)$" } }), { a: "01:30" }), []);
  assert.deepEqual(errors(obj({ a: { type: "string", pattern: "^\\w+$" } }), { a: "énergie" }), []);
  assert.deepEqual(errors(obj({ a: { type: "string", pattern: "^[a-z0-9]+$" } }), { a: "abc123\n" }), []);
  assert.deepEqual(errors(obj({ a: { type: "string", pattern: "^\\S+$" } }), { a: "abc\u001f123" }), [
    'user_endpoint_config.a: must match the pattern ^\\S+$ (got "abc\\u001f123")',
  ]);
  const draft07 = "http://json-schema.org/draft-07/schema#";
  assert.deepEqual(errors(obj({ m: { type: "array", items: [{ type: "string" }, { type: "string" }] } }, { $schema: draft07 }), { m: ["gcc", "mpich"] }), []);
  assert.deepEqual(errors(obj({ m: { type: "array", items: [{ type: "string" }] } }, { $schema: draft07 }), { m: [1] }), ["user_endpoint_config.m[0]: must be a string (got 1)"]);
  const ref07 = { $schema: draft07, type: "object", definitions: { s: { type: "string" } }, properties: { a: { $ref: "#/definitions/s", maxLength: 3 } } };
  assert.deepEqual(errors(ref07, { a: "abc123" }), [], "up to draft-07 a $ref's siblings are ignored");
  const draft04 = { $schema: "http://json-schema.org/draft-04/schema#", type: "object", properties: { n: { type: "integer", maximum: 16, exclusiveMaximum: true } } };
  assert.deepEqual(errors(draft04, { n: 4 }), []);
  assert.deepEqual(errors(draft04, { n: 16 }), ["user_endpoint_config.n: must be < 16 (got 16)"]);
  const draft2019 = { $schema: "https://json-schema.org/draft/2019-09/schema", type: "object", properties: { a: { type: "string" } }, dependentRequired: { a: ["b"] } };
  assert.deepEqual(errors(draft2019, { a: "x" }), ["user_endpoint_config: must have property b when property a is present"]);
});

test("what cannot be checked here is a warning, never a refusal: a schema that does not compile, a pattern with no JavaScript equivalent", () => {
  const remote = { type: "object", properties: { a: { $ref: "https://example.com/x.json" } } };
  assert.deepEqual(validateConfiguration(remote, { a: 1 }), []);
  assert.deepEqual(checkConfiguration(remote, { a: 1 }).map((i) => [describeIssue(i), i.warning]), [
    ["user_endpoint_config: the endpoint's schema cannot be checked here (can't resolve reference https://example.com/x.json from id #): the endpoint will check it", true],
  ]);
  const verbose = { type: "object", properties: { a: { type: "string", pattern: "(?x) ^ a b $" } } };
  assert.deepEqual(validateConfiguration(verbose, { a: "zz" }), []);
  assert.deepEqual(checkConfiguration(verbose, { a: "zz" }).map((i) => [describeIssue(i), i.warning]), [
    ["user_endpoint_config: the pattern (?x) ^ a b $ cannot be checked here: the endpoint will check it", true],
  ]);
});

test("two schemas with one $id are each checked by their own rules", () => {
  const base = { $id: "https://hpc.example.edu/globus/uep-config.json", type: "object" };
  const a = { ...base, properties: { partition: { enum: ["debug", "compute"] } } };
  const b = { ...base, properties: { partition: { enum: ["debug", "compute", "gpu"] } } };
  assert.equal(validateConfiguration(a, { partition: "gpu" }).length, 1);
  assert.deepEqual(checkConfiguration(b, { partition: "gpu" }), []);
});

test("the configuration file: read forgivingly, written back with a new configuration, and its schema embeds the endpoint's", () => {
  const text = withConfiguration(undefined, "Polaris", { endpointId: EP, name: "debug queue", userEndpointConfig: { account: "abc", partition: "debug" } });
  const again = withConfiguration(text, "Polaris", {
    endpointId: EP,
    name: "production 4 nodes",
    userEndpointConfig: { account: "abc", partition: "compute", nodes_per_block: 4 },
    resourceSpecification: { num_nodes: 4 },
  });
  const read = parseConfigurationFile(again);
  assert.deepEqual(read.problems, []);
  assert.equal(read.endpointNames.get(EP), "Polaris");
  assert.deepEqual(read.configurations.get(EP)?.map((c) => c.name), ["debug queue", "production 4 nodes"]);
  assert.deepEqual(read.configurations.get(EP)?.[1].resourceSpecification, { num_nodes: 4 });

  const broken = parseConfigurationFile('{"endpoints": {"nope": {}, "' + EP + '": {"configurations": {"a": {"user_endpoint_config": 3}, "b": {"user_endpoint_config": {}}}}}}');
  assert.deepEqual(broken.configurations.get(EP)?.map((c) => c.name), ["b"]);
  assert.equal(broken.problems.length, 2);
  assert.match(parseConfigurationFile("{").problems[0], /not valid JSON/);

  const schema = configurationFileSchema(new Map([[EP, { name: "Polaris", schema: MEP_SCHEMA }]]));
  const uec = (((((schema.properties as any).endpoints.properties[EP].properties.configurations.additionalProperties as any).properties
    .user_endpoint_config) as Record<string, unknown>));
  assert.deepEqual(uec.required, ["account", "partition"]);
  assert.equal("$schema" in uec, false);
});

test("the file's schema keeps an endpoint's references pointing into that endpoint's schema", () => {
  const site = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    $defs: { partition: { type: "string", enum: ["debug", "compute"] }, node: { type: "object", properties: { next: { $ref: "#/$defs/node" } } } },
    properties: { partition: { $ref: "#/$defs/partition" }, tree: { $ref: "#/$defs/node" }, self: { $ref: "#" }, other: { enum: [{ $ref: "#/x" }] } },
  };
  const fileSchema = configurationFileSchema(new Map([[EP, { name: "Site", schema: site }]]));
  // A draft-07 validator, as VS Code's JSON service reads the file's schema.
  const validate = new Ajv({ strict: false }).compile(fileSchema);
  const file = (uec: unknown) => ({ endpoints: { [EP]: { configurations: { a: { user_endpoint_config: uec } } } } });
  assert.equal(validate(file({ partition: "debug", tree: { next: {} }, self: { partition: "compute" } })), true);
  assert.equal(validate(file({ partition: "gpu" })), false);
  assert.equal(validate(file({ self: { partition: "gpu" } })), false);
  assert.equal(validate(file({ other: { $ref: "#/x" } })), true, "data that looks like a reference is left as it is");
});

test("the file's problems sit on the offending field, with the same words as at submit", () => {
  const text = `{
  "endpoints": {
    "${EP.toUpperCase()}": {
      "configurations": {
        "debug": { "user_endpoint_config": { "partition": "debug", "nodes_per_block": "two" } }
      }
    }
  }
}`;
  const problems = configurationFileProblems(text, new Map([[EP, MEP_SCHEMA]]));
  assert.deepEqual(
    problems.map((p) => [p.message, text.split("\n")[p.start.line].slice(p.start.character, p.end.character)]),
    [
      ["debug: user_endpoint_config.account: is required", '"user_endpoint_config"'],
      ['debug: user_endpoint_config.nodes_per_block: must be an integer (got "two")', '"two"'],
    ],
  );
  assert.deepEqual(configurationFileProblems(text, new Map()), [], "without a known schema only the shape is checked");
  const derived = userConfigSchemaOf({ userConfigTemplate: "a: {{ account }}" });
  assert.deepEqual(configurationFileProblems(text, new Map([[EP, derived]])).map((p) => [p.message, p.warning]), [
    ["debug: user_endpoint_config.account: is not set, and the endpoint's template seems to need it", true],
  ]);
});

/**
 * Rewrites each schema object of a JSON Schema (the schema itself and its subschemas at any depth), leaving
 * values that are data, not schemas (enum, const, default, examples…), as they are.
 */
type SchemaObject = Record<string, unknown>;

/** Keywords whose value is data or names: never walked into. */
const DATA = new Set(["enum", "const", "default", "examples", "required", "type", "description", "title", "$comment"]);
/** Keywords whose value maps names to schemas (the map itself is not a schema). */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs", "dependencies", "dependentSchemas"]);

/** `fn` sees each schema object before its subschemas, which are then walked in what it returns. */
export function mapSchemas(schema: SchemaObject, fn: (node: SchemaObject) => SchemaObject): SchemaObject {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    const out: SchemaObject = {};
    for (const [k, v] of Object.entries(fn(node as SchemaObject))) {
      if (DATA.has(k)) out[k] = v;
      else if (SCHEMA_MAPS.has(k) && typeof v === "object" && v !== null && !Array.isArray(v))
        out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, walk(sub)]));
      else out[k] = walk(v);
    }
    return out;
  };
  return walk(schema) as SchemaObject;
}

import type { Node } from "web-tree-sitter";

/**
 * One name an import statement brings in, as data (no tree nodes, so it outlives its parse tree):
 * `import a.b` (plain: binds `a`, imports a.b), `import a.b as c` (alias: binds `c` to a.b),
 * `from m import x as y` (from: binds `y` to m's `x`), `from m import *` (star).
 */
export interface ImportItem {
  kind: "plain" | "alias" | "from" | "star";
  /** The module as written; a relative one starts with dots. */
  module: string;
  /** The name imported from `module` (kind "from"). */
  name?: string;
  /** The name bound in the importing namespace (not for "star"). */
  bound?: string;
  /** The item as written, for rebuilding the statement with some of its names. */
  text: string;
}

export function importItemsOf(statement: Node): ImportItem[] {
  if (statement.type === "import_statement") {
    return statement.childrenForFieldName("name").flatMap((n): ImportItem[] => {
      if (n.type === "aliased_import") {
        const module = n.childForFieldName("name")?.text;
        const bound = n.childForFieldName("alias")?.text;
        return module && bound ? [{ kind: "alias", module, bound, text: n.text }] : [];
      }
      return n.type === "dotted_name" ? [{ kind: "plain", module: n.text, bound: n.namedChildren[0]?.text ?? n.text, text: n.text }] : [];
    });
  }
  if (statement.type !== "import_from_statement") return [];
  const module = (statement.childForFieldName("module_name")?.text ?? "").replace(/\s+/g, "");
  if (statement.namedChildren.some((c) => c.type === "wildcard_import")) return [{ kind: "star", module, text: "*" }];
  return statement.childrenForFieldName("name").flatMap((n): ImportItem[] => {
    if (n.type === "aliased_import") {
      const name = n.childForFieldName("name")?.text;
      const bound = n.childForFieldName("alias")?.text;
      return name && bound ? [{ kind: "from", module, name, bound, text: n.text }] : [];
    }
    return n.type === "dotted_name" ? [{ kind: "from", module, name: n.text, bound: n.text, text: n.text }] : [];
  });
}

import type { Node } from "web-tree-sitter";

/** A span of the document in UTF-16 offsets (what JS strings and LSP positions count). */
export interface OffsetRange {
  start: number;
  end: number;
}

export function rangeOf(node: Node): OffsetRange {
  return { start: node.startIndex, end: node.endIndex };
}

/** The name a parameter node binds (`a`, `a=1`, `a: int`, `*args`, `**kw`), if any. */
export function parameterName(p: Node): string | undefined {
  switch (p.type) {
    case "identifier":
      return p.text;
    case "default_parameter":
    case "typed_default_parameter":
      return p.childForFieldName("name")?.text;
    case "typed_parameter":
    case "list_splat_pattern":
    case "dictionary_splat_pattern": {
      const first = p.namedChildren[0];
      return first ? (first.type === "identifier" ? first.text : parameterName(first)) : undefined;
    }
    default:
      return undefined;
  }
}

/** The statement that stands for a definition in its block: the `decorated_definition` if decorated. */
export function definitionStatement(def: Node): Node {
  const parent = def.parent;
  return parent?.type === "decorated_definition" ? parent : def;
}

export function isAsyncDef(def: Node): boolean {
  return def.child(0)?.type === "async";
}

/** The nearest enclosing function or class definition (not counting `node` itself). */
export function enclosingDefinition(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "function_definition" || p.type === "class_definition") return p;
  }
  return undefined;
}

/** The first name of each decorator expression (`app` in `@app.task(...)`). */
export function decoratorRoots(statement: Node): string[] {
  const out: string[] = [];
  for (const d of statement.namedChildren) {
    if (d.type !== "decorator") continue;
    let e: Node | null | undefined = d.namedChildren[0];
    while (e && e.type !== "identifier") e = e.type === "call" ? e.childForFieldName("function") : e.type === "attribute" ? e.childForFieldName("object") : e.namedChildren[0];
    if (e) out.push(e.text);
  }
  return out;
}

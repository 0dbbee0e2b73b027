/**
 * Registrations: module-level definitions whose decorator records them in module state
 * (`REGISTRY[fn.__name__] = fn`, `HANDLERS.append(fn)`, a `global` it rebinds), the plugin pattern.
 * Python runs the decorator when the module is imported, so a function that only reads the registry
 * needs the registrations shipped with it, although none of them is named anywhere.
 */
import type { Node } from "web-tree-sitter";
import type { ModuleDefinition, ModuleIndex } from "./moduleDefinitions";
import { decoratorRoots } from "./syntax";

/** A definition statement and the index of the module it is in. */
export interface DefinitionInModule {
  statement: Node;
  index: ModuleIndex;
}

/** The definition a name imported by `def` stands for, in another module of the project, when it can be found. */
export type ImportedDefinition = (def: ModuleDefinition, name: string) => DefinitionInModule | undefined;

/** Methods that change the container they are called on (`REGISTRY.register(fn)` included). */
const MUTATORS = new Set(["append", "add", "update", "setdefault", "extend", "insert", "__setitem__", "register"]);

/**
 * The module-level names a decorated definition's decorators write to (names of the decorator's own
 * module), or undefined when `statement` registers nothing.
 */
export function registryOf(statement: Node, index: ModuleIndex, imported: ImportedDefinition): string[] | undefined {
  if (statement.type !== "decorated_definition") return undefined;
  const written = new Set<string>();
  for (const root of decoratorRoots(statement)) {
    for (const def of index.byName.get(root) ?? []) {
      const found = def.kind === "function" ? { statement: def.statement, index } : def.kind === "import" ? imported(def, root) : undefined;
      if (found) for (const name of writtenState(found.statement, found.index)) written.add(name);
    }
  }
  return written.size > 0 ? [...written] : undefined;
}

/** Module-level names a function (its nested functions included: decorator factories) writes to when it runs. */
function writtenState(fn: Node, index: ModuleIndex): string[] {
  const out: string[] = [];
  const state = (target: Node | null) => {
    const root = rootName(target);
    if (root !== undefined && index.byName.get(root)?.some((d) => d.kind === "constant" || d.kind === "block")) out.push(root);
  };
  for (const n of fn.descendantsOfType(["global_statement", "assignment", "augmented_assignment", "call"])) {
    if (!n) continue;
    if (n.type === "global_statement") {
      for (const id of n.namedChildren) if (id.type === "identifier") out.push(id.text);
    } else if (n.type === "call") {
      const f = n.childForFieldName("function");
      if (f?.type === "attribute" && MUTATORS.has(f.childForFieldName("attribute")?.text ?? "")) state(f.childForFieldName("object"));
    } else {
      const left = n.childForFieldName("left");
      if (left?.type === "subscript" || left?.type === "attribute") state(left);
    }
  }
  return out;
}

/** `REGISTRY` of `REGISTRY[a].b`. */
function rootName(node: Node | null): string | undefined {
  let n = node;
  while (n && (n.type === "subscript" || n.type === "attribute")) n = n.childForFieldName(n.type === "subscript" ? "value" : "object");
  return n?.type === "identifier" ? n.text : undefined;
}

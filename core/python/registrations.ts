/**
 * Registrations: module-level definitions whose decorator records them in module state
 * (`REGISTRY[fn.__name__] = fn`, `HANDLERS.append(fn)`, a `global` it rebinds), the plugin pattern.
 * Python runs the decorator when the module is imported, so a function that reads the registry needs
 * the registrations shipped with it, although none of them is named anywhere.
 */
import type { Node } from "web-tree-sitter";
import type { ModuleDefinition, ModuleIndex } from "./moduleDefinitions";

/** A definition statement and the index of the module it is in. */
export interface DefinitionInModule {
  statement: Node;
  index: ModuleIndex;
}

/** The definition a name imported by `def` stands for, in another module of the project, when it can be found. */
export type ImportedDefinition = (def: ModuleDefinition, name: string) => DefinitionInModule | undefined;

/** Methods that change the container they are called on (`REGISTRY.register(fn)` included). */
const MUTATORS = new Set(["append", "add", "update", "setdefault", "extend", "insert", "__setitem__", "register"]);

/** What a registration writes to: names of the decorator's module, and the decorators' own statements. */
export interface Registry {
  names: string[];
  decorators: Node[];
}

/**
 * The module-level names a decorated definition's decorators write to when it is decorated (names of the
 * decorator's own module), with those decorators, or undefined when `statement` registers nothing. Only
 * what runs at decoration counts: the decorator's own body (with `@factory(…)`, also the body of the
 * function the factory makes), never a wrapper it returns, whose writes (a timing list, a cache) happen
 * when the function is called.
 */
export function registryOf(statement: Node, index: ModuleIndex, imported: ImportedDefinition): Registry | undefined {
  if (statement.type !== "decorated_definition") return undefined;
  const written = new Set<string>();
  const decorators: Node[] = [];
  for (const { root, factory } of index.needs.memo(statement, decoratorCalls)) {
    for (const def of index.byName.get(root) ?? []) {
      const found = def.kind === "function" ? { statement: def.statement, index } : def.kind === "import" ? imported(def, root) : undefined;
      const names = found ? writtenAtDecoration(found.statement, found.index, factory) : [];
      for (const name of names) written.add(name);
      if (names.length > 0) decorators.push(found!.statement);
    }
  }
  return written.size > 0 ? { names: [...written], decorators } : undefined;
}

/**
 * Each decorator's first name and whether it is called (`@factory(…)`). Memoised per statement text
 * (StatementNeedsCache): a file's every function asks about every decorated definition in it.
 */
function decoratorCalls(statement: Node): { root: string; factory: boolean }[] {
  const out: { root: string; factory: boolean }[] = [];
  for (const d of statement.namedChildren) {
    if (d.type !== "decorator") continue;
    const expression = d.namedChildren[0];
    const root = expression && rootName(expression.type === "call" ? expression.childForFieldName("function") : expression);
    if (root !== undefined) out.push({ root, factory: expression!.type === "call" });
  }
  return out;
}

/** Module-level names the function writes in its own body (and, for a factory, in the bodies of the functions it defines). */
function writtenAtDecoration(statement: Node, index: ModuleIndex, factory: boolean): string[] {
  const written = index.needs.memo(statement, factory ? factoryWrites : decoratorWrites);
  return written.filter((name) => index.byName.get(name)?.some((d) => d.kind === "constant" || d.kind === "block"));
}

/** What a function's own body writes (memoised per statement text). */
const decoratorWrites = (statement: Node): string[] => bodyWrites(statement, 0);
/** The same, and what the functions it defines write in their own bodies. */
const factoryWrites = (statement: Node): string[] => bodyWrites(statement, 1);

function bodyWrites(statement: Node, levels: number): string[] {
  const fn = statement.type === "decorated_definition" ? statement.childForFieldName("definition") : statement;
  const body = fn?.childForFieldName("body");
  return body ? stateWrites(body, levels) : [];
}

/**
 * The names whose state the code under `node` changes when it runs (`NAME[k] = v`, `NAME.x = v`,
 * `NAME.append(v)`, `global NAME`), not looking into the functions, lambdas and classes it defines, but
 * `levels` deep into the bodies of the functions it defines.
 */
export function stateWrites(node: Node, levels = 0): string[] {
  const out: string[] = [];
  const state = (target: Node | null) => {
    const root = rootName(target);
    if (root !== undefined) out.push(root);
  };
  const check = (n: Node): void => {
    if (n.type === "global_statement") {
      for (const id of n.namedChildren) if (id.type === "identifier") out.push(id.text);
    } else if (n.type === "call") {
      const f = n.childForFieldName("function");
      if (f?.type === "attribute" && MUTATORS.has(f.childForFieldName("attribute")?.text ?? "")) state(f.childForFieldName("object"));
    } else if (n.type === "assignment" || n.type === "augmented_assignment") {
      const left = n.childForFieldName("left");
      if (left?.type === "subscript" || left?.type === "attribute") state(left);
    }
  };
  const visit = (node: Node, levels: number): void => {
    for (const n of node.namedChildren) {
      const def = n.type === "decorated_definition" ? n.childForFieldName("definition") : n;
      if (def?.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") {
        const body = def?.type === "function_definition" ? def.childForFieldName("body") : null;
        if (levels > 0 && body) visit(body, levels - 1);
        continue;
      }
      check(n);
      visit(n, levels);
    }
  };
  check(node);
  visit(node, levels);
  return out;
}

/** `REGISTRY` of `REGISTRY[a].b`, `app` of `app.register`. */
function rootName(node: Node | null): string | undefined {
  let n = node;
  while (n && (n.type === "subscript" || n.type === "attribute")) n = n.childForFieldName(n.type === "subscript" ? "value" : "object");
  return n?.type === "identifier" ? n.text : undefined;
}

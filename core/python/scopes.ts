import type { Node } from "web-tree-sitter";
import { parameterName } from "./syntax";
import { MAX_ANALYSIS_DEPTH, TooDeepError } from "./tooDeep";

/**
 * Python name binding, as far as the dependency closure needs it: which names a piece of code binds
 * and which it uses without binding (its free names). Follows Python's rules for function, lambda,
 * class and comprehension scopes, `global` and `nonlocal`; names bound in a class body are not
 * visible to the methods in it.
 */
export interface ScopeNames {
  /** Names bound in this scope itself (assignments, imports, defs, parameters, loop targets…). */
  bound: Set<string>;
  /** Names used but bound neither here nor in a nested scope, with the identifiers that use them. */
  free: Map<string, Node[]>;
  /** Names declared `global` here or in a nested scope: they refer to the module, skipping functions. */
  globals: Map<string, Node[]>;
  /** True when a `from x import *` is among the statements (its names cannot be known). */
  starImport: boolean;
  /** Names this code binds in the module through `global` (a function that creates a module variable). */
  assignsGlobal?: Set<string>;
  /** In a comprehension: names its `:=` binds, which belong to the enclosing function or module (PEP 572). */
  boundOutside?: Set<string>;
}

const COMPREHENSIONS = new Set(["list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"]);

const NESTED_SCOPES = new Set(["function_definition", "class_definition", "lambda", ...COMPREHENSIONS]);
/** Node types whose identifiers, at any depth, are binding targets (with attribute/subscript exceptions). */
const TARGET_CONTAINERS = new Set(["pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "parenthesized_expression", "list_splat_pattern", "expression_list"]);

/** Names of a function (its parameters bound), lambda, class body or comprehension. */
export function scopeNamesOf(scope: Node): ScopeNames {
  return new ScopeWalker().scope(scope);
}

/**
 * Names of top-level statements taken as one module-like scope (what they bind, what they need).
 * `functions`: the names of function scopes already known, by node id, used instead of walking them
 * again; function scopes walked are added to it.
 */
export function statementNames(statements: readonly Node[], functions?: Map<number, ScopeNames>): ScopeNames {
  const w = new ScopeWalker(functions);
  const s = newScope();
  for (const st of statements) w.walk(st, s);
  return w.finish(s);
}

interface Scope extends ScopeNames {
  isClass: boolean;
  refs: Map<string, Node[]>;
  /** In a class body: free names of its methods, which skip the class's own bindings. */
  passthrough: Map<string, Node[]>;
  declaredGlobal: Set<string>;
  /** `nonlocal` names with their declaring identifier: free even if only assigned (they are the enclosing binding). */
  declaredNonlocal: Map<string, Node>;
}

function newScope(isClass = false): Scope {
  return {
    isClass,
    passthrough: new Map(),
    bound: new Set(),
    free: new Map(),
    globals: new Map(),
    starImport: false,
    refs: new Map(),
    declaredGlobal: new Set(),
    declaredNonlocal: new Map(),
  };
}

function add(map: Map<string, Node[]>, name: string, nodes: readonly Node[]): void {
  const list = map.get(name);
  if (list) list.push(...nodes);
  else map.set(name, [...nodes]);
}

class ScopeWalker {
  /** Nesting of walk() calls, bounded (see TooDeepError). */
  private depth = 0;

  constructor(private readonly functions?: Map<number, ScopeNames>) {}

  scope(node: Node): ScopeNames {
    const known = this.functions?.get(node.id);
    if (known) return known;
    const names = this.walkScope(node);
    if (node.type === "function_definition") this.functions?.set(node.id, names);
    return names;
  }

  private walkScope(node: Node): ScopeNames {
    const s = newScope(node.type === "class_definition");
    if (COMPREHENSIONS.has(node.type)) s.boundOutside = new Set();
    switch (node.type) {
      case "function_definition":
      case "lambda": {
        const params = node.childForFieldName("parameters");
        if (params) this.parameters(params, s);
        const body = node.childForFieldName("body");
        if (body) this.walk(body, s);
        break;
      }
      case "class_definition": {
        const body = node.childForFieldName("body");
        if (body) this.walk(body, s);
        break;
      }
      default:
        // Comprehensions: targets of every `for` clause are local, everything else is walked inside.
        for (const child of node.namedChildren) {
          if (child.type === "for_in_clause") {
            const left = child.childForFieldName("left");
            if (left) this.target(left, s);
            for (const r of child.childrenForFieldName("right")) this.walk(r, s);
          } else {
            this.walk(child, s);
          }
        }
    }
    return this.finish(s);
  }

  finish(s: Scope): ScopeNames {
    for (const name of s.declaredGlobal) if (s.bound.delete(name)) (s.assignsGlobal ??= new Set()).add(name);
    for (const name of s.declaredNonlocal.keys()) s.bound.delete(name);
    for (const [name, nodes] of s.refs) {
      if (s.declaredGlobal.has(name)) add(s.globals, name, nodes);
      else if (!s.bound.has(name)) add(s.free, name, nodes);
    }
    for (const [name, node] of s.declaredNonlocal) if (!s.free.has(name)) add(s.free, name, [node]);
    for (const [name, nodes] of s.passthrough) add(s.free, name, nodes);
    const names: ScopeNames = { bound: s.bound, free: s.free, globals: s.globals, starImport: s.starImport };
    if (s.boundOutside) names.boundOutside = s.boundOutside;
    if (s.assignsGlobal) names.assignsGlobal = s.assignsGlobal;
    return names;
  }

  /** Merges a nested scope's unresolved names into the enclosing scope. */
  private nested(node: Node, s: Scope): void {
    const inner = this.scope(node);
    // Free names of a nested scope resolve here like the scope's own uses, except that nothing nested
    // in a class body sees the names bound there.
    const into = s.isClass ? s.passthrough : s.refs;
    for (const [name, nodes] of inner.free) add(into, name, nodes);
    for (const [name, nodes] of inner.globals) add(s.globals, name, nodes);
    for (const name of inner.assignsGlobal ?? []) (s.assignsGlobal ??= new Set()).add(name);
    for (const name of inner.boundOutside ?? []) {
      s.bound.add(name);
      s.boundOutside?.add(name);
    }
  }

  walk(node: Node, s: Scope): void {
    if (++this.depth > MAX_ANALYSIS_DEPTH) throw new TooDeepError();
    try {
      this.walkNode(node, s);
    } finally {
      this.depth--;
    }
  }

  private walkNode(node: Node, s: Scope): void {
    const type = node.type;
    if (NESTED_SCOPES.has(type)) return this.nestedScope(node, s);
    switch (type) {
      case "identifier":
        add(s.refs, node.text, [node]);
        return;
      case "attribute": {
        const obj = node.childForFieldName("object");
        if (obj) this.walk(obj, s);
        return;
      }
      case "keyword_argument": {
        const value = node.childForFieldName("value");
        if (value) this.walk(value, s);
        return;
      }
      case "import_statement":
      case "import_from_statement":
      case "future_import_statement":
        this.imports(node, s);
        return;
      case "global_statement":
        for (const id of node.namedChildren) if (id.type === "identifier") s.declaredGlobal.add(id.text);
        return;
      case "nonlocal_statement":
        for (const id of node.namedChildren) if (id.type === "identifier") s.declaredNonlocal.set(id.text, id);
        return;
      case "assignment":
      case "augmented_assignment": {
        const left = node.childForFieldName("left");
        if (left) this.target(left, s);
        // `n += 1` reads n as well.
        if (left && type === "augmented_assignment") this.walk(left, s);
        for (const field of ["type", "right"]) {
          const v = node.childForFieldName(field);
          if (v) this.walk(v, s);
        }
        return;
      }
      case "for_statement": {
        const left = node.childForFieldName("left");
        if (left) this.target(left, s);
        for (const c of node.namedChildren) if (c.id !== left?.id) this.walk(c, s);
        return;
      }
      case "as_pattern": {
        // `with x as y`, `except E as e`, and in a match, `case <pattern> as name`: only the alias binds.
        // (The grammar names the alias as a field except in a match, where it is the last child.)
        const alias = node.childForFieldName("alias") ?? (node.parent?.type === "case_pattern" ? node.lastNamedChild : null);
        for (const c of node.namedChildren) if (c.id !== alias?.id) this.walk(c, s);
        if (alias?.type === "identifier") s.bound.add(alias.text);
        else if (alias) this.walk(alias, s);
        return;
      }
      case "splat_pattern":
        // `**rest` of a mapping pattern (a sequence's `*rest` is handled in its case_pattern).
        for (const c of node.namedChildren) this.target(c, s);
        return;
      case "as_pattern_target":
      case "delete_statement":
        for (const c of node.namedChildren) this.target(c, s);
        return;
      case "named_expression": {
        const name = node.childForFieldName("name");
        if (name) s.bound.add(name.text);
        if (name) s.boundOutside?.add(name.text);
        const value = node.childForFieldName("value");
        if (value) this.walk(value, s);
        return;
      }
      case "case_pattern":
        this.casePattern(node, s);
        return;
      case "type_alias_statement":
        this.typeAlias(node, s);
        return;
      case "decorated_definition":
      default:
        for (const c of node.namedChildren) this.walk(c, s);
    }
  }

  private nestedScope(node: Node, s: Scope): void {
    if (node.type === "function_definition" || node.type === "class_definition") {
      const name = node.childForFieldName("name");
      if (name) s.bound.add(name.text);
    }
    // A generic def or class (PEP 695) sees its type parameters in its annotations, bases and body.
    const typeParams = typeParameters(node.childForFieldName("type_parameters"));
    // Like a class body, the parameters' scope keeps the body's free names apart from its own uses.
    const outer = typeParams ? newScope(true) : s;
    if (typeParams) for (const bound of typeParams.bounds) this.walk(bound, outer);
    // Defaults are evaluated in the enclosing scope; annotations, return types and base classes too,
    // unless type parameters are in between.
    if (node.type === "function_definition" || node.type === "lambda") {
      const params = node.childForFieldName("parameters");
      for (const p of params?.namedChildren ?? []) {
        const value = p.childForFieldName("value");
        if (value) this.walk(value, s);
        const annotation = p.childForFieldName("type");
        if (annotation) this.walk(annotation, outer);
      }
      const ret = node.childForFieldName("return_type");
      if (ret) this.walk(ret, outer);
    } else if (node.type === "class_definition") {
      const bases = node.childForFieldName("superclasses");
      if (bases) this.walk(bases, outer);
    }
    this.nested(node, outer);
    if (typeParams) this.resolveTypeParameters(outer, typeParams.names, s);
  }

  /** `type Name[T] = value` (PEP 695): binds Name; the value is evaluated lazily, seeing T. */
  private typeAlias(node: Node, s: Scope): void {
    let left = node.childForFieldName("left")?.namedChildren[0];
    let typeParams: ReturnType<typeof typeParameters>;
    if (left?.type === "generic_type") {
      typeParams = typeParameters(left.namedChildren.find((c) => c.type === "type_parameter") ?? null);
      left = left.namedChildren[0];
    }
    if (left?.type === "identifier") s.bound.add(left.text);
    const value = node.childForFieldName("right");
    if (!value) return;
    if (!typeParams) return this.walk(value, s);
    const inner = newScope();
    for (const bound of typeParams.bounds) this.walk(bound, inner);
    this.walk(value, inner);
    this.resolveTypeParameters(inner, typeParams.names, s);
  }

  /** Names used in a type-parameter scope resolve to its parameters, else in the enclosing scope. */
  private resolveTypeParameters(inner: Scope, names: ReadonlySet<string>, s: Scope): void {
    for (const [name, nodes] of inner.refs) if (!names.has(name)) add(s.refs, name, nodes);
    for (const [name, nodes] of inner.passthrough) if (!names.has(name)) add(s.isClass ? s.passthrough : s.refs, name, nodes);
    for (const [name, nodes] of inner.globals) add(s.globals, name, nodes);
  }

  private parameters(params: Node, s: Scope): void {
    for (const p of params.namedChildren) {
      const name = parameterName(p);
      if (name) s.bound.add(name);
    }
  }

  /** An assignment target: identifiers bind; attribute and subscript targets only use names. */
  private target(node: Node, s: Scope): void {
    if (node.type === "identifier") s.bound.add(node.text);
    else if (TARGET_CONTAINERS.has(node.type)) for (const c of node.namedChildren) this.target(c, s);
    else this.walk(node, s);
  }

  private imports(node: Node, s: Scope): void {
    if (node.type === "future_import_statement") return;
    for (const name of node.childrenForFieldName("name")) {
      const bound = importedName(name, node.type === "import_statement");
      if (bound) s.bound.add(bound);
    }
    if (node.namedChildren.some((c) => c.type === "wildcard_import")) s.starImport = true;
  }

  private casePattern(node: Node, s: Scope): void {
    for (const c of node.namedChildren) {
      if (c.type === "dotted_name") {
        // A bare name captures; a dotted one (Color.RED) is a value looked up.
        if (c.namedChildCount === 1) s.bound.add(c.text);
        else this.walk(c.namedChildren[0]!, s);
      } else if (c.type === "splat_pattern" || c.type === "keyword_pattern") {
        const ids = c.namedChildren;
        const captured = c.type === "splat_pattern" ? ids[0] : ids[1];
        if (captured?.type === "identifier" || (captured?.type === "dotted_name" && captured.namedChildCount === 1)) s.bound.add(captured.text);
        else if (captured) this.walk(captured, s);
      } else if (c.type === "class_pattern") {
        const cls = c.namedChildren[0];
        if (cls?.type === "dotted_name") this.walk(cls.namedChildren[0]!, s);
        for (const sub of c.namedChildren.slice(1)) this.walk(sub, s);
      } else {
        this.walk(c, s);
      }
    }
  }
}

/** PEP 695 type parameters (`[T: Bound, *Ts, **P]`): their names, and the bounds and constraints to walk. */
function typeParameters(list: Node | null): { names: Set<string>; bounds: Node[] } | undefined {
  if (!list) return undefined;
  const names = new Set<string>();
  const bounds: Node[] = [];
  for (const param of list.namedChildren) {
    const inner = param.type === "type" ? param.namedChildren[0] : param;
    if (inner?.type === "identifier") names.add(inner.text);
    else if (inner?.type === "splat_type") {
      const id = inner.namedChildren.find((c) => c.type === "identifier");
      if (id) names.add(id.text);
    } else if (inner?.type === "constrained_type") {
      const [name, ...rest] = inner.namedChildren;
      const id = name?.type === "type" ? name.namedChildren[0] : name;
      if (id?.type === "identifier") names.add(id.text);
      bounds.push(...rest);
    }
  }
  return { names, bounds };
}

/** The name an import binds: `import a.b` binds `a`; `import a.b as c` and `from m import x as c` bind `c`. */
export function importedName(name: Node, plainImport: boolean): string | undefined {
  if (name.type === "aliased_import") return name.childForFieldName("alias")?.text;
  if (name.type === "dotted_name") return plainImport ? name.namedChildren[0]?.text : name.text;
  return undefined;
}

/** The attribute paths read from a name at `uses` ("" for a use of the name itself). */
export function attributeChains(uses: readonly Node[]): Set<string> {
  const out = new Set<string>();
  for (const use of uses) {
    const parts: string[] = [];
    let n = use;
    for (let p = n.parent; p?.type === "attribute" && p.childForFieldName("object")?.id === n.id; p = p.parent) {
      const attr = p.childForFieldName("attribute");
      if (!attr) break;
      parts.push(attr.text);
      n = p;
    }
    out.add(parts.join("."));
  }
  return out;
}


import type { Node } from "web-tree-sitter";
import { definitionStatement, enclosingDefinition, isAsyncDef, parameterName, type OffsetRange } from "./syntax";

export type ParameterKind = "positional-only" | "normal" | "*args" | "keyword-only" | "**kwargs";

export interface FunctionParameter {
  name: string;
  kind: ParameterKind;
  /** Source text of the default value, if any. */
  default?: string;
  /** Source text of the annotation, if any. */
  annotation?: string;
}

export interface FunctionSignature {
  parameters: FunctionParameter[];
  /** Source text of the return annotation, if any. */
  returns?: string;
}

export interface FunctionInfo {
  name: string;
  /** Python's `__qualname__`: `C.method`, `outer.<locals>.inner`. */
  qualifiedName: string;
  ranges: {
    /** The whole definition including its decorators. */
    definition: OffsetRange;
    /** From `def` (or `async`) to the end, without decorators. */
    def: OffsetRange;
    name: OffsetRange;
    body: OffsetRange;
  };
  /** The definition with its decorators, dedented to column 0, line endings as in the file. */
  source: string;
  signature: FunctionSignature;
  /** Decorator expressions as written, without the `@`. */
  decorators: string[];
  docstring?: string;
  isAsync: boolean;
  /** Defined directly in a class body. */
  isMethod: boolean;
  /** Qualified name of the function it is nested in (its locals may be closed over). */
  enclosingFunction?: string;
  /** The definition contains a syntax error (tree-sitter recovered around it). */
  hasSyntaxError: boolean;
}

/**
 * Where a cursor points in `text`: a cursor right of a line's code (after its last character, or in its
 * trailing blanks) means that line, so its last code character is used. Otherwise a cursor after the last
 * line of a def — where a click at the end of `return x * 2` puts it — would fall past the def's end.
 */
export function cursorAnchor(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && isBlank(text.charCodeAt(end))) end++;
  if (end < text.length && text[end] !== "\n") return offset; // code follows on this line
  let last = offset - 1;
  while (last >= 0 && isBlank(text.charCodeAt(last))) last--;
  return last >= 0 && text[last] !== "\n" ? last : offset;
}

/** Space, tab, carriage return, form feed, vertical tab: blanks within a line. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

/**
 * The innermost function definition containing `offset` (decorators count as part of it). With `text`,
 * a cursor right of a line's code counts as on that line (see cursorAnchor).
 */
export function functionNodeAt(root: Node, offset: number, text?: string): Node | undefined {
  const at = text === undefined ? offset : cursorAnchor(text, offset);
  let node: Node | null = root.descendantForIndex(at, at);
  for (; node; node = node.parent) {
    if (node.type === "function_definition") return node;
    if (node.type === "decorated_definition") {
      const def = node.childForFieldName("definition");
      if (def?.type === "function_definition") return def;
    }
  }
  return undefined;
}

export function functionAt(root: Node, text: string, offset: number): FunctionInfo | undefined {
  const node = functionNodeAt(root, offset, text);
  return node ? describeFunction(node, text) : undefined;
}

/** Node types that can contain a def; expressions are skipped, which keeps listing cheap on big files. */
const MAY_CONTAIN_DEFS = /(?:definition|statement|clause)$|^(?:block|ERROR)$/;

/** Whether a node of this type may have a function definition inside it. */
export function mayContainDefinitions(type: string): boolean {
  return MAY_CONTAIN_DEFS.test(type);
}

/** A function definition and what encloses it. */
export interface ListedFunction {
  def: Node;
  /** Its decorated_definition, or the def itself (see definitionStatement). */
  statement: Node;
  /** The kind of its nearest enclosing definition (see enclosingDefinition), if any. */
  owner?: "function_definition" | "class_definition";
  /** The nearest enclosing function, listed before it. */
  outer?: ListedFunction;
  /** See FunctionInfo.qualifiedName. */
  qualifiedName: string;
  /** See FunctionInfo.enclosingFunction. */
  enclosingFunction?: string;
}

/**
 * Every function definition in `root` (itself included; module level, methods and nested), in source
 * order. A cursor walk without recursion: no node object is made except for the definitions, and any
 * depth of nesting is fine.
 */
export function functionsIn(root: Node): ListedFunction[] {
  const out: ListedFunction[] = [];
  // The definitions enclosing the cursor: depth, qualified name, and the nearest function at or above them.
  const enclosing: { depth: number; type: "function_definition" | "class_definition"; qualifiedName: string; fn?: ListedFunction }[] = [];
  // The decorated definitions enclosing the cursor, with their depth.
  const decorated: { depth: number; node: Node }[] = [];
  const cursor = root.walk();
  try {
    let depth = 0;
    for (;;) {
      while (enclosing.length && enclosing[enclosing.length - 1].depth >= depth) enclosing.pop();
      while (decorated.length && decorated[decorated.length - 1].depth >= depth) decorated.pop();
      const type = cursor.nodeType;
      if (depth === 0 || (cursor.nodeIsNamed && MAY_CONTAIN_DEFS.test(type))) {
        if (type === "decorated_definition") decorated.push({ depth, node: cursor.currentNode });
        if (type === "function_definition" || type === "class_definition") {
          const node = cursor.currentNode;
          const around = enclosing[enclosing.length - 1];
          const name = node.childForFieldName("name")?.text ?? "?";
          const qualifiedName = around ? `${around.qualifiedName}${around.type === "function_definition" ? ".<locals>" : ""}.${name}` : name;
          let fn = around?.fn;
          if (type === "function_definition") {
            const parent = decorated[decorated.length - 1];
            fn = {
              def: node,
              statement: parent?.depth === depth - 1 ? parent.node : node,
              qualifiedName,
              ...(around ? { owner: around.type } : {}),
              ...(around?.fn ? { outer: around.fn } : {}),
              ...(around?.type === "function_definition" ? { enclosingFunction: around.qualifiedName } : {}),
            };
            out.push(fn);
          }
          enclosing.push({ depth, type, qualifiedName, ...(fn ? { fn } : {}) });
        }
        if (cursor.gotoFirstChild()) {
          depth++;
          continue;
        }
      }
      for (;;) {
        if (depth === 0) return out;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** `listed`: what functionsIn found about `def`, which spares walking up the tree (see functionsIn). */
export function describeFunction(def: Node, text: string, listed?: ListedFunction): FunctionInfo {
  return withSource(functionFacts(def, listed), 0, text);
}

/** A FunctionInfo but its source, with ranges relative to `base`: it depends on the statement's text alone. */
export type FunctionFacts = Omit<FunctionInfo, "source">;

/** The FunctionFacts of each function a top-level statement defines (see StatementNeedsCache.memo). */
export function functionFactsIn(statement: Node): FunctionFacts[] {
  return functionsIn(statement).map((f) => functionFacts(f.def, f, statement.startIndex));
}

function functionFacts(def: Node, listed?: ListedFunction, base = 0): FunctionFacts {
  const statement = listed?.statement ?? definitionStatement(def);
  const nameNode = def.childForFieldName("name")!;
  const body = def.childForFieldName("body");
  const owner = listed ? listed.owner : enclosingDefinition(def)?.type;
  const enclosingFunction = listed ? listed.enclosingFunction : owner === "function_definition" ? qualifiedName(enclosingDefinition(def)!) : undefined;
  const decorators = statement.id === def.id ? [] : statement.namedChildren.filter((c) => c.type === "decorator");
  const docstring = docstringOf(body);
  const relative = (start: number, end: number) => ({ start: start - base, end: end - base });
  return {
    name: nameNode.text,
    qualifiedName: listed?.qualifiedName ?? qualifiedName(def),
    ranges: {
      definition: relative(statement.startIndex, statement.endIndex),
      def: relative(def.startIndex, def.endIndex),
      name: relative(nameNode.startIndex, nameNode.endIndex),
      body: body ? relative(body.startIndex, body.endIndex) : relative(def.endIndex, def.endIndex),
    },
    signature: signatureOf(def),
    decorators: decorators.map((d) => d.text.replace(/^@\s*/, "")),
    ...(docstring !== undefined ? { docstring } : {}),
    isAsync: isAsyncDef(def),
    isMethod: owner === "class_definition",
    ...(enclosingFunction !== undefined ? { enclosingFunction } : {}),
    hasSyntaxError: statement.hasError,
  };
}

/** The FunctionInfo of facts whose ranges are relative to `base` in `text`. */
export function withSource(facts: FunctionFacts, base: number, text: string): FunctionInfo {
  const at = (r: OffsetRange) => ({ start: base + r.start, end: base + r.end });
  const { name, qualifiedName: qualified, ranges, signature, decorators, ...rest } = facts;
  const definition = at(ranges.definition);
  return {
    name,
    qualifiedName: qualified,
    ranges: { definition, def: at(ranges.def), name: at(ranges.name), body: at(ranges.body) },
    // Made when asked for: listing the functions of a file of deeply nested ones would copy it for each.
    get source() {
      return dedentedSource(definition.start, definition.end, text);
    },
    signature,
    decorators,
    ...rest,
  };
}

export function qualifiedName(def: Node): string {
  const parts = [def.childForFieldName("name")?.text ?? "?"];
  for (let p = enclosingDefinition(def); p; p = enclosingDefinition(p)) {
    const name = p.childForFieldName("name")?.text ?? "?";
    parts.unshift(p.type === "function_definition" ? `${name}.<locals>` : name);
  }
  return parts.join(".");
}

/**
 * The statement's text moved to column 0: the indentation of its first line is removed from every
 * line that starts with it (lines inside multi-line strings that do not are left alone).
 */
export function dedentedSource(start: number, end: number, text: string): string {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const indent = text.slice(lineStart, start);
  const source = text.slice(start, end);
  if (indent === "" || /\S/.test(indent)) return source;
  return source
    .split("\n")
    .map((line, i) => (i > 0 && line.startsWith(indent) ? line.slice(indent.length) : line))
    .join("\n");
}

function signatureOf(def: Node): FunctionSignature {
  const params = def.childForFieldName("parameters")?.namedChildren ?? [];
  const slash = params.findIndex((p) => p.type === "positional_separator");
  let kind: ParameterKind = slash >= 0 ? "positional-only" : "normal";
  const parameters: FunctionParameter[] = [];
  for (const p of params) {
    if (p.type === "positional_separator") {
      kind = "normal";
      continue;
    }
    if (p.type === "keyword_separator") {
      kind = "keyword-only";
      continue;
    }
    const name = parameterName(p);
    if (name === undefined) continue;
    const star = p.type === "list_splat_pattern" || p.namedChildren[0]?.type === "list_splat_pattern";
    const starStar = p.type === "dictionary_splat_pattern" || p.namedChildren[0]?.type === "dictionary_splat_pattern";
    const value = p.childForFieldName("value")?.text;
    const annotation = p.childForFieldName("type")?.text;
    parameters.push({
      name,
      kind: star ? "*args" : starStar ? "**kwargs" : kind,
      ...(value !== undefined ? { default: value } : {}),
      ...(annotation !== undefined ? { annotation } : {}),
    });
    if (star) kind = "keyword-only";
  }
  const returns = def.childForFieldName("return_type")?.text;
  return { parameters, ...(returns !== undefined ? { returns } : {}) };
}

/** The docstring as `inspect.cleandoc` shows it (escapes are left as written). */
function docstringOf(body: Node | null): string | undefined {
  const first = body?.namedChildren[0];
  const str = first?.type === "expression_statement" ? first.namedChildren[0] : undefined;
  if (str?.type !== "string") return undefined;
  const raw = str.namedChildren
    .filter((c) => c.type === "string_content" || c.type === "escape_sequence")
    .map((c) => c.text)
    .join("");
  return cleandoc(raw.replace(/\r\n/g, "\n"));
}

function cleandoc(doc: string): string {
  const lines = doc.replace(/\t/g, "        ").split("\n");
  const rest = lines.slice(1).filter((l) => l.trim() !== "");
  const margin = rest.length ? Math.min(...rest.map((l) => l.length - l.trimStart().length)) : 0;
  const out = [lines[0].trimStart(), ...lines.slice(1).map((l) => l.slice(margin))];
  while (out.length && out[out.length - 1].trim() === "") out.pop();
  while (out.length && out[0].trim() === "") out.shift();
  return out.join("\n");
}

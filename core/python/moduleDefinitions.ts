import type { Node } from "web-tree-sitter";
import { importItemsOf, type ImportItem } from "./importItems";
import { importedName, statementNames } from "./scopes";
import { detached, StatementNeedsCache, type StatementNeeds } from "./statementAnalysis";
import { MAX_ANALYSIS_DEPTH, TooDeepError, unlessTooDeep } from "./tooDeep";

export type DefinitionKind = "import" | "function" | "class" | "constant" | "block";

/** Why a module-level definition cannot be shipped with a function. Stable codes. */
export type UnshippableReason =
  | "COMPUTED_AT_IMPORT" // a value made by running code (a call, a loop, a with block…)
  | "CONDITIONAL_DEFINITION" // bound inside an if/try that also runs other code
  | "MAIN_BLOCK_ONLY" // bound only under `if __name__ == "__main__":`
  | "RELATIVE_IMPORT" // `from . import x`: no package exists around the shipped source
  | "TOO_DEEP"; // nested too deeply to analyse

/** A top-level statement that binds names, and whether its text can run on the endpoint. */
export interface ModuleDefinition {
  statement: Node;
  kind: DefinitionKind;
  binds: string[];
  /**
   * For an import: the statement text for a subset of its names, so only the names used are shipped;
   * `module` replaces the module as written (a relative import made absolute).
   */
  importText?: (names: ReadonlySet<string>, module?: string) => string;
  /** For an import: what it brings in, name by name. */
  items?: ImportItem[];
  unshippable?: { reason: UnshippableReason; message: string };
  /** Contains a `from x import *` (possibly inside an if/try), so it may bind any name. */
  starImport?: boolean;
  /** Memo of what the statement needs (see StatementNeedsCache), filled on first use. */
  needs?: StatementNeeds;
}

export interface ModuleIndex {
  /** Definitions binding each name, in source order (a name may be bound more than once). */
  byName: Map<string, ModuleDefinition[]>;
  /** `from x import *` statements (their names are unknown). */
  starImports: ModuleDefinition[];
  /** `from __future__ import …`: they change how the whole source compiles, so always shipped. */
  futureImports: Node[];
  /** Shared with later versions of the same text (see StatementNeedsCache). */
  needs: StatementNeedsCache;
  /** Some statements had syntax errors and were left out, so a name may be missing because of them. */
  hasBrokenStatements: boolean;
}

/** Expressions that only combine literals and names: safe and cheap to re-evaluate remotely. */
const SIMPLE_EXPRESSIONS = new Set([
  "integer",
  "float",
  "string",
  "string_start",
  "string_content",
  "string_end",
  "escape_sequence",
  "concatenated_string",
  "interpolation",
  "format_specifier",
  "format_expression",
  "type_conversion",
  "true",
  "false",
  "none",
  "ellipsis",
  "identifier",
  "attribute",
  "unary_operator",
  "binary_operator",
  "boolean_operator",
  "comparison_operator",
  "not_operator",
  "conditional_expression",
  "parenthesized_expression",
  "tuple",
  "list",
  "set",
  "dictionary",
  "pair",
  "expression_list",
  "subscript",
  "slice",
  "lambda",
  "lambda_parameters",
  "default_parameter",
  "keyword_argument",
]);

const COMPUTED = "is computed when the module is imported (it runs code), so its value does not exist on the endpoint";

export function indexModule(root: Node, needs = new StatementNeedsCache(), hasBrokenStatements = false): ModuleIndex {
  const index: ModuleIndex = { byName: new Map(), starImports: [], futureImports: [], needs, hasBrokenStatements };
  for (const statement of root.namedChildren) {
    if (statement.type === "future_import_statement") {
      index.futureImports.push(statement);
      continue;
    }
    const found = needs.memo(statement, definitionOf);
    if (!found) continue;
    const def: ModuleDefinition = { ...found, statement };
    if (def.starImport) {
      index.starImports.push(def);
    }
    for (const name of def.binds) {
      const list = index.byName.get(name);
      if (list) list.push(def);
      else index.byName.set(name, [def]);
    }
  }
  return index;
}

/** What a top-level statement defines, apart from the statement itself (it depends on the statement's text alone). */
function definitionOf(statement: Node): Omit<ModuleDefinition, "statement"> | undefined {
  const def = unlessTooDeep(() => describeStatement(statement)) ?? tooDeepStatement(statement);
  if (!def) return undefined;
  const { statement: _, ...rest } = def;
  return rest;
}

/** A statement too deep to analyse: what it binds is read from its first line's targets, and it is not shipped. */
function tooDeepStatement(statement: Node): ModuleDefinition | undefined {
  const binds = statement.type === "expression_statement" ? assignedNames(statement) : [];
  if (binds.length === 0) return undefined;
  return { statement, kind: "constant", binds, unshippable: { reason: "TOO_DEEP", message: "is nested too deeply to analyse, so it is not sent" } };
}

function describeStatement(statement: Node): ModuleDefinition | undefined {
  switch (statement.type) {
    case "import_statement":
    case "import_from_statement":
      return describeImport(statement);
    case "function_definition":
    case "class_definition":
    case "decorated_definition": {
      const def = statement.type === "decorated_definition" ? statement.childForFieldName("definition") : statement;
      const name = def?.childForFieldName("name")?.text;
      if (!def || !name) return undefined;
      return { statement, kind: def.type === "class_definition" ? "class" : "function", binds: [name] };
    }
    case "expression_statement": {
      const binds = assignedNames(statement);
      if (binds.length === 0) return undefined;
      const simple = isSimpleAssignment(statement);
      return {
        statement,
        kind: "constant",
        binds,
        ...(simple ? {} : { unshippable: { reason: "COMPUTED_AT_IMPORT", message: COMPUTED } }),
      };
    }
    case "delete_statement":
      // `del x` binds nothing: what the function uses is what was bound before (it is not shipped).
      return undefined;
    default: {
      const names = statementNames([statement]);
      if (names.bound.size === 0 && !names.starImport) return undefined;
      const unshippable = blockProblem(statement);
      return { statement, kind: "block", binds: [...names.bound], starImport: names.starImport, ...(unshippable ? { unshippable } : {}) };
    }
  }
}

/** Why a compound statement (if, try, for, with…) cannot be shipped, or undefined when it can. */
function blockProblem(statement: Node): ModuleDefinition["unshippable"] {
  if (isMainGuard(statement)) {
    return { reason: "MAIN_BLOCK_ONLY", message: 'is defined only when this file runs as a script (under if __name__ == "__main__")' };
  }
  const conditional = statement.type === "if_statement" || statement.type === "try_statement";
  if (conditional && isDeclarativeBlock(statement)) return undefined;
  // `with suppress(ImportError): import x`: the context manager runs on the endpoint too.
  const body = statement.type === "with_statement" ? statement.childForFieldName("body") : null;
  if (body && isDeclarativeBlock(body)) return undefined;
  return conditional
    ? { reason: "CONDITIONAL_DEFINITION", message: "is defined in a block at module level that also runs other code" }
    : { reason: "COMPUTED_AT_IMPORT", message: COMPUTED };
}

function describeImport(statement: Node): ModuleDefinition {
  const plain = statement.type === "import_statement";
  const moduleName = statement.childForFieldName("module_name");
  // Strings of their own, not the node: the definition outlives its tree and its text (see StatementNeedsCache).
  const moduleText = detached(moduleName?.text);
  const items = detached(
    statement
      .childrenForFieldName("name")
      .map((n) => ({ text: n.text, bound: importedName(n, plain) }))
      .filter((i): i is { text: string; bound: string } => i.bound !== undefined),
  );
  const starImport = statement.namedChildren.some((c) => c.type === "wildcard_import");
  const importText = (names: ReadonlySet<string>, module = moduleText) => {
    if (starImport) return `from ${module} import *`;
    const used = items.filter((i) => names.has(i.bound)).map((i) => i.text);
    return plain ? used.map((t) => `import ${t}`).join("\n") : `from ${module} import ${used.join(", ")}`;
  };
  const def: ModuleDefinition = { statement, kind: "import", binds: items.map((i) => i.bound), importText, starImport, items: importItemsOf(statement) };
  if (moduleName?.type === "relative_import") {
    def.unshippable = {
      reason: "RELATIVE_IMPORT",
      message: `comes from a relative import (${moduleText}), which cannot work in source sent on its own; import it by its absolute module name`,
    };
  }
  return def;
}

/** Names an expression statement assigns (`a = b = 1`, `x, y = …`, `n += 1`, `t: int = 0`). */
function assignedNames(statement: Node): string[] {
  const out: string[] = [];
  const targets = (n: Node): void => {
    if (n.type === "identifier") out.push(n.text);
    else if (n.type === "pattern_list" || n.type === "tuple_pattern" || n.type === "list_pattern" || n.type === "list_splat_pattern") n.namedChildren.forEach(targets);
  };
  for (let n: Node | null = statement.namedChildren[0]; n && (n.type === "assignment" || n.type === "augmented_assignment"); n = n.childForFieldName("right")) {
    const left = n.childForFieldName("left");
    if (left) targets(left);
  }
  return out;
}

function isSimpleAssignment(statement: Node): boolean {
  const assignment = statement.namedChildren[0];
  if (statement.namedChildCount !== 1 || assignment?.type !== "assignment") return false;
  const right = assignment.childForFieldName("right");
  if (!right) return true; // `x: int` binds nothing at run time
  return isSimpleExpression(right);
}

function isSimpleExpression(node: Node, depth = 0): boolean {
  if (!SIMPLE_EXPRESSIONS.has(node.type)) return false;
  if (depth > MAX_ANALYSIS_DEPTH) throw new TooDeepError();
  return node.namedChildren.every((c) => isSimpleExpression(c, depth + 1));
}

function isMainGuard(statement: Node): boolean {
  if (statement.type !== "if_statement") return false;
  const cond = statement.childForFieldName("condition")?.text.replace(/\s+/g, "") ?? "";
  return /^__name__==(['"])__main__\1$|^(['"])__main__\2==__name__$/.test(cond);
}

/** An if/try whose every statement only declares (imports, defs, simple assignments, pass). */
function isDeclarativeBlock(node: Node): boolean {
  for (const child of node.namedChildren) {
    switch (child.type) {
      case "block":
      case "else_clause":
      case "elif_clause":
      case "except_clause":
      case "finally_clause":
        if (!isDeclarativeBlock(child)) return false;
        break;
      case "import_statement":
      case "import_from_statement":
      case "function_definition":
      case "class_definition":
      case "decorated_definition":
      case "pass_statement":
      case "comment":
        break;
      case "expression_statement":
        if (!isSimpleAssignment(child) && !isSimpleExpression(child.namedChildren[0]!)) return false;
        break;
      case "if_statement":
      case "try_statement":
        if (!isDeclarativeBlock(child)) return false;
        break;
      case "with_statement":
        if (!isDeclarativeBlock(child.childForFieldName("body") ?? child)) return false;
        break;
      default:
        // Conditions and exception types: plain expressions are fine, anything that runs code is not.
        if (!isSimpleExpression(child) && child.type !== "as_pattern") return false;
    }
  }
  return true;
}

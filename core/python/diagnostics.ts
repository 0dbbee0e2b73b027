import { performance } from "node:perf_hooks";
import type { Node } from "web-tree-sitter";
import { directProblemsOf, type BundleProblem } from "./bundle";
import { nestedClosures, relative, type Closure } from "./closures";
import { functionsIn, mayContainDefinitions } from "./functions";
import type { ModuleDefinition, ModuleIndex } from "./moduleDefinitions";
import type { ProjectContext } from "./projectModules";
import { at } from "./statementAnalysis";
import { decoratorRoots, isAsyncDef, rangeOf, type OffsetRange } from "./syntax";

export type PythonDiagnosticCode = BundleProblem["code"] | "RELATIVE_PATH" | "SHIPPED" | "TIME_BUDGET";

export interface TextEdit {
  range: OffsetRange;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

export interface PythonDiagnostic {
  range: OffsetRange;
  /** "warning": will (likely) fail remotely; "information": what ships; "hint": not submittable. */
  severity: "warning" | "information" | "hint";
  code: PythonDiagnosticCode;
  message: string;
  fixes?: QuickFix[];
}

/** Calls whose first argument is a file path (by the called name's last part). */
const PATH_TAKING_CALLS = new Set([
  "open",
  "Path",
  "PurePath",
  "read_csv",
  "read_table",
  "read_excel",
  "read_json",
  "read_parquet",
  "read_feather",
  "read_hdf",
  "read_pickle",
  "read_fwf",
  "to_csv",
  "to_parquet",
  "to_excel",
  "to_json",
  "to_pickle",
  "loadtxt",
  "genfromtxt",
  "fromfile",
  "load",
  "save",
  "savez",
  "savetxt",
  "File",
  "open_dataset",
  "open_mfdataset",
  "open_zarr",
  "imread",
  "imwrite",
  "imsave",
  "savefig",
  "listdir",
  "scandir",
  "walk",
  "glob",
  "exists",
  "isfile",
  "isdir",
  "getsize",
  "remove",
  "makedirs",
  "mkdir",
  "copy",
  "copyfile",
  "move",
  "rmtree",
  "connect",
]);

/**
 * Lint rules for code about to be submitted: for each module-level function, what will not exist on
 * the endpoint (with quick fixes where one is obvious) and what will be shipped with it; for methods,
 * nested and async functions, why they cannot be submitted as they are.
 *
 * Linear in the file: each statement's own problems are found once and reported where they are (a
 * helper's undefined name once, not once per function that reaches the helper), and the "sends … with"
 * hint explores at most SHIPPED_EXPLORED names per function. What depends on a statement's text alone
 * is memoised (see StatementNeedsCache), so after an edit only the statements that changed are walked.
 */
export function lintPython(root: Node, text: string, index: ModuleIndex, project?: ProjectContext, deadline = Infinity): PythonDiagnostic[] {
  const out: PythonDiagnostic[] = [];
  const graph = new ShippedNames(index, project !== undefined);
  const entries: string[] = [];
  statements: for (const statement of root.namedChildren) {
    if (!mayContainDefinitions(statement.type)) continue;
    const base = statement.startIndex;
    for (const fn of index.needs.memo(statement, functionsOf)) {
      const name = at(base, fn.nameRange);
      // A time budget keeps the server answering while typing in a huge file: the rest is checked on submit.
      if (performance.now() > deadline) {
        out.push(hint(name, "TIME_BUDGET", `Globus Compute checked the functions above within its time budget; ${fn.name} and those below are checked when submitted`));
        break statements;
      }
      switch (fn.kind) {
        case "method":
          out.push(hint(name, "METHOD", `${fn.name} is a method: Globus Compute can only submit module-level functions`));
          continue;
        case "async":
          out.push(hint(name, "ASYNC_FUNCTION", `${fn.name} is async: Globus Compute can only submit plain functions`));
          continue;
        case "nested":
          for (const c of fn.closures) out.push(hint(at(base, c.range), "CLOSURE", c.message));
          continue;
      }
      const entry = { name: fn.name, nameRange: name, hasSyntaxError: fn.hasSyntaxError, decorators: fn.decorators };
      for (const p of directProblemsOf(statement, root, text, index, project, entry)) out.push(problemDiagnostic(p, fn, base, text));
      const needs = index.needs.needsOf(statement);
      entries.push(...needs.names.keys());
      const shipped = graph.from(fn.name, needs.names.keys());
      if (shipped.names.length) out.push(shippedDiagnostic(fn.name, shipped, name));
      for (const r of fn.relativePaths) out.push({ ...r, range: at(base, r.range) });
    }
  }
  // Classes, constants and blocks the functions reach: their own problems, once each.
  for (const def of graph.reachableFrom(entries)) {
    if (def.kind === "function" || def.kind === "import") continue;
    for (const p of directProblemsOf(def.statement, root, text, index, project)) out.push({ range: p.range, severity: "warning", code: p.code, message: p.message });
  }
  return out;
}

/** What linting needs of a function defined in a top-level statement; ranges are relative to the statement. */
interface LintedFunction {
  name: string;
  nameRange: OffsetRange;
  /** "function": the module-level function the statement defines. */
  kind: "function" | "method" | "async" | "nested";
  /** A nested function's uses of the locals of functions around it. */
  closures: readonly Closure[];
  /** The rest is for kind "function". */
  hasSyntaxError: boolean;
  decorators: string[];
  relativePaths: PythonDiagnostic[];
  /** Its first statement, where "Move into the function" inserts. */
  first?: { range: OffsetRange; isDocstring: boolean };
}

/** The functions a top-level statement defines, at any depth, in source order (see StatementNeedsCache.memo). */
function functionsOf(statement: Node): LintedFunction[] {
  const listed = functionsIn(statement);
  if (listed.length === 0) return [];
  const base = statement.startIndex;
  const closures = nestedClosures(statement, listed);
  const out: LintedFunction[] = [];
  for (const f of listed) {
    const name = f.def.childForFieldName("name");
    if (!name) continue;
    const kind = f.owner === "class_definition" ? "method" : isAsyncDef(f.def) ? "async" : f.statement.id === statement.id ? "function" : "nested";
    const nameRange = relative(base, name);
    const fn: LintedFunction = { name: name.text, nameRange, kind, closures: closures?.get(nameRange.start) ?? [], hasSyntaxError: false, decorators: [], relativePaths: [] };
    if (kind === "function") {
      const body = f.def.childForFieldName("body");
      const first = body?.namedChildren[0];
      fn.hasSyntaxError = statement.hasError;
      fn.decorators = statement.id === f.def.id ? [] : decoratorRoots(statement);
      fn.relativePaths = relativePaths(body).map((d) => ({ ...d, range: { start: d.range.start - base, end: d.range.end - base } }));
      if (first) fn.first = { range: relative(base, first), isDocstring: first.type === "expression_statement" && first.namedChildren[0]?.type === "string" };
    }
    out.push(fn);
  }
  return out;
}

/** How many shipped names the "sends … with" hint counts per function before it says "and many more". */
const SHIPPED_EXPLORED = 100;

/** The module-level names a function ships with it, transitively, as the bundle would (see BundleBuilder). */
class ShippedNames {
  /** Per name: where it is first defined and the names its shippable definitions need (undefined: not shipped). */
  private readonly memo = new Map<string, { at: number; needs: string[] } | null>();

  constructor(
    private readonly index: ModuleIndex,
    /** With the project known, a relative import is shipped (as its absolute form). */
    private readonly relativeImports: boolean,
  ) {}

  private node(name: string): { at: number; needs: string[] } | null {
    let n = this.memo.get(name);
    if (n !== undefined) return n;
    // An unshippable re-binding is not shipped; a relative import may be, with the project's modules.
    const defs = (this.index.byName.get(name) ?? []).filter((d) => !d.unshippable || (this.relativeImports && d.unshippable.reason === "RELATIVE_IMPORT"));
    n = defs.length ? { at: defs[0].statement.startIndex, needs: defs.flatMap((d) => [...this.needsOf(d)]) } : null;
    this.memo.set(name, n);
    return n;
  }

  private needsOf(def: ModuleDefinition): Iterable<string> {
    return def.kind === "import" ? [] : (def.needs ??= this.index.needs.needsOf(def.statement)).names.keys();
  }

  /** Names shipped with function `fn` whose free names are `names`: in source order, or in discovery order with `more` when there are too many to explore. */
  from(fn: string, names: Iterable<string>): { names: string[]; more: number | "many" } {
    const seen = new Set<string>([fn]);
    const queue: string[] = [];
    const visit = (n: string) => {
      if (seen.has(n)) return;
      seen.add(n);
      queue.push(n);
    };
    for (const n of names) visit(n);
    const found: { name: string; at: number }[] = [];
    for (let i = 0; i < queue.length; i++) {
      const node = this.node(queue[i]);
      if (!node) continue;
      found.push({ name: queue[i], at: node.at });
      if (found.length > SHIPPED_EXPLORED) return { names: found.slice(0, SHIPPED_NAMES_SHOWN).map((f) => f.name), more: "many" };
      for (const n of node.needs) visit(n);
    }
    found.sort((a, b) => a.at - b.at);
    return { names: found.slice(0, SHIPPED_NAMES_SHOWN).map((f) => f.name), more: Math.max(0, found.length - SHIPPED_NAMES_SHOWN) };
  }

  /** Every definition reachable from `names`, each once. */
  reachableFrom(names: Iterable<string>): Set<ModuleDefinition> {
    const seen = new Set<string>();
    const out = new Set<ModuleDefinition>();
    const queue = [...names];
    for (let i = 0; i < queue.length; i++) {
      const name = queue[i];
      if (seen.has(name)) continue;
      seen.add(name);
      for (const d of this.index.byName.get(name) ?? []) {
        if (d.unshippable) continue; // not shipped: its own uses do not matter
        out.add(d);
        for (const n of this.needsOf(d)) if (!seen.has(n)) queue.push(n);
      }
    }
    return out;
  }
}

function hint(range: OffsetRange, code: PythonDiagnosticCode, message: string): PythonDiagnostic {
  return { range, severity: "hint", code, message };
}

function problemDiagnostic(p: BundleProblem, fn: LintedFunction, base: number, text: string): PythonDiagnostic {
  const d: PythonDiagnostic = { range: p.range, severity: "warning", code: p.code, message: p.message };
  const movable = p.code === "COMPUTED_AT_IMPORT" || p.code === "CONDITIONAL_DEFINITION";
  const fix = movable && p.definitionRange && moveIntoFunction(p.definitionRange, fn, base, text);
  if (fix) d.fixes = [fix];
  return d;
}

/** Names listed in the "sends … with" message before it summarises the rest. */
const SHIPPED_NAMES_SHOWN = 12;

function shippedDiagnostic(fn: string, shipped: { names: string[]; more: number | "many" }, range: OffsetRange): PythonDiagnostic {
  const shown = shipped.names.join(", ");
  const more = shipped.more === "many" ? " and many more" : shipped.more > 0 ? ` and ${shipped.more} more` : "";
  return { range, severity: "hint", code: "SHIPPED", message: `Globus Compute sends ${fn} with: ${shown}${more}` };
}

/**
 * "Move into the function" for a one-line module-level statement (an import or assignment that cannot
 * be shipped): inserts a copy as the function's first statement, after its docstring. The original
 * stays, since other code may use it.
 */
function moveIntoFunction(definition: OffsetRange, fn: LintedFunction, base: number, text: string): QuickFix | undefined {
  const statement = text.slice(definition.start, definition.end);
  if (statement.includes("\n")) return undefined;
  if (!fn.first) return undefined;
  const first = at(base, fn.first.range);
  const lineStart = text.lastIndexOf("\n", first.start - 1) + 1;
  const indent = text.slice(lineStart, first.start);
  if (/\S/.test(indent)) return undefined; // body on the def line: `def f(): return x`
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const edit = fn.first.isDocstring
    ? { range: { start: first.end, end: first.end }, newText: `${eol}${indent}${statement}` }
    : { range: { start: first.start, end: first.start }, newText: `${statement}${eol}${indent}` };
  return { title: `Move \`${statement.length > 40 ? statement.slice(0, 39) + "…" : statement}\` into ${fn.name}`, edits: [edit] };
}

function relativePaths(body: Node | null): PythonDiagnostic[] {
  if (!body) return [];
  const out: PythonDiagnostic[] = [];
  for (const call of body.descendantsOfType("call")) {
    if (!call) continue;
    const fn = call.childForFieldName("function");
    const called = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : fn?.text;
    if (!called || !PATH_TAKING_CALLS.has(called)) continue;
    const arg = call.childForFieldName("arguments")?.namedChildren[0];
    if (arg?.type !== "string" || arg.namedChildren.some((c) => c.type === "interpolation")) continue;
    const path = arg.namedChildren.filter((c) => c.type === "string_content").map((c) => c.text).join("");
    if (!isRelativePath(path)) continue;
    out.push({
      range: rangeOf(arg),
      severity: "warning",
      code: "RELATIVE_PATH",
      message: `"${path}" is relative: on the endpoint it is looked up in the worker's directory, not next to this file; use a path that exists on the endpoint or pass it as an argument`,
    });
  }
  return out;
}

function isRelativePath(path: string): boolean {
  if (path === "" || path.includes("\n") || path.length > 260) return false;
  if (/^(?:[/~\\]|[a-zA-Z]:[\\/]|[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)/.test(path)) return false;
  // Something path-like: a separator or a file extension (not a mode string like "r" or "wb").
  return /[/\\]/.test(path) || /^[^\s]+\.[A-Za-z0-9]{1,8}$/.test(path);
}

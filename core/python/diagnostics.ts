import type { Node } from "web-tree-sitter";
import { closureOf, type BundleProblem } from "./bundle";
import { listFunctionNodes } from "./functions";
import type { ModuleIndex } from "./moduleDefinitions";
import type { ProjectContext } from "./projectModules";
import { definitionStatement, enclosingDefinition, isAsyncDef, rangeOf, type OffsetRange } from "./syntax";

export type PythonDiagnosticCode = BundleProblem["code"] | "RELATIVE_PATH" | "SHIPPED";

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
 */
export function lintPython(root: Node, text: string, index: ModuleIndex, project?: ProjectContext): PythonDiagnostic[] {
  const out: PythonDiagnostic[] = [];
  for (const def of listFunctionNodes(root)) {
    const name = def.childForFieldName("name");
    if (!name) continue;
    const owner = enclosingDefinition(def);
    if (owner?.type === "class_definition") {
      out.push(hint(rangeOf(name), "METHOD", `${name.text} is a method: Globus Compute can only submit module-level functions`));
      continue;
    }
    const topLevel = definitionStatement(def).parent?.id === root.id;
    if (isAsyncDef(def)) {
      out.push(hint(rangeOf(name), "ASYNC_FUNCTION", `${name.text} is async: Globus Compute can only submit plain functions`));
      continue;
    }
    const bundle = closureOf(def, root, text, index, project);
    if (!topLevel) {
      for (const p of bundle.problems) if (p.code === "CLOSURE") out.push(hint(p.range, "CLOSURE", p.message));
      continue;
    }
    for (const p of bundle.problems) out.push(problemDiagnostic(p, def, text));
    const shipped = bundle.shipped.flatMap((s) => s.names);
    if (shipped.length) out.push(shippedDiagnostic(bundle.name, shipped, rangeOf(name)));
    out.push(...relativePaths(def.childForFieldName("body")));
  }
  return out;
}

function hint(range: OffsetRange, code: PythonDiagnosticCode, message: string): PythonDiagnostic {
  return { range, severity: "hint", code, message };
}

function problemDiagnostic(p: BundleProblem, def: Node, text: string): PythonDiagnostic {
  const d: PythonDiagnostic = { range: p.range, severity: "warning", code: p.code, message: p.message };
  const movable = p.code === "COMPUTED_AT_IMPORT" || p.code === "CONDITIONAL_DEFINITION";
  const fix = movable && p.definitionRange && moveIntoFunction(p.definitionRange, def, text);
  if (fix) d.fixes = [fix];
  return d;
}

/** Names listed in the "sends … with" message before it summarises the rest. */
const SHIPPED_NAMES_SHOWN = 12;

function shippedDiagnostic(fn: string, names: string[], range: OffsetRange): PythonDiagnostic {
  const shown = names.slice(0, SHIPPED_NAMES_SHOWN).join(", ");
  const more = names.length > SHIPPED_NAMES_SHOWN ? ` and ${names.length - SHIPPED_NAMES_SHOWN} more` : "";
  return { range, severity: "hint", code: "SHIPPED", message: `Globus Compute sends ${fn} with: ${shown}${more}` };
}

/**
 * "Move into the function" for a one-line module-level statement (an import or assignment that cannot
 * be shipped): inserts a copy as the function's first statement, after its docstring. The original
 * stays, since other code may use it.
 */
function moveIntoFunction(definition: OffsetRange, def: Node, text: string): QuickFix | undefined {
  const statement = text.slice(definition.start, definition.end);
  if (statement.includes("\n")) return undefined;
  const body = def.childForFieldName("body");
  const first = body?.namedChildren[0];
  if (!body || !first) return undefined;
  const lineStart = text.lastIndexOf("\n", first.startIndex - 1) + 1;
  const indent = text.slice(lineStart, first.startIndex);
  if (/\S/.test(indent)) return undefined; // body on the def line: `def f(): return x`
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const isDocstring = first.type === "expression_statement" && first.namedChildren[0]?.type === "string";
  const edit = isDocstring
    ? { range: { start: first.endIndex, end: first.endIndex }, newText: `${eol}${indent}${statement}` }
    : { range: { start: first.startIndex, end: first.startIndex }, newText: `${statement}${eol}${indent}` };
  const fnName = def.childForFieldName("name")?.text;
  return { title: `Move \`${statement.length > 40 ? statement.slice(0, 39) + "…" : statement}\` into ${fnName}`, edits: [edit] };
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

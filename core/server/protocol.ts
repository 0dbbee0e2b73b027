/**
 * The language server's own LSP messages, shared by the server (core/server) and the client
 * (extension/lsp). Plain types and method names only, so that both sides can import this file
 * whatever their LSP library.
 */
import type { FunctionSignature } from "../python/functions";
import type { BundleProblemCode, ShippedDefinition } from "../python/bundle";
import type { LineMap } from "../python/lineMap";

/** An LSP position: 0-based line and UTF-16 character. */
export interface LspPosition {
  line: number;
  character: number;
}

export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

/** Where to look: a document and either a UTF-16 offset (what CodeLens arguments carry) or a position. */
export type FunctionLocation = { uri: string } & ({ offset: number } | { position: LspPosition });

/** A function definition as the client sees it (ranges in LSP coordinates). */
export interface FunctionDescription {
  name: string;
  qualifiedName: string;
  /** Offset of the name, stable input for a later `bundle` request. */
  offset: number;
  range: LspRange;
  nameRange: LspRange;
  bodyRange: LspRange;
  source: string;
  signature: FunctionSignature;
  decorators: string[];
  docstring?: string;
  isAsync: boolean;
  isMethod: boolean;
  enclosingFunction?: string;
}

export interface BundleProblemDescription {
  code: BundleProblemCode;
  message: string;
  severity: "error" | "warning";
  range: LspRange;
  name?: string;
}

export interface ShippedDescription {
  kind: ShippedDefinition["kind"];
  names: string[];
  range: LspRange;
}

/** A notebook's code cell (its document's URI) and the line it starts at in the cells joined (1-based). */
export interface CellStartDescription {
  uri: string;
  line: number;
}

export interface FunctionBundleDescription {
  /** Entry point name and self-contained source, ready for `serializeCode(name, source, "st")`. */
  name: string;
  source: string;
  /** Bundle line → document line, to point remote tracebacks at the file (see core/python/lineMap). */
  lineMap: LineMap;
  /** For a function in a notebook cell: the line map names lines of the code cells joined; where each cell starts in them. */
  cells?: CellStartDescription[];
  shipped: ShippedDescription[];
  problems: BundleProblemDescription[];
  function: FunctionDescription;
  /** The project's own modules shipped inside `source` (their text is in it), parents first. */
  modules: { name: string; path: string }[];
  /** Top-level third-party modules the bundle imports, through every shipped module: what the endpoint must have installed. */
  thirdPartyImports: string[];
  /**
   * Syntax the bundle uses that only newer Pythons accept, with the version that introduced it; `range` is
   * its line in this document, null when it is in a module shipped from another file.
   */
  syntaxFeatures: { feature: string; since: [number, number]; range: LspRange | null }[];
}

/** `globusCompute/functionAt`: the innermost function definition at a location, or null. */
export const FUNCTION_AT_REQUEST = "globusCompute/functionAt";
export type FunctionAtParams = FunctionLocation;
export type FunctionAtResult = FunctionDescription | null;

/** `globusCompute/functions`: every function definition of a document (what diagnostics about each start from). */
export const FUNCTIONS_REQUEST = "globusCompute/functions";
export interface FunctionsParams {
  uri: string;
}
export type FunctionsResult = FunctionDescription[];

/** `globusCompute/bundle`: the function at a location with its dependency closure. */
export const BUNDLE_REQUEST = "globusCompute/bundle";
export type BundleParams = FunctionLocation;
export type BundleResult = { bundle: FunctionBundleDescription } | { bundle: null; reason: string };

/**
 * `globusCompute/projectSettings` (client → server notification): where the project's own modules are
 * looked up besides the workspace folders (and their `src/`). Also accepted as `initializationOptions`.
 */
export const PROJECT_SETTINGS_NOTIFICATION = "globusCompute/projectSettings";
export interface ProjectSettings {
  /** Extra source roots, absolute or relative to the first workspace folder. */
  extraPaths?: string[];
  /** Lenses also on `_private` functions (default: not, they are helpers). */
  privateFunctionLenses?: boolean;
}

/**
 * `globusCompute/resultStatus` (client → server notification): the last result of a function, shown
 * as a CodeLens above it; `status: null` removes it.
 */
export const RESULT_STATUS_NOTIFICATION = "globusCompute/resultStatus";
export interface ResultStatusParams {
  uri: string;
  /** The function's qualified name. */
  name: string;
  /** Short text such as "✓ 42 · 1.2 s" or "✗ ZeroDivisionError"; null clears it. */
  status: string | null;
  /** Command run when the status lens is clicked (e.g. open the result); default: show output. */
  command?: { command: string; arguments?: unknown[] };
}

/** Arguments of the lens commands `globusCompute.submitFunction` / `…WithArguments`. */
export interface SubmitFunctionArguments {
  uri: string;
  /** The function's qualified name. */
  name: string;
  /** UTF-16 offset of the function's name in the document (when the lens was made). */
  offset: number;
}

export const SUBMIT_COMMAND = "globusCompute.submitFunction";
export const SUBMIT_WITH_ARGUMENTS_COMMAND = "globusCompute.submitFunctionWithArguments";
export const MAP_COMMAND = "globusCompute.mapFunction";
export const SHOW_OUTPUT_COMMAND = "globusCompute.showOutput";

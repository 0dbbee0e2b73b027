import type { TextDocument } from "vscode-languageserver-textdocument";
import type { FunctionBundle } from "../python/bundle";
import type { FunctionInfo } from "../python/functions";
import type { PythonVersion } from "../python/syntaxFeatures";
import type { OffsetRange } from "../python/syntax";
import type { FunctionBundleDescription, FunctionDescription, LspRange } from "./protocol";

/** Offsets (what core/python speaks) to LSP ranges (what the client speaks), for one document. */
export function lspRange(doc: TextDocument, r: OffsetRange): LspRange {
  return { start: doc.positionAt(r.start), end: doc.positionAt(r.end) };
}

export function describeFunctionForClient(doc: TextDocument, f: FunctionInfo): FunctionDescription {
  return {
    name: f.name,
    qualifiedName: f.qualifiedName,
    offset: f.ranges.name.start,
    range: lspRange(doc, f.ranges.definition),
    nameRange: lspRange(doc, f.ranges.name),
    bodyRange: lspRange(doc, f.ranges.body),
    source: f.source,
    signature: f.signature,
    decorators: f.decorators,
    ...(f.docstring !== undefined ? { docstring: f.docstring } : {}),
    isAsync: f.isAsync,
    isMethod: f.isMethod,
    ...(f.enclosingFunction !== undefined ? { enclosingFunction: f.enclosingFunction } : {}),
  };
}

/** Syntax features of a bundle placed in the document (placeInDocument), in its offsets. */
export type PlacedSyntaxFeature = { feature: string; since: PythonVersion; range?: OffsetRange };

export function describeBundleForClient(doc: TextDocument, b: FunctionBundle, syntax: readonly PlacedSyntaxFeature[]): FunctionBundleDescription {
  return {
    name: b.name,
    source: b.source,
    lineMap: b.lineMap,
    shipped: b.shipped.map((s) => ({ kind: s.kind, names: s.names, range: lspRange(doc, s.range) })),
    problems: b.problems.map((p) => ({
      code: p.code,
      message: p.message,
      severity: p.severity,
      range: lspRange(doc, p.range),
      ...(p.name !== undefined ? { name: p.name } : {}),
    })),
    function: describeFunctionForClient(doc, b.function),
    modules: b.modules.map((m) => ({ name: m.name, path: m.path })),
    thirdPartyImports: b.thirdPartyImports,
    syntaxFeatures: syntax.map((f) => ({ feature: f.feature, since: [f.since[0], f.since[1]], range: f.range ? lspRange(doc, f.range) : null })),
  };
}

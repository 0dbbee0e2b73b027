/**
 * Syntax that only some Python versions accept: which constructs a piece of code uses and the version
 * that introduced each, so that code bound for an endpoint running an older Python can be flagged before
 * it is sent (where it would fail with a SyntaxError before the function even starts). Found on the
 * tree-sitter tree with an explicit cursor walk (no recursion, so any depth of nesting is fine).
 */
import type { Node, Tree } from "web-tree-sitter";
import { fileLineOf, lineLocator, type LineMap } from "./lineMap";
import type { OffsetRange } from "./syntax";

export type PythonVersion = readonly [major: number, minor: number];

export interface SyntaxFeatureUse {
  /** What it is, for a message: `a match statement`. */
  feature: string;
  /** The first Python version that accepts it. */
  since: PythonVersion;
  range: OffsetRange;
}

/** Every version-dependent construct in the tree, in source order. */
export function syntaxFeaturesIn(tree: Tree): SyntaxFeatureUse[] {
  const found: SyntaxFeatureUse[] = [];
  const add = (node: Node, feature: string, since: PythonVersion) => found.push({ feature, since, range: { start: node.startIndex, end: node.endIndex } });
  const cursor = tree.walk();
  try {
    for (;;) {
      if (cursor.nodeIsNamed) featureOf(cursor.currentNode, add);
      if (cursor.gotoFirstChild() || cursor.gotoNextSibling()) continue;
      let more = false;
      while (cursor.gotoParent()) {
        if (cursor.gotoNextSibling()) {
          more = true;
          break;
        }
      }
      if (!more) break;
    }
  } finally {
    cursor.delete();
  }
  return found;
}

function featureOf(node: Node, add: (node: Node, feature: string, since: PythonVersion) => void): void {
  switch (node.type) {
    case "named_expression":
      return add(node, "an assignment expression (:=)", [3, 8]);
    case "positional_separator":
      return add(node, "a positional-only parameter marker (/)", [3, 8]);
    case "decorator":
      // PEP 614: before 3.9 a decorator is a dotted name, optionally called.
      if (!isDottedName(callee(node.namedChildren[0]))) add(node, "a decorator that is an arbitrary expression", [3, 9]);
      return;
    case "match_statement":
      return add(node, "a match statement", [3, 10]);
    case "with_clause":
      // `with (open(a) as f, open(b) as g):`; a parenthesized expression alone was always accepted.
      if (node.children[0]?.type === "(" && node.namedChildren.some((item) => item.namedChildren[0]?.type === "as_pattern"))
        add(node, "a parenthesized context manager", [3, 10]);
      return;
    case "except_clause":
      if (/^except\s*\*/.test(node.text)) add(node, "an except* clause (exception groups)", [3, 11]);
      return;
    case "type_alias_statement":
      return add(node, "a type statement", [3, 12]);
    case "function_definition":
    case "class_definition": {
      const parameters = node.childForFieldName("type_parameters");
      if (parameters) add(parameters, node.type === "class_definition" ? "a generic class (class C[T])" : "a generic function (def f[T])", [3, 12]);
      return;
    }
    case "string":
      if (reusesEnclosingQuote(node)) add(node, "a string inside an f-string's braces with the f-string's own quotes", [3, 12]);
      return;
  }
}

/** The called expression of a call, else the expression. */
function callee(node: Node | null | undefined): Node | null | undefined {
  return node?.type === "call" ? node.childForFieldName("function") : node;
}

function isDottedName(node: Node | null | undefined): boolean {
  if (!node) return true;
  if (node.type === "identifier") return true;
  if (node.type !== "attribute") return false;
  return isDottedName(node.childForFieldName("object")) && node.childForFieldName("attribute")?.type === "identifier";
}

/** A string in a replacement field of an f-string that opens with that f-string's quote (`f"{d["k"]}"`). */
function reusesEnclosingQuote(string: Node): boolean {
  let at = string.parent;
  while (at && at.type !== "interpolation" && at.type !== "string") at = at.parent;
  const outer = at?.type === "interpolation" ? at.parent : undefined;
  if (outer?.type !== "string") return false;
  const quote = (s: Node) => /["']{1,3}$/.exec(s.children[0]?.text ?? "")?.[0] ?? "";
  const outerQuote = quote(outer);
  const innerQuote = quote(string);
  // Inside a triple-quoted f-string, single quotes of the same kind were always fine.
  return outerQuote.length === 3 ? innerQuote === outerQuote : innerQuote[0] === outerQuote;
}

/** Uses that `version` does not accept. */
export function tooNewFor<T extends Pick<SyntaxFeatureUse, "since">>(uses: readonly T[], version: PythonVersion): T[] {
  return uses.filter((u) => u.since[0] > version[0] || (u.since[0] === version[0] && u.since[1] > version[1]));
}

/**
 * Uses found in a bundle's source placed in the document it came from (its lines by the bundle's line
 * map, from the first non-blank character to the end of that line); `range` is undefined for code
 * shipped from another file.
 */
export function placeInDocument(
  uses: readonly SyntaxFeatureUse[],
  bundleSource: string,
  lineMap: LineMap,
  documentText: string,
): (Omit<SyntaxFeatureUse, "range"> & { range?: OffsetRange })[] {
  const bundleLine = lineLocator(bundleSource);
  const lineStarts = [0];
  for (const m of documentText.matchAll(/\r\n?|\n/g)) lineStarts.push(m.index + m[0].length);
  return uses.map(({ feature, since, range }) => {
    const line = fileLineOf(lineMap, bundleLine(range.start));
    if (line === undefined || line > lineStarts.length) return { feature, since };
    const start = lineStarts[line - 1];
    const text = documentText.slice(start, line < lineStarts.length ? lineStarts[line] : undefined).replace(/\r?\n$|\r$/, "");
    const indent = text.length - text.trimStart().length;
    return { feature, since, range: { start: start + indent, end: start + text.length } };
  });
}

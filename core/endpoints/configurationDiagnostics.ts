/**
 * Problems of the configurations file at their place in the text: each configuration is validated exactly
 * as a submission would be (checkConfiguration, the endpoint's schema with ajv), and each issue is
 * placed on the value (or key) it is about, so the editor underlines the field and says why; what would
 * not stop a submission (checkConfiguration's warnings) is a warning.
 */
// The ESM build: the UMD one (package "main") requires its parts dynamically, which a bundle cannot follow.
import { findNodeAtLocation, parseTree, type Node } from "jsonc-parser/lib/esm/main.js";
import { lineLocator } from "../python/lineMap";
import { parseConfigurationFile } from "./configurationFile";
import { checkConfiguration, describeIssue, type JsonSchema } from "./userConfigSchema";

export interface TextProblem {
  /** Zero-based, as LSP and VS Code count. */
  start: { line: number; character: number };
  end: { line: number; character: number };
  message: string;
  /** Shown, but a submission would go. */
  warning?: true;
}

/** `schemas`: endpoint id → its user_endpoint_config schema (undefined: none known, only the shape is checked). */
export function configurationFileProblems(text: string, schemas: ReadonlyMap<string, JsonSchema | undefined>): TextProblem[] {
  const root = parseTree(text);
  const content = parseConfigurationFile(text);
  if (!root) return content.problems.map((message) => ({ start: { line: 0, character: 0 }, end: { line: 0, character: 1 }, message }));
  const lines = positions(text);
  const out: TextProblem[] = [];
  const endpoints = findNodeAtLocation(root, ["endpoints"]);
  for (const [id, list] of content.configurations) {
    // The key as written (case kept) locates the entry.
    const key = endpoints?.children?.find((p) => String(p.children?.[0]?.value).toLowerCase() === id)?.children?.[0]?.value as string | undefined;
    for (const c of list) {
      for (const issue of checkConfiguration(schemas.get(id), c.userEndpointConfig, c.resourceSpecification)) {
        const base = ["endpoints", key ?? id, "configurations", c.name];
        const node = nearest(root, [...base, ...issue.path]);
        out.push({ ...range(node, lines), message: `${c.name}: ${describeIssue(issue)}`, ...(issue.warning ? { warning: true as const } : {}) });
      }
    }
  }
  return out;
}

/** The node at `path`, or the property key of its last segment, or the closest ancestor that exists. */
function nearest(root: Node, path: (string | number)[]): Node {
  for (let n = path.length; n > 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (node) return node.parent?.type === "property" && n < path.length ? (node.parent.children?.[0] ?? node) : node;
  }
  return root;
}

type Positions = (offset: number) => { line: number; character: number };

function range(node: Node, at: Positions): Pick<TextProblem, "start" | "end"> {
  return { start: at(node.offset), end: at(node.offset + Math.min(node.length, 200)) };
}

function positions(text: string): Positions {
  const lineOf = lineLocator(text);
  return (offset) => {
    const start = Math.max(text.lastIndexOf("\n", offset - 1), text.lastIndexOf("\r", offset - 1)) + 1;
    return { line: lineOf(offset) - 1, character: offset - start };
  };
}

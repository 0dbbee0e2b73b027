import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Tree } from "web-tree-sitter";
// A require-style import on purpose: bundlers then pick the package's CommonJS build, whereas its ESM
// build locates files through import.meta.url, which does not exist in the CommonJS dist/ bundles.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see the comment above
import TreeSitter = require("web-tree-sitter");
import type { Disposable } from "../util/disposable";
import { blankBrokenStatements } from "./syntaxRecovery";

export const RUNTIME_WASM = "web-tree-sitter.wasm";
export const PYTHON_WASM = "tree-sitter-python.wasm";

export interface WasmLocations {
  /** The tree-sitter runtime (`web-tree-sitter.wasm`). */
  runtime: string;
  /** The Python grammar (`tree-sitter-python.wasm`). */
  python: string;
}

/**
 * Where the two wasm files are: next to the bundle (the build copies them into dist/), or in
 * node_modules when running from source (tests, tsx).
 */
export function defaultWasmLocations(): WasmLocations {
  const bundled = { runtime: join(__dirname, RUNTIME_WASM), python: join(__dirname, PYTHON_WASM) };
  if (existsSync(bundled.python) && existsSync(bundled.runtime)) return bundled;
  return {
    runtime: require.resolve(`web-tree-sitter/${RUNTIME_WASM}`),
    python: require.resolve(`tree-sitter-python/${PYTHON_WASM}`),
  };
}

let runtime: Promise<void> | undefined;

/** A tree and the text it was parsed from (which differs from the document's when statements were blanked). */
export interface ParsedPython {
  tree: Tree;
  parsedText: string;
}

/** Row and UTF-16 column of an offset, as tree-sitter counts them for JS strings. */
function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** How many characters two texts share at their start, and after that at their end. */
export function sharedEnds(old: string, text: string): { start: number; suffix: number } {
  let start = 0;
  const max = Math.min(old.length, text.length);
  while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < max - start && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  return { start, suffix };
}

export class PythonParserError extends Error {
  override readonly name = "PythonParserError";
  constructor(
    readonly code: "WASM_NOT_FOUND" | "WASM_LOAD_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A tree-sitter parser for Python. Trees it returns must be `delete()`d by their owner. */
export class PythonParser implements Disposable {
  private constructor(private readonly parser: TreeSitter.Parser) {}

  static async load(locations: WasmLocations = defaultWasmLocations()): Promise<PythonParser> {
    for (const file of [locations.runtime, locations.python]) {
      if (!existsSync(file)) {
        throw new PythonParserError("WASM_NOT_FOUND", `${file} is missing: the build copies the tree-sitter wasm files next to the bundle`);
      }
    }
    // The runtime is a process-wide singleton; initialising it twice would load the wasm twice.
    runtime ??= TreeSitter.Parser.init({ locateFile: () => locations.runtime }).catch((e: unknown) => {
      runtime = undefined;
      throw new PythonParserError("WASM_LOAD_FAILED", `tree-sitter could not start from ${locations.runtime}`, { cause: e });
    });
    await runtime;
    const parser = new TreeSitter.Parser();
    try {
      parser.setLanguage(await TreeSitter.Language.load(locations.python));
    } catch (e) {
      parser.delete();
      // An ABI mismatch between the grammar and web-tree-sitter ends up here.
      throw new PythonParserError("WASM_LOAD_FAILED", `the Python grammar ${locations.python} could not be loaded`, { cause: e });
    }
    return new PythonParser(parser);
  }

  /**
   * Error-tolerant: never throws on bad Python. When the file has a syntax error, the top-level
   * statements that do not parse on their own are blanked out so that the others are still found
   * (offsets and lines are unchanged). With `previous` (an earlier parse of a similar text), only what
   * changed is re-parsed, as tree-sitter does on each keystroke in an editor.
   */
  parse(text: string, previous?: ParsedPython): ParsedPython {
    const tree = previous ? this.reparse(previous, text) : this.parseExact(text);
    if (!tree.rootNode.hasError) return { tree, parsedText: text };
    const recovered = blankBrokenStatements(text, (t) => this.parseExact(t));
    if (recovered === text) return { tree, parsedText: text };
    tree.delete();
    return { tree: this.parseExact(recovered), parsedText: recovered };
  }

  /** The tree exactly as tree-sitter recovers it. */
  parseExact(text: string, oldTree?: Tree): Tree {
    const tree = this.parser.parse(text, oldTree);
    if (!tree) throw new Error("tree-sitter returned no tree (parser has no language)");
    return tree;
  }

  /** Incremental parse: describes the change as one edit (common prefix and suffix) on a copy of the old tree. */
  private reparse(previous: ParsedPython, text: string): Tree {
    const old = previous.parsedText;
    const { start, suffix } = sharedEnds(old, text);
    const oldTree = previous.tree.copy();
    try {
      oldTree.edit(
        new TreeSitter.Edit({
          startIndex: start,
          oldEndIndex: old.length - suffix,
          newEndIndex: text.length - suffix,
          startPosition: pointAt(old, start),
          oldEndPosition: pointAt(old, old.length - suffix),
          newEndPosition: pointAt(text, text.length - suffix),
        }),
      );
      return this.parseExact(text, oldTree);
    } finally {
      oldTree.delete();
    }
  }

  dispose(): void {
    this.parser.delete();
  }
}

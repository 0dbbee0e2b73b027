import type { Disposable } from "../util/disposable";
import { bundleFunction, lambdaProblemAt, type FunctionBundle } from "./bundle";
import { lintPython, type PythonDiagnostic } from "./diagnostics";
import { cursorAnchor, describeFunction, functionAt, listFunctionNodes, type FunctionInfo } from "./functions";
import { indexModule, type ModuleIndex } from "./moduleDefinitions";
import { PythonParser, type ParsedPython, type WasmLocations } from "./pythonParser";
import { StatementNeedsCache } from "./scopes";

interface ParsedText extends ParsedPython {
  text: string;
  index?: ModuleIndex;
}

/**
 * The Python analysis behind the language server: parses text (reusing the tree when the text is
 * unchanged, since CodeLens, diagnostics and requests usually ask about the same version, and
 * re-parsing incrementally from the last one otherwise) and answers questions about its functions.
 */
export class PythonAnalyzer implements Disposable {
  private readonly cache: ParsedText[] = [];
  private readonly needs = new StatementNeedsCache();

  private constructor(
    private readonly parser: PythonParser,
    private readonly cacheSize: number,
    private readonly incremental: boolean,
  ) {}

  /** `cacheSize`: parsed texts kept (≥ 1); `incremental: false` always parses from scratch. */
  static async load(options: { wasm?: WasmLocations; cacheSize?: number; incremental?: boolean } = {}): Promise<PythonAnalyzer> {
    return new PythonAnalyzer(await PythonParser.load(options.wasm), Math.max(1, options.cacheSize ?? 8), options.incremental ?? true);
  }

  functionAt(text: string, offset: number): FunctionInfo | undefined {
    const { tree } = this.parsed(text);
    return functionAt(tree.rootNode, text, offset);
  }

  listFunctions(text: string): FunctionInfo[] {
    return listFunctionNodes(this.parsed(text).tree.rootNode).map((n) => describeFunction(n, text));
  }

  /** The function at `offset` with its dependency closure, ready to ship. */
  bundleFunction(text: string, offset: number): FunctionBundle | undefined {
    const p = this.parsed(text);
    return bundleFunction(p.tree.rootNode, text, offset, this.indexOf(p));
  }

  /** Why there is no submittable function at `offset` (a lambda, or nothing at all). */
  explainNoFunction(text: string, offset: number): string {
    const p = this.parsed(text);
    // Statements with a syntax error are blanked out before analysis (see PythonParser.parse).
    if (p.parsedText !== text && p.parsedText[offset] !== text[offset]) {
      return "this part of the file has a syntax error; fix it to submit the function";
    }
    const lambda = lambdaProblemAt(p.tree.rootNode, cursorAnchor(text, offset));
    return lambda?.message ?? "the cursor is not inside a function definition";
  }

  diagnostics(text: string): PythonDiagnostic[] {
    const p = this.parsed(text);
    return lintPython(p.tree.rootNode, text, this.indexOf(p));
  }

  dispose(): void {
    for (const p of this.cache.splice(0)) p.tree.delete();
    this.parser.dispose();
  }

  private indexOf(p: ParsedText): ModuleIndex {
    return (p.index ??= indexModule(p.tree.rootNode, this.needs, p.parsedText !== p.text));
  }

  private parsed(text: string): ParsedText {
    const i = this.cache.findIndex((p) => p.text === text);
    if (i >= 0) {
      const [hit] = this.cache.splice(i, 1);
      this.cache.unshift(hit);
      return hit;
    }
    // The most recent text is usually the previous version of the same document: re-parse from it.
    const entry = { text, ...this.parser.parse(text, this.incremental ? this.cache[0] : undefined) };
    this.cache.unshift(entry);
    // wasm memory is not garbage collected: evicted trees must be deleted explicitly.
    for (const old of this.cache.splice(this.cacheSize)) old.tree.delete();
    return entry;
  }
}

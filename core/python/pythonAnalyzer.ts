import { performance } from "node:perf_hooks";
import type { Disposable } from "../util/disposable";
import { bundleFunction, closureOf, lambdaProblemAt, type FunctionBundle } from "./bundle";
import { lintPython, type PythonDiagnostic } from "./diagnostics";
import { cursorAnchor, functionAt, functionFactsIn, functionNodeAt, mayContainDefinitions, withSource, type FunctionInfo } from "./functions";
import { indexModule, type ModuleIndex } from "./moduleDefinitions";
import { fileSystemSources, locateModule, ModuleResolver, type SourceRootOptions } from "./moduleResolver";
import type { ParsedModule, ProjectContext } from "./projectModules";
import { PythonParser, sharedEnds, type ParsedPython, type WasmLocations } from "./pythonParser";
import { StatementNeedsCache } from "./statementAnalysis";
import { syntaxFeaturesIn, type SyntaxFeatureUse } from "./syntaxFeatures";

interface ParsedText extends ParsedPython {
  text: string;
  index?: ModuleIndex;
}

/** Where the document is in the user's project, so that its imports of the project's own modules can be followed. */
export interface ProjectLocation extends SourceRootOptions {
  /** The document's file path. */
  path: string;
  /** Texts of documents open in the editor (newer than the disk's), by path. */
  openText?: (path: string) => string | undefined;
}

/** Characters of difference small enough for a parse to be taken as the previous version of a text. */
const TYPING_EDIT = 256;

/** Parsed modules of the project kept between requests (a bundle's helper modules are parsed once per version). */
const MODULE_CACHE_SIZE = 256;

/**
 * The Python analysis behind the language server: parses text (reusing the tree when the text is
 * unchanged, since CodeLens, diagnostics and requests usually ask about the same version, and
 * re-parsing incrementally from the last one otherwise) and answers questions about its functions.
 */
export class PythonAnalyzer implements Disposable {
  private readonly cache: ParsedText[] = [];
  private readonly needs = new StatementNeedsCache();
  private readonly modules = new Map<string, ParsedText & ParsedModule>();

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
    // What depends on a statement's text alone is memoised: after an edit only the statements that changed are described again.
    const out: FunctionInfo[] = [];
    for (const statement of this.parsed(text).tree.rootNode.namedChildren) {
      if (!mayContainDefinitions(statement.type)) continue;
      for (const facts of this.needs.memo(statement, functionFactsIn)) out.push(withSource(facts, statement.startIndex, text));
    }
    return out;
  }

  /**
   * The function at `offset` with its dependency closure, ready to ship; with the document's place in
   * its project, the project's own modules it imports travel with it.
   */
  bundleFunction(text: string, offset: number, project?: ProjectLocation): FunctionBundle | undefined {
    const p = this.parsed(text);
    return bundleFunction(p.tree.rootNode, text, offset, this.indexOf(p), project && this.projectContext(project));
  }

  /**
   * The top-level third-party modules the function at `offset` needs on the endpoint: imported by its
   * shipped code, transitively through the project's modules shipped with it (neither the project's
   * own modules nor the standard library's). Undefined when there is no function there.
   */
  thirdPartyImports(text: string, offset: number, project?: ProjectLocation): string[] | undefined {
    const p = this.parsed(text);
    const def = functionNodeAt(p.tree.rootNode, offset, text);
    return def && closureOf(def, p.tree.rootNode, text, this.indexOf(p), project && this.projectContext(project)).thirdPartyImports;
  }

  private projectContext(location: ProjectLocation): ProjectContext {
    const files = fileSystemSources(location.openText);
    const { name, isPackage, roots } = locateModule(location.path, location, files);
    // Trees of modules parsed for an earlier request may go now; this request's stay until it is done.
    for (const key of [...this.modules.keys()].slice(0, Math.max(0, this.modules.size - MODULE_CACHE_SIZE))) {
      this.modules.get(key)!.tree.delete();
      this.modules.delete(key);
    }
    return {
      resolver: new ModuleResolver(roots, files),
      files,
      entry: { name, isPackage, label: location.path.split(/[\\/]/).pop() ?? location.path },
      parse: (path, moduleText) => {
        const known = this.modules.get(path);
        if (known?.text === moduleText) {
          this.modules.delete(path);
          this.modules.set(path, known);
          return known;
        }
        const parsed = this.parser.parse(moduleText, known);
        known?.tree.delete();
        const entry = { text: moduleText, ...parsed, root: parsed.tree.rootNode, index: indexModule(parsed.tree.rootNode, this.needs, parsed.parsedText !== moduleText) };
        this.modules.delete(path);
        this.modules.set(path, entry);
        return entry;
      },
    };
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

  /** `budgetMs`: past it, the functions not yet linted are left for later (see lintPython). */
  diagnostics(text: string, project?: ProjectLocation, budgetMs = Infinity): PythonDiagnostic[] {
    const p = this.parsed(text);
    return lintPython(p.tree.rootNode, text, this.indexOf(p), project && this.projectContext(project), performance.now() + budgetMs);
  }

  /** The version-dependent syntax a text (a bundle's source) uses; parsed on its own, not kept. */
  syntaxFeatures(text: string): SyntaxFeatureUse[] {
    const tree = this.parser.parseExact(text);
    try {
      return syntaxFeaturesIn(tree);
    } finally {
      tree.delete();
    }
  }

  dispose(): void {
    for (const p of this.cache.splice(0)) p.tree.delete();
    for (const m of this.modules.values()) m.tree.delete();
    this.modules.clear();
    this.parser.dispose();
  }

  private indexOf(p: ParsedText): ModuleIndex {
    return (p.index ??= indexModule(p.tree.rootNode, this.needs, p.parsedText !== p.text));
  }

  /**
   * The cached parse most like `text`, to re-parse from: usually the previous version of the same
   * document, which is not always the most recent parse (an edit re-lints the other open documents).
   * Re-parsing from another document's tree would make a whole new tree each time.
   */
  private closest(text: string): ParsedText | undefined {
    let best: ParsedText | undefined;
    let shared = 0;
    for (const p of this.cache) {
      const { start, suffix } = sharedEnds(p.parsedText, text);
      if (start + suffix > shared) [best, shared] = [p, start + suffix];
      // A keystroke's worth of difference (most recent first): comparing with the rest costs more than it can save.
      if (text.length - shared <= TYPING_EDIT) break;
    }
    return best;
  }

  private parsed(text: string): ParsedText {
    const i = this.cache.findIndex((p) => p.text === text);
    if (i >= 0) {
      const [hit] = this.cache.splice(i, 1);
      this.cache.unshift(hit);
      return hit;
    }
    const entry = { text, ...this.parser.parse(text, this.incremental ? this.closest(text) : undefined) };
    this.cache.unshift(entry);
    // wasm memory is not garbage collected: evicted trees must be deleted explicitly.
    for (const old of this.cache.splice(this.cacheSize)) old.tree.delete();
    this.needs.room(Math.max(...this.cache.map((p) => p.tree.rootNode.namedChildCount)));
    return entry;
  }
}

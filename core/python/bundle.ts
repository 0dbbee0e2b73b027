import type { Node } from "web-tree-sitter";
import { PYTHON_BUILTINS } from "./builtins";
import { MAIN_MODULE, moduleLoaderLines, type BundledModuleSource } from "./bundleFormat";
import { describeFunction, functionNodeAt, type FunctionInfo } from "./functions";
import { importItemsOf, type ImportItem } from "./importItems";
import { lineCount, lineLocator, lineMapOf, type LineMap } from "./lineMap";
import { indexModule, type ModuleDefinition, type ModuleIndex, type UnshippableReason } from "./moduleDefinitions";
import { localRead, ProjectModules, type ModuleProblemCode, type ProjectContext } from "./projectModules";
import { closuresIn } from "./closures";
import { registryOf, type ImportedDefinition, type Registry } from "./registrations";
import { attributeChains, statementNames, type ScopeNames } from "./scopes";
import { STANDARD_LIBRARY } from "./standardLibrary";
import { at } from "./statementAnalysis";
import { TooDeepError, unlessTooDeep } from "./tooDeep";
import { decoratorRoots, definitionStatement, rangeOf, type OffsetRange } from "./syntax";

export type BundleProblemCode =
  | UnshippableReason
  | ModuleProblemCode
  | "ASYNC_FUNCTION"
  | "METHOD"
  | "CLOSURE"
  | "LAMBDA"
  | "DECORATOR"
  | "UNDEFINED_NAME"
  | "SYNTAX_ERROR";

export interface BundleProblem {
  code: BundleProblemCode;
  /** A sentence for the user, naming the thing. */
  message: string;
  /** "error": the bundle will fail remotely; "warning": it may. */
  severity: "error" | "warning";
  /** Where the problem shows in the function (a use of the name, the def, the decorator). */
  range: OffsetRange;
  /** The module-level name concerned, if any. */
  name?: string;
  /** The definition that could not be shipped, if any. */
  definitionRange?: OffsetRange;
}

export interface ShippedDefinition {
  kind: ModuleDefinition["kind"] | "future";
  /** Names it provides to the function. */
  names: string[];
  range: OffsetRange;
}

export interface FunctionBundle {
  /** The entry point: what the endpoint looks up after running `source`. */
  name: string;
  /** Self-contained source (LF line endings) for `serializeCode(name, source, "st")`. */
  source: string;
  /** Which document line each line of `source` came from, to point remote tracebacks at the file. */
  lineMap: LineMap;
  shipped: ShippedDefinition[];
  problems: BundleProblem[];
  function: FunctionInfo;
  /** The project's own modules shipped inside `source` (see bundleFormat), parents first. */
  modules: BundledModuleSource[];
  /**
   * Top-level modules the shipped code imports that are neither the project's nor the standard
   * library's: what the endpoint must have installed, through every shipped module.
   */
  thirdPartyImports: string[];
}

/**
 * The function at `offset` with everything it needs from the module, as one source text: the
 * module-level imports it uses, the helper functions, classes and simple constants it refers to,
 * transitively, in source order. What cannot come along is in `problems`, with the reason.
 */
export function bundleFunction(root: Node, text: string, offset: number, index: ModuleIndex = indexModule(root), project?: ProjectContext): FunctionBundle | undefined {
  const def = functionNodeAt(root, offset, text);
  if (!def) return undefined;
  const { assemble, ...closure } = new BundleBuilder(root, text, index, project).build(def);
  return { ...closure, ...assemble() };
}

/** What bundling the function `def` would ship and report, without assembling the source. */
export function closureOf(
  def: Node,
  root: Node,
  text: string,
  index: ModuleIndex,
  project?: ProjectContext,
): Omit<FunctionBundle, "source" | "lineMap" | "modules"> {
  const { name, shipped, problems, function: fn, thirdPartyImports } = new BundleBuilder(root, text, index, project).build(def);
  return { name, shipped, problems, function: fn, thirdPartyImports };
}

/** A module-level function as its statement's analysis describes it (see directProblemsOf). */
export interface DirectEntry {
  name: string;
  /** The range of its name in the document. */
  nameRange: OffsetRange;
  hasSyntaxError: boolean;
  /** The first name of each of its decorators (see decoratorRoots). */
  decorators: string[];
}

/**
 * The problems at the uses inside one top-level statement only (what it needs directly, not what
 * those need in turn): diagnostics report each once, where it is, so a file is analysed in linear time.
 * `fn`: the module-level function the statement defines (not async). Made from the statement's
 * memoised analysis (see StatementNeedsCache): no tree walk for a statement seen before.
 */
export function directProblemsOf(statement: Node, root: Node, text: string, index: ModuleIndex, project?: ProjectContext, fn?: DirectEntry): BundleProblem[] {
  return new BundleBuilder(root, text, index, project, true).directProblems(statement, fn);
}

/** If the cursor is in a lambda that is not inside any def, say why it cannot be submitted. */
export function lambdaProblemAt(root: Node, offset: number): BundleProblem | undefined {
  for (let n: Node | null = root.descendantForIndex(offset, offset); n; n = n.parent) {
    if (n.type === "lambda") {
      return {
        code: "LAMBDA",
        severity: "error",
        message: "a lambda cannot be submitted: give it a name with def",
        range: rangeOf(n),
      };
    }
  }
  return undefined;
}

class BundleBuilder {
  private readonly problems: BundleProblem[] = [];
  private readonly included = new Set<ModuleDefinition>();
  private readonly importNames = new Map<ModuleDefinition, Set<string>>();
  private readonly seen = new Set<string>();
  /** Module variables the shipped code creates through `global` (so they are not missing). */
  private readonly assignedGlobals = new Set<string>();
  /** Attribute paths read from each module-level name (see attributeChains), and its first use. */
  private readonly chains = new Map<string, Set<string>>();
  private readonly firstUse = new Map<string, OffsetRange>();
  private readonly modules: ProjectModules | undefined;
  /** The entry file's module name (see bundleFormat): the file's own in a project, else a script's. */
  private readonly entry: { name: string; isPackage: boolean };

  constructor(
    private readonly root: Node,
    private readonly text: string,
    private readonly index: ModuleIndex,
    project?: ProjectContext,
    /** Resolve only the entry's own names (see directProblemsOf). */
    private readonly direct = false,
  ) {
    this.modules = project && new ProjectModules(project);
    this.entry = project?.entry ?? { name: MAIN_MODULE, isPackage: false };
  }

  /** Direct problems of a statement (see directProblemsOf). */
  directProblems(statement: Node, fn?: DirectEntry): BundleProblem[] {
    const needs = this.index.needs.needsOf(statement);
    const base = statement.startIndex;
    this.functionRange = fn ? fn.nameRange : rangeOf(statement);
    if (fn?.hasSyntaxError) this.problems.push(syntaxError(fn.name, fn.nameRange));
    if (needs.tooDeep) {
      if (!fn) return [{ code: "TOO_DEEP", severity: "warning", message: "this statement is nested too deeply to analyse", range: rangeOf(statement) }];
      this.problems.push(tooDeepFunction(fn.name, fn.nameRange));
    } else {
      for (const n of fn ? [fn.name] : needs.bound) this.seen.add(n);
      for (const n of needs.assignsGlobal ?? []) this.assignedGlobals.add(n);
      const uses = [...needs.names].map(([name, use]) => ({ name, use: at(base, use), chains: needs.chains.get(name) ?? ANY }));
      this.require(uses, needs.starImport, new Set(fn?.decorators));
    }
    this.linkModules(needs.nestedImports.map((item, i) => ({ item, range: at(base, needs.nestedImportsAt[i]) })));
    return this.problems;
  }

  build(def: Node): Omit<FunctionBundle, "source" | "lineMap" | "modules"> & { assemble: () => Pick<FunctionBundle, "source" | "lineMap" | "modules"> } {
    const info = describeFunction(def, this.text);
    const statement = definitionStatement(def);
    const topLevel = statement.parent?.id === this.root.id;
    this.checkEntry(info);
    const names = unlessTooDeep(() => (topLevel ? statementNames([statement]) : this.entryNames(def, statement)));
    if (!names) this.problems.push(tooDeepFunction(info.name, info.ranges.name));
    if (topLevel) this.seen.add(info.name);
    for (const n of names?.assignsGlobal ?? []) this.assignedGlobals.add(n);
    if (names) this.require(usesOf(names), names.starImport, new Set(info.decorators.length ? decoratorRoots(statement) : []));
    if (!this.direct) {
      this.includeRegistrations(new Set(names ? [...names.free.keys(), ...names.globals.keys()] : []));
      this.includeModuleSettings();
    }
    const nested = statement
      .descendantsOfType(["import_statement", "import_from_statement"])
      .flatMap((n) => (n ? importItemsOf(n).map((item) => ({ item, range: rangeOf(n) })) : []));
    this.linkModules(nested);
    return {
      name: info.name,
      shipped: this.shipped(),
      problems: this.problems,
      function: info,
      thirdPartyImports: this.thirdPartyImports(nested),
      assemble: () => this.assemble(statement, topLevel, info),
    };
  }

  /**
   * Definitions that register themselves (see registryOf) into state the bundle ships: they ran when
   * the file was imported, so a function reading the registry finds them; each may ship more state.
   */
  private includeRegistrations(entryUses: ReadonlySet<string>): void {
    const imported: ImportedDefinition = (def, name) => this.modules?.entryImportedDefinition(def, name);
    const pending = new Map<Node, Registry>();
    for (const s of this.root.namedChildren) {
      const registry = s.type === "decorated_definition" ? registryOf(s, this.index, imported) : undefined;
      if (registry) pending.set(s, registry);
    }
    if (pending.size === 0) return;
    // Read, not only written by the registering decorators (a function that is itself a registered
    // command needs its decorator, not every other command).
    const decorators = new Set([...pending.values()].flatMap((r) => r.decorators.map((d) => d.id)));
    const reads = (name: string) =>
      entryUses.has(name) ||
      [...this.included].some((d) => d.kind !== "import" && !decorators.has(d.statement.id) && (d.needs ??= this.index.needs.needsOf(d.statement)).names.has(name));
    for (let added = true; added; ) {
      added = false;
      for (const [statement, registry] of pending) {
        if (!registry.names.some((n) => this.seen.has(n) && reads(n))) continue;
        pending.delete(statement);
        added = true;
        const name = statement.childForFieldName("definition")?.childForFieldName("name");
        if (name) this.require([{ name: name.text, use: rangeOf(name), chains: ANY }], false, new Set(decoratorRoots(statement)));
      }
    }
  }

  /**
   * Module-level statements that configure a module the function imports (`decimal.getcontext().prec
   * = 50`, `np.random.seed(0)`, `warnings.filterwarnings(…)`): they run at import locally, so they are
   * shipped, in order, when everything they name is an import the bundle ships. One reading local state
   * is not sent, and said so.
   */
  private includeModuleSettings(): void {
    const imported = new Set<string>();
    for (const [def, names] of this.importNames) if (!this.unshippable(def)) for (const n of names) imported.add(n);
    if (imported.size === 0) return;
    const indexed = new Set<number>();
    for (const defs of this.index.byName.values()) for (const d of defs) indexed.add(d.statement.id);
    for (const statement of this.root.namedChildren) {
      if (indexed.has(statement.id) || statement.type !== "expression_statement") continue;
      const needs = this.index.needs.needsOf(statement);
      const names = [...needs.names.keys()];
      if (names.length === 0 || needs.tooDeep || !names.every((n) => imported.has(n) || PYTHON_BUILTINS.has(n)) || !names.some((n) => imported.has(n))) continue;
      const local = localRead(statement);
      if (local) {
        this.problems.push({
          code: "LOCAL_STATE_AT_IMPORT",
          severity: "warning",
          message: `the statement on line ${statement.startPosition.row + 1} configures ${names.filter((n) => imported.has(n)).join(", ")} with a value ${local}; it is not sent, so the function may behave differently`,
          range: this.functionRange,
        });
        continue;
      }
      this.included.add({ statement, kind: "block", binds: [] });
    }
  }

  /** A relative import the project can place is shipped as its absolute form. */
  private unshippable(def: ModuleDefinition): ModuleDefinition["unshippable"] {
    if (def.unshippable?.reason === "RELATIVE_IMPORT" && this.modules && def.items?.every((i) => this.modules!.absoluteModule(i.module) !== undefined)) return undefined;
    return def.unshippable;
  }

  /**
   * The project's modules behind the imports shipped (and those imported inside shipped functions),
   * and imports of the project's modules kept for their effect: one whose module runs statements when
   * imported (setting decimal precision, registering a codec…) is shipped even if none of its names is used.
   */
  private linkModules(nestedInEntry: { item: ImportItem; range: OffsetRange }[]): void {
    const modules = this.modules;
    if (!modules) return;
    for (const defs of this.direct ? [] : this.index.byName.values()) {
      for (const def of defs) {
        if (def.kind !== "import" || this.included.has(def) || this.unshippable(def) || !def.items?.length) continue;
        if (!def.items.some((i) => modules.isProjectImport(i) && modules.hasImportEffects(i))) continue;
        this.included.add(def);
        this.importNames.set(def, new Set(def.binds));
      }
    }
    const problemsAt = (range: OffsetRange, found: ReturnType<ProjectModules["useImport"]>) => {
      for (const p of found) this.problems.push({ code: p.code, severity: p.severity, message: p.message, range });
    };
    for (const def of this.included) {
      const range = rangeOf(def.statement);
      if (def.kind === "import") {
        const used = this.importNames.get(def);
        for (const item of def.items ?? []) {
          if (item.kind === "star") problemsAt(range, modules.useImport(item, ANY));
          else if (used?.has(item.bound!)) problemsAt(this.firstUse.get(item.bound!) ?? range, modules.useImport(item, this.chains.get(item.bound!) ?? ANY));
        }
      } else if (!this.direct) {
        const needs = (def.needs ??= this.index.needs.needsOf(def.statement));
        for (const item of needs.nestedImports) problemsAt(range, modules.useImport(item, ANY));
      }
    }
    for (const { item, range } of nestedInEntry) problemsAt(range, modules.useImport(item, ANY));
    // An import of a module whose decorators register into state the bundle now ships (a plugin module).
    for (const defs of this.direct ? [] : this.index.byName.values()) {
      for (const def of defs) {
        if (def.kind !== "import" || this.included.has(def) || this.unshippable(def) || !def.items?.some((i) => modules.registersIntoShipped(i))) continue;
        this.included.add(def);
        this.importNames.set(def, new Set(def.binds));
        for (const item of def.items) problemsAt(rangeOf(def.statement), modules.useImport(item, NO_CHAINS));
      }
    }
    if (this.entryIsModule()) problemsAt(this.functionRange, modules.useEntryPackages());
    problemsAt(this.functionRange, modules.finish());
  }

  private functionRange: OffsetRange = { start: 0, end: 0 };

  /**
   * Whether the entry's namespace must be a module of its own: when the project's modules travel, and
   * when a class is shipped (its instances pickle by reference to its module, as they do locally).
   */
  private entryIsModule(): boolean {
    return (this.modules?.shipsModules() ?? false) || [...this.included].some(definesClass);
  }

  private thirdPartyImports(nestedInEntry: { item: ImportItem }[]): string[] {
    if (this.modules) return this.modules.thirdPartyImports();
    const tops = new Set<string>();
    const items = [...nestedInEntry.map((n) => n.item), ...[...this.included].flatMap((d) => (d.kind === "import" ? (d.items ?? []) : (d.needs?.nestedImports ?? [])))];
    for (const item of items) {
      const top = item.module.split(".")[0];
      if (top && !STANDARD_LIBRARY.has(top)) tops.add(top);
    }
    return [...tops].sort();
  }

  private checkEntry(info: FunctionInfo): void {
    const nameRange = info.ranges.name;
    this.functionRange = nameRange;
    if (info.hasSyntaxError) this.problems.push(syntaxError(info.name, nameRange));
    if (info.isAsync) {
      this.problems.push({
        code: "ASYNC_FUNCTION",
        severity: "error",
        message: `${info.name} is async: the endpoint calls it without awaiting, so it would return a coroutine; make it a plain def (use asyncio.run inside)`,
        range: nameRange,
      });
    }
    if (info.isMethod) {
      const needsSelf = !info.decorators.some((d) => d === "staticmethod");
      this.problems.push({
        code: "METHOD",
        severity: needsSelf ? "error" : "warning",
        message: needsSelf
          ? `${info.name} is a method: it needs an instance (self) that does not exist on the endpoint; move it to module level`
          : `${info.name} is a static method; it is sent as a plain function without its class`,
        range: nameRange,
      });
    }
  }

  /**
   * For a nested function or method: its free names, minus those that close over enclosing locals
   * (found for all the functions of its top-level statement at once, see closuresIn).
   */
  private entryNames(def: Node, statement: Node): ScopeNames {
    const names = statementNames([statement]);
    const top = this.root.childWithDescendant(def);
    const closures = top && this.index.needs.memo(top, closuresIn);
    if (!top || !closures) throw new TooDeepError();
    const base = top.startIndex;
    const name = def.childForFieldName("name");
    for (const c of (name && closures.get(name.startIndex - base)) || []) {
      names.free.delete(c.name);
      this.problems.push({ code: "CLOSURE", severity: "error", message: c.message, range: at(base, c.range), name: c.name });
    }
    return names;
  }

  /** Ships the definitions of the module-level names used (`uses`, each with its first use), transitively. */
  private require(uses: readonly NameUse[], starImport: boolean, decorators: Set<string>): void {
    const queue: { name: string; use: OffsetRange }[] = [];
    // Reported at the end (the shipped code may create them), in the order they were met.
    const undefinedNames: { name: string; use: OffsetRange; at: number }[] = [];
    for (const { name, use, chains } of uses) {
      queue.push({ name, use });
      this.addChains(name, chains, use);
    }
    let starShipped = false;
    if (starImport) this.includeStar();
    for (let next = 0; next < queue.length; next++) {
      const { name, use } = queue[next];
      if (this.seen.has(name)) continue;
      this.seen.add(name);
      const defs = this.index.byName.get(name);
      if (!defs) {
        if (PYTHON_BUILTINS.has(name)) continue;
        // The name may come from a `from x import *`: ship those (their names cannot be known).
        if (this.index.starImports.some((d) => !d.unshippable)) {
          if (!starShipped) starShipped = this.includeStar();
          continue;
        }
        const star = this.index.starImports[0];
        if (star?.unshippable) {
          this.problems.push({
            code: star.unshippable.reason,
            severity: "error",
            message: `${name} is not defined in this file except perhaps by a * import, which ${star.unshippable.message}`,
            range: use,
            name,
            definitionRange: rangeOf(star.statement),
          });
          continue;
        }
        undefinedNames.push({ name, use, at: this.problems.length });
        continue;
      }
      // A re-binding in a block that cannot be shipped does not spoil a plain definition of the name.
      const plain = defs.some((d) => d.kind !== "block" && !this.unshippable(d));
      for (const def of defs) {
        const unshippable = this.unshippable(def);
        if (unshippable && plain && def.kind === "block") continue;
        if (unshippable) {
          const isDecorator = decorators.has(name);
          this.problems.push({
            code: isDecorator ? "DECORATOR" : unshippable.reason,
            severity: "error",
            message: `${isDecorator ? "the decorator " : ""}${name} ${unshippable.message}`,
            range: use,
            name,
            definitionRange: rangeOf(def.statement),
          });
          continue;
        }
        if (def.kind === "import") {
          let used = this.importNames.get(def);
          if (!used) this.importNames.set(def, (used = new Set()));
          used.add(name);
          this.included.add(def);
          continue;
        }
        if (this.included.has(def)) continue;
        this.included.add(def);
        const needs = (def.needs ??= this.index.needs.needsOf(def.statement));
        // A function it calls may create a module variable (`global NAME; NAME = …`).
        for (const n of needs.assignsGlobal ?? []) this.assignedGlobals.add(n);
        if (this.direct) continue;
        if (needs.tooDeep) {
          this.problems.push({ code: "TOO_DEEP", severity: "warning", message: `${name} is nested too deeply to analyse: what it uses is not known`, range: use, name });
        }
        const base = def.statement.startIndex;
        for (const [needed, r] of needs.names) {
          const use = { start: base + r.start, end: base + r.end };
          this.addChains(needed, needs.chains.get(needed) ?? ANY, use);
          if (!this.seen.has(needed)) queue.push({ name: needed, use });
        }
        if (needs.starImport) this.includeStar();
      }
    }
    // Bound nowhere in the file, unless the shipped code creates it through `global`.
    for (const { name, use, at } of [...undefinedNames].reverse()) {
      if (this.assignedGlobals.has(name)) continue;
      this.problems.splice(at, 0, {
        code: decorators.has(name) ? "DECORATOR" : "UNDEFINED_NAME",
        severity: "error",
        message: this.index.hasBrokenStatements
          ? `${name} is not defined in this file (parts with syntax errors are ignored), so it will not exist on the endpoint`
          : `${name} is not defined in this file, so it will not exist on the endpoint`,
        range: use,
        name,
      });
    }
  }

  private addChains(name: string, chains: ReadonlySet<string>, use: OffsetRange): void {
    const known = this.chains.get(name);
    if (known) for (const c of chains) known.add(c);
    else {
      this.chains.set(name, new Set(chains));
      this.firstUse.set(name, use);
    }
  }

  private includeStar(): boolean {
    for (const def of this.index.starImports) if (!def.unshippable) this.included.add(def);
    return true;
  }

  private assemble(entry: Node, topLevel: boolean, info: FunctionInfo): Pick<FunctionBundle, "source" | "lineMap" | "modules"> {
    const modules = this.modules?.shippedModules() ?? [];
    // `at`: where the text starts in the document; `verbatim`: its lines are the document's, one for one
    // (an import cut down to the names used is not: all its lines come from the statement's first).
    // `from __future__` imports must come first, wherever they are (in a notebook, a later cell's).
    const parts: { start: number; at: number; text: string; kind: string; verbatim: boolean }[] = this.index.futureImports.map((n, i) => ({
      start: i - this.index.futureImports.length,
      at: n.startIndex,
      text: n.text,
      kind: "import",
      verbatim: true,
    }));
    for (const def of this.included) {
      const names = this.importNames.get(def);
      const relative = def.items?.[0]?.module.startsWith(".") ? this.modules?.absoluteModule(def.items[0].module) : undefined;
      const text = names && def.importText ? def.importText(names, relative) : relative && def.importText ? def.importText(new Set(def.binds), relative) : def.statement.text;
      const at = def.statement.startIndex;
      parts.push({ start: at, at, text, kind: def.kind, verbatim: text === def.statement.text });
    }
    // A nested function or method is dedented and goes last, after everything it uses.
    const at = entry.startIndex;
    parts.push({ start: topLevel ? at : Number.MAX_SAFE_INTEGER, at, text: info.source, kind: "function", verbatim: true });
    parts.sort((a, b) => a.start - b.start);
    const lineOf = lineLocator(this.text);
    const fileLines: (number | undefined)[] = [];
    // Runs of imports or of constants stay together; definitions get PEP 8's two blank lines.
    // The module loader goes after the `from __future__` imports, which must come first.
    const loader = this.entryIsModule() ? moduleLoaderLines(this.entry.name, this.entry.isPackage, modules) : [];
    const futures = this.index.futureImports.length;
    const joined = parts.map((p, i) => {
      const tight = i === 0 || (p.kind === parts[i - 1].kind && (p.kind === "import" || p.kind === "constant"));
      let prefix = i === 0 ? "" : tight ? "\n" : "\n\n\n";
      if (loader.length && i === futures) {
        prefix = (i === 0 ? "" : "\n") + loader.join("\n") + "\n";
        fileLines.push(...loader.map(() => undefined));
      } else if (!tight) fileLines.push(undefined, undefined);
      const first = lineOf(p.at);
      for (let k = 0, n = lineCount(p.text); k < n; k++) fileLines.push(p.verbatim ? first + k : first);
      return prefix + p.text;
    });
    return { source: joined.join("").replace(/\r\n?/g, "\n") + "\n", lineMap: lineMapOf(fileLines), modules };
  }

  private shipped(): ShippedDefinition[] {
    const out: ShippedDefinition[] = this.index.futureImports.map((n) => ({ kind: "future", names: [], range: rangeOf(n) }));
    for (const def of this.included) {
      out.push({ kind: def.kind, names: [...(this.importNames.get(def) ?? def.binds)], range: rangeOf(def.statement) });
    }
    return out.sort((a, b) => a.range.start - b.range.start);
  }
}

/** Used as a whole: all of it is needed. */
const ANY: ReadonlySet<string> = new Set([""]);
/** Nothing read from a module: it is imported for what importing it runs. */
const NO_CHAINS: ReadonlySet<string> = new Set();

/** A module-level name that code uses: its first use and the attribute paths read from it (see attributeChains). */
interface NameUse {
  name: string;
  use: OffsetRange;
  chains: ReadonlySet<string>;
}

/** The free and `global` names of a scope as NameUses. */
function usesOf(names: ScopeNames): NameUse[] {
  return [...names.free, ...names.globals].map(([name, uses]) => ({ name, use: rangeOf(uses[0]), chains: attributeChains(uses) }));
}

function syntaxError(name: string, range: OffsetRange): BundleProblem {
  return { code: "SYNTAX_ERROR", severity: "error", message: `${name} contains a syntax error`, range };
}

function tooDeepFunction(name: string, range: OffsetRange): BundleProblem {
  return { code: "TOO_DEEP", severity: "warning", message: `${name} is nested too deeply to analyse: what it uses from the module is not known, so it is sent alone`, range };
}

/** A class statement, or a block of definitions with a class in it. */
function definesClass(def: ModuleDefinition): boolean {
  return def.kind === "class" || (def.kind === "block" && def.statement.descendantsOfType("class_definition").length > 0);
}

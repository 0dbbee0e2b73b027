/**
 * The user's own modules a function needs, transitively, with only what it reaches of each: the
 * names it uses from a module (through `from m import x`, `m.x`, `a.b.c.x`, re-exports through
 * `__init__.py`, `*`), what those definitions use in turn, and every statement a module runs for its
 * effect when imported. What cannot travel (a value read from the local disk or environment at
 * import, a compiled extension, an order-dependent import cycle) is reported with the chain that
 * reaches it: `analysis.py → lab.io_utils → CONFIG read from a file at import`.
 */
import type { Node } from "web-tree-sitter";
import { PYTHON_BUILTINS } from "./builtins";
import type { BundledModuleSource } from "./bundleFormat";
import { importItemsOf, type ImportItem } from "./importItems";
import type { ModuleDefinition, ModuleIndex } from "./moduleDefinitions";
import { absoluteImportName, type ModuleResolver, type ResolvedModule, type SourceFiles } from "./moduleResolver";
import { registryOf, stateWrites, type DefinitionInModule, type ImportedDefinition } from "./registrations";
import { STANDARD_LIBRARY } from "./standardLibrary";

export type ModuleProblemCode = "LOCAL_STATE_AT_IMPORT" | "USER_C_EXTENSION" | "CIRCULAR_IMPORT" | "RELATIVE_IMPORT" | "MODULE_UNREADABLE";

export interface ModuleProblem {
  code: ModuleProblemCode;
  severity: "error" | "warning";
  /** The whole sentence, starting with the chain. */
  message: string;
}

/** A parsed module: what the analyzer keeps per file text. */
export interface ParsedModule {
  root: Node;
  index: ModuleIndex;
}

export interface ProjectContext {
  resolver: ModuleResolver;
  files: SourceFiles;
  /** Parses a module's text; the tree must stay alive until the bundle is assembled. */
  parse(path: string, text: string): ParsedModule;
  /** The file the function is in, as a module (for its relative imports), and its label in chains. */
  entry: { name: string; isPackage: boolean; label: string };
}

/** A statement that registers into a module's state (see registryOf), and that state. */
interface Registration {
  statement: Node;
  registry: { module: ProjectModule; names: string[]; decorators: Node[] };
}

interface ProjectModule {
  resolved: ResolvedModule;
  text?: string;
  parsed?: ParsedModule;
  included: Set<Node>;
  /** How it was first reached: labels from the entry file to it. */
  trail: string[];
  all: boolean;
}

/** Names at module level a statement reads from the disk or the environment through (by the called name's last part). */
const LOCAL_READS = new Map<string, string>([
  ["open", "read from a file"],
  ["read_text", "read from a file"],
  ["read_bytes", "read from a file"],
  ["read_csv", "read from a file"],
  ["read_json", "read from a file"],
  ["read_excel", "read from a file"],
  ["read_parquet", "read from a file"],
  ["read_table", "read from a file"],
  ["read_pickle", "read from a file"],
  ["loadtxt", "read from a file"],
  ["genfromtxt", "read from a file"],
  ["fromfile", "read from a file"],
  ["fileConfig", "read from a file"],
  ["listdir", "read from the local file system"],
  ["scandir", "read from the local file system"],
  ["walk", "read from the local file system"],
  ["glob", "read from the local file system"],
  ["iglob", "read from the local file system"],
  ["exists", "read from the local file system"],
  ["isfile", "read from the local file system"],
  ["isdir", "read from the local file system"],
  ["getcwd", "read from the local file system"],
  ["cwd", "read from the local file system"],
  ["expanduser", "read from the local environment"],
  ["getenv", "read from the environment"],
  ["environ", "read from the environment"],
  ["argv", "read from the command line"],
  ["gethostname", "read from the local machine"],
  ["__file__", "computed from the local file's path"],
]);

/** Read along no attribute: the name must only exist. */
const NOTHING: ReadonlySet<string> = new Set();
/** Used as a whole (passed around, or imported inside a function): all of it. */
const ANY: ReadonlySet<string> = new Set([""]);

export class ProjectModules {
  /** The modules shipped, by name. */
  private readonly modules = new Map<string, ProjectModule>();
  /** Every module read, shipped or only looked at (for its effects). */
  private readonly loaded = new Map<string, ProjectModule>();
  private readonly seen = new Set<string>();
  private readonly thirdParty = new Set<string>();
  private readonly reported = new Set<string>();
  private readonly registrations = new Map<ProjectModule, Registration[]>();
  /** `module\0name` of what the entry file's shipped imports take from project modules (they read it). */
  private readonly entryReads = new Set<string>();
  readonly problems: ModuleProblem[] = [];

  constructor(private readonly project: ProjectContext) {}

  /** Whether an import (from the entry file) names a module of the project; `module` as written. */
  isProjectImport(item: ImportItem): boolean {
    const name = this.absolute(item.module, undefined);
    return name !== undefined && this.project.resolver.resolve(name.split(".")[0]) !== undefined;
  }

  /** A relative import of the entry file made absolute, or undefined when it has no package to be relative to. */
  absoluteModule(module: string): string | undefined {
    return this.absolute(module, undefined);
  }

  /**
   * The entry file uses `item` (one of its imports) through the names bound, read along `chains`
   * ("" for the bound name itself). Returns the problems this newly uncovered.
   */
  useImport(item: ImportItem, chains: ReadonlySet<string>): ModuleProblem[] {
    const before = this.problems.length;
    const module = item.kind === "from" && chains.size > 0 ? this.absolute(item.module, undefined) : undefined;
    if (module !== undefined) this.entryReads.add(`${module}\0${item.name}`);
    this.item(undefined, item, chains, [this.project.entry.label]);
    return this.problems.slice(before);
  }

  /** Whether importing `module` (an import of the entry file) runs statements other than definitions. */
  hasImportEffects(item: ImportItem): boolean {
    const name = this.absolute(item.module, undefined);
    if (name === undefined) return false;
    const parts = name.split(".");
    return parts.some((_, i) => {
      const m = this.load(parts.slice(0, i + 1).join("."), [this.project.entry.label]);
      return m?.parsed !== undefined && effectStatements(m.parsed).length > 0;
    });
  }

  /** The definition a name the entry file imports from the project stands for (see registryOf). */
  entryImportedDefinition(def: ModuleDefinition, name: string): DefinitionInModule | undefined {
    return this.importedDefinition(undefined, def, name, [this.project.entry.label]);
  }

  /**
   * The packages around the entry file (`lab` for `lab/report.py`) are shipped: the entry runs as a
   * module of its own name, and importing it (as pickle does for its classes) imports them first.
   * Returns the problems this newly uncovered.
   */
  useEntryPackages(): ModuleProblem[] {
    const before = this.problems.length;
    const parent = this.project.entry.name.split(".").slice(0, -1).join(".");
    if (parent) this.importModule(parent, [this.project.entry.label]);
    return this.problems.slice(before);
  }

  /** Whether any of the project's modules is shipped. */
  shipsModules(): boolean {
    return [...this.modules.values()].some((m) => m.resolved.kind !== "extension");
  }

  /** Third-party top-level modules the shipped code imports (neither the project's nor the standard library's). */
  thirdPartyImports(): string[] {
    return [...this.thirdParty].sort();
  }

  /** Problems found only once the closure is complete: registrations into shipped state, import cycles among the shipped modules. */
  finish(): ModuleProblem[] {
    const before = this.problems.length;
    this.includeRegistrations();
    this.checkCycles();
    return this.problems.slice(before);
  }

  /** The modules to ship, parents before children, each blanked down to what is used. */
  shippedModules(): BundledModuleSource[] {
    const out: BundledModuleSource[] = [];
    for (const [name, m] of [...this.modules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const { resolved } = m;
      if (resolved.kind === "extension") continue;
      const path = resolved.path ?? `${resolved.searchPaths[0]}/__init__.py`;
      const source = m.parsed && m.text !== undefined ? keptText(m.text, m.parsed.root, m.included, m.all) : "";
      out.push({ name, path, isPackage: resolved.kind !== "module", source });
    }
    return out;
  }

  // --- the closure ---------------------------------------------------------------------------------

  private absolute(module: string, from: ProjectModule | undefined): string | undefined {
    if (!module.startsWith(".")) return module;
    const base = from ? { name: from.resolved.name, isPackage: from.resolved.kind !== "module" } : this.project.entry;
    return absoluteImportName(module, base.name, base.isPackage);
  }

  /** An import item run in `from` (undefined: the entry file), its bound name read along `chains`. */
  private item(from: ProjectModule | undefined, item: ImportItem, chains: ReadonlySet<string>, trail: string[]): void {
    const name = this.absolute(item.module, from);
    if (name === undefined) {
      this.report(trail, "RELATIVE_IMPORT", "error", `the relative import ${item.module} goes beyond the top-level package`);
      return;
    }
    const top = name.split(".")[0];
    if (top === "__future__") return;
    if (this.project.resolver.resolve(top) === undefined) {
      if (!STANDARD_LIBRARY.has(top)) this.thirdParty.add(top);
      return;
    }
    const target = this.importModule(name, trail);
    if (!target) return;
    const via = [...trail, name];
    switch (item.kind) {
      case "plain": {
        // `import a.b.c` binds `a`: its chains start at the top package.
        const root = this.modules.get(top);
        if (root) this.attributes(root, chains, [...trail, top]);
        break;
      }
      case "alias":
        this.attributes(target, chains, via);
        break;
      case "from": {
        // `from pkg import sub` binds the submodule unless the package binds that name itself.
        const sub = this.submoduleNamed(target, item.name!);
        const s = sub && this.importModule(sub, via);
        if (s) this.attributes(s, chains, [...trail, sub!]);
        else if (!sub) this.name(target, item.name!, chains, via);
        break;
      }
      case "star":
        this.star(target, via);
        break;
    }
  }

  /** Imports `name` as Python does: each parent package first. */
  private importModule(name: string, trail: string[]): ProjectModule | undefined {
    const parts = name.split(".");
    let m: ProjectModule | undefined;
    for (let i = 1; i <= parts.length; i++) {
      m = this.load(parts.slice(0, i).join("."), trail);
      if (!m) return undefined;
      this.modules.set(m.resolved.name, m);
      if (!this.seen.has(`effects:${m.resolved.name}`)) {
        this.seen.add(`effects:${m.resolved.name}`);
        if (m.parsed) for (const s of effectStatements(m.parsed)) this.include(m, s, m.trail);
        for (const f of m.parsed?.index.futureImports ?? []) m.included.add(f);
      }
    }
    return m;
  }

  /**
   * The registrations of shipped modules (see registryOf) whose registry is shipped: they ran when their
   * module was imported, so a function reading the registry finds them. Shipping one may ship more state,
   * so this goes on until nothing changes; a shipped module's import of a module that registers into
   * shipped state is shipped too, so the registering module is loaded on the endpoint as it was here.
   */
  private includeRegistrations(): void {
    for (let changed = true; changed; ) {
      changed = false;
      // Read once per round: what a round ships is seen by the next, until a round ships nothing.
      const readers = this.readers();
      for (const m of [...this.modules.values()]) {
        for (const { statement, registry } of this.registrationsOf(m)) {
          if (m.included.has(statement) || m.all || !this.readsAny(registry, readers)) continue;
          this.include(m, statement, m.trail);
          changed = true;
        }
        // An import kept only to load plugins (`from . import builtin`) is shipped once their registry is.
        for (const def of this.importDefinitions(m)) {
          if (m.included.has(def.statement) || !def.items?.some((i) => this.registersIntoShipped(i, m, readers))) continue;
          this.importStatement(m, def, m.trail);
          changed = true;
        }
      }
    }
  }

  /** Whether `item` (run in `from`, or in the entry file) imports a project module with registrations into state the bundle ships. */
  registersIntoShipped(item: ImportItem, from?: ProjectModule, readers = this.readers()): boolean {
    const name = this.absolute(item.module, from);
    if (name === undefined) return false;
    const trail = from?.trail ?? [this.project.entry.label];
    return (item.kind === "from" ? [name, `${name}.${item.name}`] : [name]).some((n) => {
      const m = this.project.resolver.resolve(n) ? this.load(n, trail) : undefined;
      return m !== undefined && this.registrationsOf(m).some((r) => this.readsAny(r.registry, readers));
    });
  }

  /** A module's registrations, each with the module and names of the state it writes (memoised per module). */
  private registrationsOf(m: ProjectModule): Registration[] {
    if (!m.parsed) return [];
    const known = this.registrations.get(m);
    if (known) return known;
    const out: Registration[] = [];
    for (const statement of m.parsed.root.namedChildren) {
      if (statement.type !== "decorated_definition") continue;
      let owner = m;
      const imported: ImportedDefinition = (def, name) => {
        const found = this.importedDefinition(m, def, name, m.trail);
        if (found) owner = found.module;
        return found;
      };
      const registry = registryOf(statement, m.parsed.index, imported);
      if (registry) out.push({ statement, registry: { module: owner, names: registry.names, decorators: registry.decorators } });
    }
    // Statements that register into another module's state directly (`REGISTRY["sq"] = square`).
    for (const statement of effectStatements(m.parsed)) {
      for (const root of stateWrites(statement)) {
        const item = m.parsed.index.byName.get(root)?.flatMap((d) => d.items ?? []).find((i) => i.kind === "from" && i.bound === root);
        const module = item && this.absolute(item.module, m);
        const owner = module !== undefined && this.project.resolver.resolve(module) ? this.load(module, m.trail) : undefined;
        if (owner) out.push({ statement, registry: { module: owner, names: [item!.name!], decorators: [] } });
      }
    }
    this.registrations.set(m, out);
    return out;
  }

  /**
   * Whether shipped code reads one of the registry's names (see readers); the registering decorators
   * themselves do not count (a function that is itself a registered command needs its decorator, not
   * every other command).
   */
  private readsAny({ module, names, decorators }: Registration["registry"], readers: Map<string, number[]>): boolean {
    if (!this.modules.has(module.resolved.name) || !module.parsed) return false;
    if (module.all || names.some((n) => this.entryReads.has(`${module.resolved.name}\0${n}`))) return true;
    return names.some((n) => readers.get(`${module.resolved.name}\0${n}`)?.some((id) => !decorators.some((d) => d.id === id)));
  }

  /**
   * The shipped statements reading each `module\0name`: a statement of the module that needs the name, or
   * an import of it in another module (the entry file's are in entryReads).
   */
  private readers(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    const add = (key: string, id: number) => {
      const ids = out.get(key);
      if (ids) ids.push(id);
      else out.set(key, [id]);
    };
    for (const m of this.modules.values()) {
      if (!m.parsed) continue;
      for (const s of m.included) {
        if (s.type !== "future_import_statement") for (const n of m.parsed.index.needs.needsOf(s).names.keys()) add(`${m.resolved.name}\0${n}`, s.id);
        for (const i of importItemsOf(s)) {
          const from = i.kind === "from" ? this.absolute(i.module, m) : undefined;
          if (from !== undefined && from !== m.resolved.name) add(`${from}\0${i.name}`, s.id);
        }
      }
    }
    return out;
  }

  /** The function a name imported by `def` (run in `from`) stands for in another module of the project. */
  private importedDefinition(from: ProjectModule | undefined, def: ModuleDefinition, name: string, trail: string[]): (DefinitionInModule & { module: ProjectModule }) | undefined {
    const item = def.items?.find((i) => i.kind === "from" && i.bound === name);
    const module = item && this.absolute(item.module, from);
    const m = module !== undefined && this.project.resolver.resolve(module) ? this.load(module, trail) : undefined;
    const found = m?.parsed?.index.byName.get(item!.name!)?.find((d) => d.kind === "function");
    return found && { statement: found.statement, index: m!.parsed!.index, module: m! };
  }

  private load(name: string, trail: string[]): ProjectModule | undefined {
    const known = this.loaded.get(name);
    if (known) return known;
    const resolved = this.project.resolver.resolve(name);
    if (!resolved) return undefined;
    const m: ProjectModule = { resolved, included: new Set(), trail: [...trail, name], all: false };
    this.loaded.set(name, m);
    if (resolved.kind === "extension") {
      this.report(m.trail, "USER_C_EXTENSION", "error", `is a compiled extension of this project (${resolved.path}): it cannot be sent; install it on the endpoint`);
      return m;
    }
    if (resolved.path) {
      const text = this.project.files.read(resolved.path);
      if (text === undefined) {
        this.report(m.trail, "MODULE_UNREADABLE", "error", `could not be read from ${resolved.path}`);
        return m;
      }
      m.text = text;
      m.parsed = this.project.parse(resolved.path, text);
    }
    return m;
  }

  /** Reads of a module object along `chains`: "" is the module itself (all of it is needed). */
  private attributes(m: ProjectModule, chains: ReadonlySet<string>, trail: string[]): void {
    for (const chain of chains) {
      if (chain === "") {
        this.all(m, trail);
        continue;
      }
      const dot = chain.indexOf(".");
      const first = dot < 0 ? chain : chain.slice(0, dot);
      this.name(m, first, new Set([dot < 0 ? "" : chain.slice(dot + 1)]), trail);
    }
  }

  /** `name` of module `m` is used, read along `chains`. */
  private name(m: ProjectModule, name: string, chains: ReadonlySet<string>, trail: string[]): void {
    const key = `${m.resolved.name}\0${name}\0${[...chains].join("\0")}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const defs = m.parsed?.index.byName.get(name);
    if (!defs) {
      // Not bound in the module: a submodule (`from pkg import sub`, `pkg.sub.x`), or a * import's.
      const sub = `${m.resolved.name}.${name}`;
      if (this.project.resolver.resolve(sub)) {
        // `pkg.sub` read as an attribute exists once something imported it: the package's own imports of it.
        for (const def of this.importDefinitions(m)) if (def.items?.some((i) => this.importsModule(m, i, sub))) this.importStatement(m, def, trail);
        const s = this.importModule(sub, trail);
        if (s) this.attributes(s, chains, [...trail.slice(0, -1), sub]);
        return;
      }
      for (const star of m.parsed?.index.starImports ?? []) this.importStatement(m, star, trail);
      // A module's `__getattr__` answers for the names it does not bind (PEP 562).
      if (m.parsed?.index.byName.has("__getattr__")) this.name(m, "__getattr__", ANY, trail);
      return;
    }
    for (const def of defs) {
      if (def.kind === "import") {
        this.importStatement(m, def, trail);
        for (const item of def.items ?? []) if (item.bound === name) this.item(m, item, chains, trail);
      } else {
        this.include(m, def.statement, trail, def);
      }
    }
  }

  /** A top-level import of `m` is shipped whole, so every name it imports must exist. */
  private importStatement(m: ProjectModule, def: ModuleDefinition, trail: string[]): void {
    if (m.included.has(def.statement)) return;
    m.included.add(def.statement);
    for (const item of def.items ?? []) this.item(m, item, NOTHING, trail);
  }

  private all(m: ProjectModule, trail: string[]): void {
    if (m.all || !m.parsed) return;
    m.all = true;
    const imports = new Map<number, ModuleDefinition>();
    for (const defs of m.parsed.index.byName.values()) for (const d of defs) if (d.kind === "import") imports.set(d.statement.id, d);
    for (const d of m.parsed.index.starImports) imports.set(d.statement.id, d);
    for (const s of m.parsed.root.namedChildren) {
      if (isMainGuard(s)) continue;
      const def = imports.get(s.id);
      if (def) {
        this.importStatement(m, def, trail);
        for (const item of def.items ?? []) this.item(m, item, ANY, trail);
      } else {
        this.include(m, s, trail);
      }
    }
  }

  /** `from m import *`: its `__all__`, or every public name, those its own `*` imports bring included. */
  private star(m: ProjectModule, trail: string[]): void {
    const index = m.parsed?.index;
    if (!index || this.seen.has(`star:${m.resolved.name}`)) return;
    this.seen.add(`star:${m.resolved.name}`);
    const declared = declaredAll(index);
    if (declared) this.name(m, "__all__", NOTHING, trail);
    else for (const def of index.starImports) this.importStatement(m, def, trail);
    for (const n of declared ?? [...index.byName.keys()].filter((n) => !n.startsWith("_"))) this.name(m, n, ANY, trail);
  }

  /**
   * The submodule `from m import name` binds, if it does: `m.name` is a module of the project and `m`
   * binds `name` only by importing that submodule (`from . import name` in its `__init__.py`), if at all.
   */
  private submoduleNamed(m: ProjectModule, name: string): string | undefined {
    const sub = `${m.resolved.name}.${name}`;
    if (!this.project.resolver.resolve(sub)) return undefined;
    const defs = m.parsed?.index.byName.get(name) ?? [];
    const bindsSub = (d: ModuleDefinition) => d.kind === "import" && (d.items ?? []).every((i) => i.bound !== name || this.importsModule(m, i, sub, true));
    return defs.every(bindsSub) ? sub : undefined;
  }

  /** Whether `item`, run in `m`, imports module `name` (`binds`: and binds it, as `from pkg import name` or `import pkg.name as x`). */
  private importsModule(m: ProjectModule, item: ImportItem, name: string, binds = false): boolean {
    const module = this.absolute(item.module, m);
    if (module === undefined) return false;
    const submodule = item.kind === "from" && `${module}.${item.name}` === name;
    if (binds) return submodule || (item.kind === "alias" && module === name);
    return submodule || module === name || module.startsWith(`${name}.`);
  }

  /** The module's top-level import statements, `*` imports included. */
  private importDefinitions(m: ProjectModule): ModuleDefinition[] {
    const index = m.parsed?.index;
    if (!index) return [];
    const defs = new Set<ModuleDefinition>(index.starImports);
    for (const list of index.byName.values()) for (const d of list) if (d.kind === "import") defs.add(d);
    return [...defs];
  }

  /** Ships a top-level statement of `m` and what it uses from `m` and beyond. */
  private include(m: ProjectModule, statement: Node, trail: string[], def?: ModuleDefinition): void {
    if (m.included.has(statement) || !m.parsed) return;
    m.included.add(statement);
    const local = localRead(statement);
    if (local) {
      const what = def?.binds.length ? def.binds.join(", ") : `the statement on line ${statement.startPosition.row + 1}`;
      this.report(trail, "LOCAL_STATE_AT_IMPORT", "error", `${what} ${local} at import, which is not there on the endpoint`);
    }
    const needs = (def ? (def.needs ??= m.parsed.index.needs.needsOf(statement)) : m.parsed.index.needs.needsOf(statement));
    for (const [n, chains] of needs.chains) {
      if (m.parsed.index.byName.has(n)) this.name(m, n, chains, trail);
      else if (!PYTHON_BUILTINS.has(n) && m.parsed.index.starImports.length) this.name(m, n, chains, trail);
    }
    for (const item of needs.nestedImports) this.item(m, item, ANY, trail);
  }

  private report(trail: string[], code: ModuleProblemCode, severity: ModuleProblem["severity"], what: string): void {
    const message = `${trail.join(" → ")} → ${what}`;
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.problems.push({ code, severity, message });
  }

  /**
   * Import cycles among the shipped modules (counting every top-level import of each, as Python runs
   * them all) in which a `from` import takes a value: whether it exists yet depends on which module
   * is imported first.
   */
  private checkCycles(): void {
    const edges = new Map<string, Map<string, boolean>>();
    for (const [name, m] of this.modules) edges.set(name, this.importEdges(m));
    const cycleFrom = (start: string, at: string, path: string[], visited: Set<string>): string[] | undefined => {
      for (const next of edges.get(at)?.keys() ?? []) {
        if (next === start) return [...path, next];
        if (visited.has(next) || !edges.has(next)) continue;
        visited.add(next);
        const found = cycleFrom(start, next, [...path, next], visited);
        if (found) return found;
      }
      return undefined;
    };
    for (const start of edges.keys()) {
      const path = cycleFrom(start, start, [start], new Set());
      const takesValue = path?.some((n, i) => i < path.length - 1 && edges.get(n)!.get(path[i + 1]) === true);
      // Each cycle once: from its alphabetically first module.
      if (path && takesValue && path.every((n) => n >= start)) {
        this.report([this.project.entry.label], "CIRCULAR_IMPORT", "warning", `circular import ${path.join(" → ")}: what each module sees of the other depends on which is imported first`);
      }
    }
  }

  /** The project modules a module imports at its top level, each with whether a `from` import takes a value from it. */
  private importEdges(m: ProjectModule): Map<string, boolean> {
    const out = new Map<string, boolean>();
    for (const def of this.importDefinitions(m)) {
      for (const item of def.items ?? []) {
        const name = this.absolute(item.module, m);
        if (!name || !this.project.resolver.resolve(name)) continue;
        const submodule = item.kind === "from" && this.project.resolver.resolve(`${name}.${item.name}`) !== undefined;
        if (submodule) out.set(`${name}.${item.name}`, out.get(`${name}.${item.name}`) ?? false);
        out.set(name, out.get(name) === true || ((item.kind === "from" && !submodule) || item.kind === "star"));
      }
    }
    return out;
  }
}

/** Top-level statements a module runs for their effect: not definitions, docstrings, `pass`, or a `__main__` block. */
function effectStatements(parsed: ParsedModule): Node[] {
  const bound = new Set<number>();
  for (const defs of parsed.index.byName.values()) for (const d of defs) bound.add(d.statement.id);
  for (const d of parsed.index.starImports) bound.add(d.statement.id);
  return parsed.root.namedChildren.filter((s) => {
    if (bound.has(s.id) || s.type === "comment" || s.type === "pass_statement" || s.type === "future_import_statement" || isMainGuard(s)) return false;
    if (s.type === "expression_statement" && s.namedChildCount === 1) {
      const e = s.namedChildren[0]!.type;
      if (e === "string" || e === "concatenated_string" || e === "ellipsis" || e === "identifier" || e === "integer") return false;
    }
    return true;
  });
}

function isMainGuard(statement: Node): boolean {
  if (statement.type !== "if_statement") return false;
  const cond = statement.childForFieldName("condition")?.text.replace(/\s+/g, "") ?? "";
  return /^__name__==(['"])__main__\1$|^(['"])__main__\2==__name__$/.test(cond);
}

/** How a statement reads local state when it runs at import (function bodies excluded), if it does. */
export function localRead(statement: Node): string | undefined {
  for (const n of statement.descendantsOfType(["identifier"])) {
    if (!n) continue;
    const reason = LOCAL_READS.get(n.text);
    if (!reason) continue;
    // A parameter name, a keyword, or a name bound inside a def only runs when called.
    let inBody = false;
    for (let p = n.parent; p && p.id !== statement.id; p = p.parent) {
      if (p.type === "function_definition" || p.type === "lambda") {
        inBody = true;
        break;
      }
    }
    if (inBody) continue;
    const parent = n.parent;
    if (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === n.id) continue;
    return reason;
  }
  return undefined;
}

/** `__all__ = [...]` of string literals, if the module declares it so. */
function declaredAll(index: ModuleIndex): string[] | undefined {
  const def = index.byName.get("__all__")?.[0];
  const value = def?.statement.namedChildren[0]?.childForFieldName("right");
  if (!value || (value.type !== "list" && value.type !== "tuple")) return undefined;
  const names = value.namedChildren.map((c) => (c.type === "string" ? c.namedChildren.find((x) => x.type === "string_content")?.text : undefined));
  return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
}

/**
 * The module's text with only the statements kept: the others become empty lines, so every kept line
 * has its own line number and tracebacks point at the file as it is.
 */
function keptText(text: string, root: Node, included: ReadonlySet<Node>, all: boolean): string {
  const keep = all ? root.namedChildren.filter((s) => s.type !== "comment" && !isMainGuard(s)) : [...included].sort((a, b) => a.startIndex - b.startIndex);
  let out = "";
  let at = 0;
  const blank = (s: string) => s.replace(/\r\n?|\n|[^]/g, (c) => (c === "\n" || c === "\r" || c === "\r\n" ? "\n" : ""));
  for (const s of keep) {
    if (s.startIndex < at) continue;
    out += blank(text.slice(at, s.startIndex));
    // The statement's own indentation on its line (it is top-level, so column 0 unless after a `;`).
    out += text.slice(s.startIndex, s.endIndex).replace(/\r\n?/g, "\n");
    at = s.endIndex;
  }
  return out + blank(text.slice(at));
}

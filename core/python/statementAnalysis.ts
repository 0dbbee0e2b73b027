import type { Node } from "web-tree-sitter";
import { importItemsOf, type ImportItem } from "./importItems";
import { attributeChains, statementNames } from "./scopes";
import type { OffsetRange } from "./syntax";
import { unlessTooDeep } from "./tooDeep";

/** What a top-level statement needs from the module: each free name with its first use. */
export interface StatementNeeds {
  /** Free and `global` names, with the range of their first use relative to the statement's start. */
  names: Map<string, OffsetRange>;
  /** For each free name, the attribute paths read from it (`units.to_kelvin` for `lab.units.to_kelvin`; "" for a bare use). */
  chains: Map<string, Set<string>>;
  /** Names the statement binds in the module. */
  bound: string[];
  /** What import statements nested in it (in a function body, say) bring in when that code runs. */
  nestedImports: ImportItem[];
  /** Where the import statement of each of `nestedImports` is, relative to the statement's start. */
  nestedImportsAt: OffsetRange[];
  starImport: boolean;
  /** Names its functions bind in the module through `global`. */
  assignsGlobal?: string[];
  /** Nested too deeply to analyse: what it needs and binds is unknown. */
  tooDeep?: boolean;
}

/** An analysis of one top-level statement that depends on its text alone (see StatementNeedsCache.memo). */
export type StatementAnalysis<T> = (statement: Node) => T;

/**
 * Analyses of top-level statements memoised by statement text, so that after an edit only the
 * statements that changed are walked again (walking the tree is the costly part of a dependency
 * closure or of a file's diagnostics). Everything memoised is relative to the statement's start, and
 * holds no tree node and no string of the document's (see detached).
 */
export class StatementNeedsCache {
  private readonly cache = new Map<string, Map<StatementAnalysis<unknown>, unknown>>();

  /** Entries kept at least (see room). */
  private maxEntries: number;

  constructor(private readonly minEntries = 20_000) {
    this.maxEntries = minEntries;
  }

  /**
   * Makes room for the statements of the texts being analysed: a file with more statements than the
   * cache holds would evict its own early statements before a pass over it is done, and a pass would
   * analyse them again.
   */
  room(statements: number): void {
    this.maxEntries = Math.max(this.minEntries, 2 * statements);
  }

  needsOf(statement: Node): StatementNeeds {
    return this.memo(statement, analyseNeeds);
  }

  /** `analysis(statement)`, computed once per statement text. */
  memo<T>(statement: Node, analysis: StatementAnalysis<T>): T {
    const text = statement.text;
    let entry = this.cache.get(text);
    if (!entry) {
      // The oldest entry goes first, so a long editing session cannot grow the cache without limit.
      while (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      entry = new Map();
      this.cache.set(detached(text), entry);
    }
    if (entry.has(analysis)) return entry.get(analysis) as T;
    const result = detached(analysis(statement));
    entry.set(analysis, result);
    return result;
  }
}

/**
 * `value` with its strings copied. V8 makes a string of 13 characters or more sliced from another one
 * point into it, so a name or a statement text taken from a document keeps that whole version of the
 * document alive; memoised analyses outlive many versions. (Concatenating flattens into a new string.)
 */
export function detached<T>(value: T): T {
  if (typeof value === "string") return (value.length < 13 ? value : (" " + value).slice(1)) as T;
  if (Array.isArray(value)) return value.map(detached) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [detached(k), detached(v)])) as T;
  if (value instanceof Set) return new Set([...value].map(detached)) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, detached(v)])) as T;
  return value;
}

function analyseNeeds(statement: Node): StatementNeeds {
  const base = statement.startIndex;
  const nestedImports: ImportItem[] = [];
  const nestedImportsAt: OffsetRange[] = [];
  for (const n of statement.descendantsOfType(["import_statement", "import_from_statement"])) {
    if (!n || n.id === statement.id) continue;
    for (const item of importItemsOf(n)) {
      nestedImports.push(item);
      nestedImportsAt.push({ start: n.startIndex - base, end: n.endIndex - base });
    }
  }
  const names = unlessTooDeep(() => statementNames([statement]));
  if (!names) return { names: new Map(), chains: new Map(), bound: [], nestedImports, nestedImportsAt, starImport: false, tooDeep: true };
  const firstUses = new Map<string, OffsetRange>();
  const chains = new Map<string, Set<string>>();
  for (const map of [names.free, names.globals]) {
    for (const [name, uses] of map) {
      if (!firstUses.has(name)) firstUses.set(name, { start: uses[0].startIndex - base, end: uses[0].endIndex - base });
      const c = chains.get(name);
      if (c) for (const x of attributeChains(uses)) c.add(x);
      else chains.set(name, attributeChains(uses));
    }
  }
  const needs: StatementNeeds = { names: firstUses, chains, bound: [...names.bound], nestedImports, nestedImportsAt, starImport: names.starImport };
  if (names.assignsGlobal) needs.assignsGlobal = [...names.assignsGlobal];
  return needs;
}

/** `range`, relative to `base`, in document offsets. */
export function at(base: number, range: OffsetRange): OffsetRange {
  return { start: base + range.start, end: base + range.end };
}

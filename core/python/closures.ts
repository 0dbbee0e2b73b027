import type { Node } from "web-tree-sitter";
import { functionsIn, type ListedFunction } from "./functions";
import { statementNames, type ScopeNames } from "./scopes";
import type { OffsetRange } from "./syntax";
import { unlessTooDeep } from "./tooDeep";

/** A nested function's use of a local of a function around it: its value is not sent with it. */
export interface Closure {
  name: string;
  /** The first use, relative to the top-level statement. */
  range: OffsetRange;
  message: string;
}

/**
 * For each function nested in another in a top-level statement, by the start of its name relative to
 * the statement: its uses of the locals of the functions around it, innermost function first.
 * Undefined when the statement is too deep to analyse. From one scope walk of the statement, each
 * function's scope walked once; a name resolves to its innermost binding function through a stack
 * per name, so deeply nested functions cost linear time, not a walk of every enclosing function each.
 * Depends on the statement's text alone (see StatementNeedsCache.memo).
 */
export function closuresIn(statement: Node): Map<number, Closure[]> | undefined {
  return nestedClosures(statement, functionsIn(statement));
}

/** closuresIn, for the functions of `statement` already listed. */
export function nestedClosures(statement: Node, listed: readonly ListedFunction[]): Map<number, Closure[]> | undefined {
  const out = new Map<number, Closure[]>();
  if (!listed.some((f) => f.outer)) return out;
  const scopes = new Map<number, ScopeNames>();
  if (!unlessTooDeep(() => statementNames([statement], scopes))) return undefined;
  const base = statement.startIndex;
  const nameOf = (f: ListedFunction) => f.def.childForFieldName("name");
  // The functions around the current one, outermost first; for each name, the levels of those binding it.
  const around: ListedFunction[] = [];
  const binders = new Map<string, number[]>();
  const boundBy = (f: ListedFunction) => scopes.get(f.def.id)?.bound ?? [];
  for (const f of listed) {
    while (around.length && around[around.length - 1] !== f.outer) for (const n of boundBy(around.pop()!)) binders.get(n)!.pop();
    const name = nameOf(f);
    const names = f.outer && name ? unlessTooDeep(() => statementNames([f.statement], scopes)) : undefined;
    if (name && names) {
      const found: { level: number; name: string; use: Node }[] = [];
      for (const [free, uses] of names.free) {
        const levels = binders.get(free);
        if (levels?.length) found.push({ level: levels[levels.length - 1], name: free, use: uses[0] });
      }
      found.sort((a, b) => b.level - a.level);
      const closures = found.map(({ level, name: used, use }) => ({ name: used, range: relative(base, use), message: closureMessage(used, nameOf(around[level])?.text, name.text) }));
      if (closures.length) out.set(name.startIndex - base, closures);
    }
    for (const n of boundBy(f)) {
      const levels = binders.get(n);
      if (levels) levels.push(around.length);
      else binders.set(n, [around.length]);
    }
    around.push(f);
  }
  return out;
}

function closureMessage(name: string, owner: string | undefined, fn: string | undefined): string {
  return `${name} belongs to the enclosing function ${owner}; its value is not sent with ${fn}, so pass it as an argument`;
}

export function relative(base: number, node: Node): OffsetRange {
  return { start: node.startIndex - base, end: node.endIndex - base };
}

/**
 * The variables a multi-user endpoint's Jinja template reads from `user_endpoint_config`, for sites that
 * publish a template but no schema: `{{ account }}`, `{{ worker_init|default('') }}`, `{% if queue %}`…
 * The endpoint renders with `StrictUndefined`, so a variable the template *uses* in any way (prints, tests
 * with `if`, compares, filters, iterates) must be set; it is optional only where the template guards it:
 * `x|default(…)` / `x|d(…)` on the name itself, `x is defined` / `is not defined` / `is undefined` (and
 * what those guard: `x if x is defined else …`, `{% if x is defined and x %}`), or a fallback that runs
 * only when a guarded name is missing, a name given as `default(…)`'s argument, or a `{% for %}…{% else %}` branch.
 * Names the template binds (loop targets, `set`, macro parameters, `with`, imports) are not variables where
 * they are bound, nor are Jinja's globals (`range`, `namespace`…) or the names the endpoint manager supplies.
 * The golden reference is Jinja itself: test/fixtures/jinja/templateVariables.json (made by generate.py there).
 */
import { parseTemplate, type Expr, type Node } from "./jinjaSyntax";

export interface TemplateVariable {
  name: string;
  /** The literal text of `|default(…)`'s first argument, when the template gives one. */
  defaultText?: string;
  /** The template renders without it: it is only read behind a guard (a default, a definedness test, a fallback). */
  optional: boolean;
}

/** Supplied by the endpoint manager, never by the user (globus-compute `RESERVED_USER_CONFIG_TEMPLATE_VARIABLES`). */
export const RESERVED_TEMPLATE_NAMES: ReadonlySet<string> = new Set(["parent_config", "user_runtime", "mapped_identity", "_GC"]);

/** Jinja's default globals, and `self`: never looked up in the render arguments. */
const GLOBALS = new Set(["range", "dict", "lipsum", "cycler", "joiner", "namespace", "self"]);

/** Where an expression is evaluated: names bound there, names known defined, and whether that is a fallback path. */
interface Context {
  scope: Scope;
  defined: ReadonlySet<string>;
  optional: boolean;
}

/** Names a template binds, innermost first; `maybe`: bound on some paths only (a `set` inside an `if`). */
class Scope {
  readonly bound = new Set<string>();
  readonly maybe = new Set<string>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): "bound" | "maybe" | undefined {
    if (this.bound.has(name)) return "bound";
    if (this.maybe.has(name)) return "maybe";
    return this.parent?.lookup(name);
  }
}

/** What a condition tells when true and when false: names then known defined, and names then known missing. */
interface Facts {
  whenTrue: { defined: Set<string>; missing: Set<string> };
  whenFalse: { defined: Set<string>; missing: Set<string> };
}

export function templateVariables(template: string): TemplateVariable[] {
  const found = new Map<string, { defaultText?: string; required: boolean }>();

  const record = (name: string, ctx: Context, required: boolean, defaultText?: string): void => {
    const bound = ctx.scope.lookup(name);
    if (bound === "bound" || GLOBALS.has(name) || RESERVED_TEMPLATE_NAMES.has(name)) return;
    const seen = found.get(name);
    found.set(name, {
      defaultText: seen?.defaultText ?? defaultText,
      required: (seen?.required ?? false) || (required && bound === undefined && !ctx.optional && !ctx.defined.has(name)),
    });
  };

  const read = (e: Expr | undefined, ctx: Context): void => {
    if (!e) return;
    switch (e.k) {
      case "name":
        return record(e.name, ctx, true);
      case "const":
        return;
      case "op":
        return e.items.forEach((x) => read(x, ctx));
      case "access":
        read(e.value, ctx);
        return e.args.forEach((x) => read(x, ctx));
      case "filter": {
        const isDefault = e.name === "default" || e.name === "d";
        if (isDefault && e.value?.k === "name") record(e.value.name, ctx, false, e.firstArgText ?? "");
        else read(e.value, ctx);
        // Arguments are evaluated first; a default's bare name is only passed along, and shown only when the value is missing.
        return e.args.forEach((x) => (isDefault && x.k === "name" ? record(x.name, ctx, false) : read(x, ctx)));
      }
      case "test":
        if (isDefinednessTest(e) && e.value.k === "name") record(e.value.name, ctx, false);
        else read(e.value, ctx);
        return e.args.forEach((x) => read(x, ctx));
      case "not":
        return read(e.value, ctx);
      case "and":
      case "or": {
        read(e.left, ctx);
        const facts = factsOf(e.left);
        return read(e.right, under(ctx, e.k === "and" ? facts.whenTrue : facts.whenFalse));
      }
      case "cond": {
        read(e.test, ctx);
        const facts = factsOf(e.test);
        read(e.then, under(ctx, facts.whenTrue));
        return read(e.else, under(ctx, facts.whenFalse));
      }
    }
  };

  const walk = (nodes: readonly Node[], ctx: Context): void => {
    for (const n of nodes) {
      switch (n.k) {
        case "output":
          read(n.expr, ctx);
          break;
        case "if": {
          // Each arm runs when the earlier tests failed and its own passed; `set`s in an arm bind on that path only.
          let before: Facts["whenTrue"] = { defined: new Set(), missing: new Set() };
          const arms: Scope[] = [];
          for (const arm of n.arms) {
            const armCtx = under(ctx, before);
            read(arm.test, armCtx);
            const facts = arm.test ? factsOf(arm.test) : undefined;
            const scope = new Scope(ctx.scope);
            walk(arm.body, { ...under(armCtx, facts?.whenTrue ?? none()), scope });
            arms.push(scope);
            if (facts) before = both(before, facts.whenFalse);
          }
          const complete = n.arms.at(-1)?.test === undefined;
          for (const scope of arms)
            for (const name of [...scope.bound, ...scope.maybe]) {
              if (complete && arms.every((s) => s.bound.has(name))) ctx.scope.bound.add(name);
              else ctx.scope.maybe.add(name);
            }
          break;
        }
        case "for": {
          read(n.iter, ctx);
          const loop = new Scope(ctx.scope);
          for (const name of [...n.targets, "loop"]) loop.bound.add(name);
          read(n.cond, { ...ctx, scope: loop });
          walk(n.body, { ...ctx, scope: loop });
          walk(n.else, { ...ctx, scope: new Scope(ctx.scope), optional: true });
          break;
        }
        case "set":
          n.reads.forEach((x) => read(x, ctx));
          if (n.body) walk(n.body, { ...ctx, scope: new Scope(ctx.scope) });
          for (const name of n.names) ctx.scope.bound.add(name);
          break;
        case "macro": {
          n.reads.forEach((x) => read(x, ctx));
          if (n.name) ctx.scope.bound.add(n.name);
          const inner = new Scope(ctx.scope);
          for (const name of [...n.params, "varargs", "kwargs", "caller"]) inner.bound.add(name);
          walk(n.body, { ...ctx, scope: inner });
          break;
        }
        case "scope": {
          n.reads.forEach((x) => read(x, ctx));
          const inner = new Scope(ctx.scope);
          for (const name of n.names) inner.bound.add(name);
          walk(n.body, { ...ctx, scope: inner });
          break;
        }
        case "bind":
          n.reads.forEach((x) => read(x, ctx));
          for (const name of n.names) ctx.scope.bound.add(name);
          break;
      }
    }
  };

  walk(parseTemplate(template), { scope: new Scope(), defined: new Set(), optional: false });
  return [...found].map(([name, v]) => ({ name, ...(v.defaultText !== undefined ? { defaultText: v.defaultText } : {}), optional: !v.required }));
}

function isDefinednessTest(e: Extract<Expr, { k: "test" }>): boolean {
  return e.name === "defined" || e.name === "undefined";
}

/** The context of code that runs only when `facts` hold: a path where a guarded name is missing is a fallback. */
function under(ctx: Context, facts: Facts["whenTrue"]): Context {
  return { ...ctx, defined: new Set([...ctx.defined, ...facts.defined]), optional: ctx.optional || facts.missing.size > 0 };
}

function none(): Facts["whenTrue"] {
  return { defined: new Set(), missing: new Set() };
}

function both(a: Facts["whenTrue"], b: Facts["whenTrue"]): Facts["whenTrue"] {
  return { defined: new Set([...a.defined, ...b.defined]), missing: new Set([...a.missing, ...b.missing]) };
}

function either(a: Facts["whenTrue"], b: Facts["whenTrue"]): Facts["whenTrue"] {
  return { defined: new Set([...a.defined].filter((n) => b.defined.has(n))), missing: new Set([...a.missing].filter((n) => b.missing.has(n))) };
}

function factsOf(e: Expr): Facts {
  if (e.k === "test" && isDefinednessTest(e) && e.value.k === "name") {
    const known = { defined: new Set([e.value.name]), missing: new Set<string>() };
    const unknown = { defined: new Set<string>(), missing: new Set([e.value.name]) };
    return (e.name === "defined") !== e.negated ? { whenTrue: known, whenFalse: unknown } : { whenTrue: unknown, whenFalse: known };
  }
  if (e.k === "not") {
    const f = factsOf(e.value);
    return { whenTrue: f.whenFalse, whenFalse: f.whenTrue };
  }
  if (e.k === "and" || e.k === "or") {
    const l = factsOf(e.left);
    const r = factsOf(e.right);
    return e.k === "and"
      ? { whenTrue: both(l.whenTrue, r.whenTrue), whenFalse: either(l.whenFalse, r.whenFalse) }
      : { whenTrue: either(l.whenTrue, r.whenTrue), whenFalse: both(l.whenFalse, r.whenFalse) };
  }
  return { whenTrue: none(), whenFalse: none() };
}

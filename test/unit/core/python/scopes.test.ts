import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PythonParser } from "../../../../core/python/pythonParser";
import { scopeNamesOf, statementNames } from "../../../../core/python/scopes";

let parser: PythonParser;
before(async () => {
  parser = await PythonParser.load();
});
after(() => parser.dispose());

/** Free names (sorted) of the first top-level function in `source`, and names it declares global. */
function freeNames(source: string): { free: string[]; globals: string[] } {
  const { tree } = parser.parse(source);
  try {
    const fn = tree.rootNode.namedChildren.find((n) => n.type === "function_definition")!;
    const names = scopeNamesOf(fn);
    return { free: [...names.free.keys()].sort(), globals: [...names.globals.keys()].sort() };
  } finally {
    tree.delete();
  }
}

test("parameters, assignments, loops, with/except targets, imports and walrus bind locally", () => {
  const { free } = freeNames(`
def f(a, b=DEFAULT, *args: Ann, c, **kw) -> Ret:
    x = a
    y, (z, *w) = b, (1, 2, 3)
    for i, j in pairs:
        pass
    with open(p) as fh, ctx() as (u, v):
        pass
    try:
        pass
    except Err as e:
        pass
    import os.path
    from m import q as r
    if (n := len(x)):
        pass
    del x
    return x, y, z, w, i, j, fh, u, v, e, os, r, n, args, kw, c, undefined
`);
  // Defaults and annotations are evaluated where the def is, so they are not the body's free names.
  assert.deepEqual(free, ["Err", "ctx", "len", "open", "p", "pairs", "undefined"]);
});

test("attributes and keyword argument names are not name uses; the object is", () => {
  assert.deepEqual(freeNames("def f():\n    return np.linalg.norm(x=obj.attr, axis=AX)\n").free, ["AX", "np", "obj"]);
});

test("global and nonlocal; nested functions see the enclosing function, methods skip the class", () => {
  const r = freeNames(`
def f():
    global G, SET_ONLY
    G += 1
    SET_ONLY = 2
    def g():
        nonlocal_use = local_a
        return H
    local_a = 2
    class C:
        attr = 3
        def m(self):
            return attr, local_a
    return g, C
`);
  assert.deepEqual(r.free, ["H", "attr"]);
  assert.deepEqual(r.globals, ["G"]);
});

test("comprehension variables are local to the comprehension", () => {
  assert.deepEqual(freeNames("def f(xs):\n    return [y for y in xs if y > LIMIT], {k: v for k, v in d.items()}, y\n").free, ["LIMIT", "d", "y"]);
});

test("match patterns capture names; dotted patterns and class patterns use them", () => {
  const r = freeNames(`
def f(cmd):
    match cmd:
        case Point(x=0, y=yy) | [aa, *rest]:
            return yy, aa, rest
        case Color.RED:
            return other
`);
  assert.deepEqual(r.free, ["Color", "Point", "other"]);
});

test("match: `as` aliases and a mapping's `**rest` capture too", () => {
  const r = freeNames(`
def f(v):
    match v:
        case str() as s:
            return s
        case [int() as first, *rest]:
            return first, rest
        case {"k": v2, **others}:
            return v2, others
        case (1 | 2) as z:
            return z
`);
  assert.deepEqual(r.free, ["int", "str"]);
});

test("a walrus in a comprehension binds in the enclosing function (PEP 572), through nested comprehensions", () => {
  const r = freeNames(`
def f(xs):
    if any((hit := x) > LIMIT for x in xs):
        return hit
    return [[z for x in row if (z := x)] for row in xs], z
`);
  assert.deepEqual(r.free, ["LIMIT", "any"]);
});

test("names a function binds through `global` are told apart from those it only reads", () => {
  const { tree } = parser.parse("def f():\n    global CREATED, READ, BUMPED\n    CREATED = 1\n    BUMPED += READ\n    return CREATED\n");
  try {
    const names = scopeNamesOf(tree.rootNode.namedChildren[0]);
    assert.deepEqual([...names.globals.keys()].sort(), ["BUMPED", "CREATED", "READ"]);
    assert.deepEqual([...(names.assignsGlobal ?? [])].sort(), ["BUMPED", "CREATED"]);
  } finally {
    tree.delete();
  }
});

test("statementNames: a module-level def binds its name and needs its decorators and defaults", () => {
  const { tree } = parser.parse("@deco(ARG)\ndef f(a=DEF):\n    return f(a) + helper(a)\n");
  try {
    const names = statementNames(tree.rootNode.namedChildren);
    assert.deepEqual([...names.bound], ["f"]);
    assert.deepEqual([...names.free.keys()].sort(), ["ARG", "DEF", "deco", "helper"]);
  } finally {
    tree.delete();
  }
});

test("PEP 695 type parameters are names of the generic def, class or alias, not free names", () => {
  const { tree } = parser.parse(
    [
      "def first[T: Bound, *Ts, **P](xs: list[T], d=DEFAULT) -> T:",
      "    y: T = xs[0]",
      "    return y, Ts, P, missing",
      "class Box[K](Base[K]):",
      "    def get[V](self, v: V) -> K:",
      "        return K, V, attr",
      "    attr = 1",
      "type Pair[A] = tuple[A, Other]",
      "type Plain = Alias",
      "",
    ].join("\n"),
  );
  try {
    const names = statementNames(tree.rootNode.namedChildren);
    assert.deepEqual([...names.bound].sort(), ["Box", "Pair", "Plain", "first"]);
    // A method's body skips the class's own names even through its type parameters' scope.
    assert.deepEqual([...names.free.keys()].sort(), ["Alias", "Base", "Bound", "DEFAULT", "Other", "attr", "list", "missing", "tuple"]);
  } finally {
    tree.delete();
  }
});

/**
 * The modules of core/ and extension/ import each other without a loop (type-only imports included): a
 * loop such as the one output and the task feed once had means two modules share a job that one of them
 * should own.
 */
import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import * as ts from "typescript";

const ROOT = resolve(__dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(dir, f));
}

/** The repository-relative files `file` imports (or re-exports from) by relative path. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .filter((i) => i.fileName.startsWith("."))
    .map((i) => resolve(dirname(file), i.fileName))
    .map((p) => [`${p}.ts`, join(p, "index.ts"), p].find((c) => c.endsWith(".ts") && existsSync(c)))
    .filter((p): p is string => p !== undefined);
}

/** The import loops among `files`: strongly connected components of more than one module, or a module importing itself. */
function loops(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.map((f) => relative(ROOT, f)).sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test("core/ and extension/ have no import loops", () => {
  const files = [...sources(join(ROOT, "core")), ...sources(join(ROOT, "extension"))];
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  assert.ok(graph.size > 100, "the sources were found");
  assert.ok((graph.get(join(ROOT, "extension/extension.ts"))?.length ?? 0) > 30, "the composition root's imports were resolved");
  assert.deepEqual(loops(graph), []);
});

test("a loop is found (output ↔ tasks, as it once was)", () => {
  const graph = new Map([
    ["extension/output/resultOutput.ts", ["extension/tasks/futureFeed.ts"]],
    ["extension/tasks/futureFeed.ts", ["core/util/event.ts", "extension/output/resultOutput.ts"]],
    ["core/util/event.ts", []],
  ]);
  assert.deepEqual(loops(new Map([...graph].map(([k, v]) => [join(ROOT, k), v.map((p) => join(ROOT, p))]))), [
    ["extension/output/resultOutput.ts", "extension/tasks/futureFeed.ts"],
  ]);
});

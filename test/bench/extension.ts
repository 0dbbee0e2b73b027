/**
 * The extension's own costs: production bundle size, and the Tasks tree with 10k tasks (add them, apply
 * one update per task and render the refresh, render one page of rows). Prints one JSON object per line.
 * Run alone with `node --import tsx test/bench/extension.ts`, or via `npm run bench -- extension`.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { TaskGroupModel } from "../../extension/tasks/taskGroupModel";
import { TaskTreeDataProvider } from "../../extension/tasks/taskTreeDataProvider";

const TASKS = 10_000;

/** Best of `runs` milliseconds. */
function bestMs(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round(best * 100) / 100;
}

async function bundleSize(): Promise<void> {
  // Built into a temp dir with the production options, so dist/ (used by running tests) is left alone.
  const dir = await mkdtemp(join(tmpdir(), "gc-bench-bundle-"));
  try {
    await esbuild.build({
      entryPoints: { extension: join(__dirname, "../../extension/extension.ts") },
      outdir: dir,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      external: ["vscode"],
      minify: true,
      legalComments: "none",
      logLevel: "silent",
    });
    const bytes = (await stat(join(dir, "extension.js"))).size;
    console.log(JSON.stringify({ bench: "extension.bundle", file: "dist/extension.js", minified: true, bytes }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function tree10k(): void {
  const endpoint = { name: "local", id: "local" };
  const calls = Array.from({ length: TASKS }, (_, i) => ({ call: `double(${i})`, state: "queued", submittedAt: 0 }));
  let model = new TaskGroupModel();
  let tree = new TaskTreeDataProvider(model, { toTreeItem: (d) => d });
  const fresh = () => {
    tree.dispose();
    model = new TaskGroupModel();
    tree = new TaskTreeDataProvider(model, { toTreeItem: (d) => d });
    model.add({ key: "g", functionName: "double", endpoint, createdAt: 0, tasks: calls });
    tree.flush();
  };
  const addMs = bestMs(5, fresh);
  let refreshes = 0;
  const updateMs = bestMs(5, () => {
    fresh();
    refreshes = 0;
    tree.onDidChangeTreeData(() => refreshes++);
    for (let i = 0; i < TASKS; i++) model.updateTask("g", i, { state: "success", resultPreview: String(2 * i), finishedAt: 5 });
    tree.flush();
  });
  const renderMs = bestMs(20, () => {
    const [group] = tree.getChildren();
    tree.getTreeItem(group);
    for (const row of tree.getChildren(group)) tree.getTreeItem(row);
  });
  console.log(JSON.stringify({ bench: "extension.tree.add", tasks: TASKS, ms: addMs }));
  console.log(JSON.stringify({ bench: "extension.tree.update_all", tasks: TASKS, ms: updateMs, treeRefreshes: refreshes }));
  console.log(
    JSON.stringify({ bench: "extension.tree.render_page", tasks: TASKS, rows: tree.getChildren(tree.getChildren()[0]).length, ms: renderMs }),
  );
  tree.dispose();
}

export async function run(): Promise<void> {
  await bundleSize();
  tree10k();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void run();

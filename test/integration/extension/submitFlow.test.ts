/**
 * Submit → tree → output → store → reload, through the extension's glue with the real language analysis,
 * the real local endpoint (Python workers) and the real Executor; only the vscode UI is faked.
 */
import * as assert from "node:assert/strict";
import { after, test } from "node:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { saveResultsAs } from "../../../extension/output/resultsExport";
import { BUSY_AFTER_MS } from "../../../extension/submit/submitCommands";
import { TASK_GROUPS_KEY } from "../../../extension/state/taskGroupStore";
import { memento } from "../../unit/extension/fakes";
import { MemoryComputeService } from "../../support/memoryComputeService";
import type { LocalEndpointClient } from "../../../core/service/local/localEndpointClient";
import { createGlue, tempStorage, until, type Glue, type GlueOptions } from "./glue";

const URI = "file:///work/examples.py";
const EXAMPLES = `import time


def double(x):
    print("doubling", x)
    return x * 2


def strict(N: int, limit=3):
    if N > limit:
        raise ValueError(f"{N} is over {limit}")
    return N


def nap(s):
    time.sleep(s)
    return s


def kind(v):
    return f"{type(v).__name__} {v!r}"


def chatty(s):
    print("starting", s, flush=True)
    time.sleep(s)
    print("done", s)
    return (s, "slept")


def no_args():
    return "hi"


class Thing:
    def method(self):
        return 1
`;

const storage = tempStorage();
after(() => storage.remove());

function glue(state = memento(), more: Partial<GlueOptions> = {}): Glue {
  const g = createGlue({ workspaceState: state, storageDir: storage.dir, ...more });
  g.open(URI, EXAMPLES, "return x * 2");
  return g;
}

const tasksOf = (g: Glue) => g.model.groups[0]?.tasks ?? [];

test("Submit Function with Arguments…: double(7) → 14 in the tree and the output, stored, arguments remembered", async (t) => {
  const state = memento();
  const g = glue(state);
  t.after(() => g.dispose());
  g.ui.answers = ["7"];
  await g.submit.submitFunctionWithArguments();
  assert.equal(g.ui.inputs[0].prompt, "Arguments for double(x), as in a Python call (literals only)");
  assert.equal(g.ui.inputs[0].value, "");
  await until(() => tasksOf(g)[0]?.resultPreview !== undefined, "double(7) to succeed");
  const [task] = tasksOf(g);
  assert.equal(task.call, "double(7)");
  assert.equal(task.resultPreview, "14");
  assert.match(task.taskId ?? "", /^[0-9a-f-]{36}$/);
  assert.equal(g.model.groups[0].functionName, "double");
  assert.match(g.output[0].text, /^double\(7\) → 14 {2}\(\d+ ms · task [0-9a-f-]{36}\)\n {2}stdout:\n {4}\| doubling 7$/);

  await until(() => g.store.list().length === 1, "the group to be stored");
  const [stored] = state.get(TASK_GROUPS_KEY) as { taskGroupId: string; calls: unknown[]; service: string; origin: unknown }[];
  assert.equal(stored.taskGroupId, g.model.groups[0].taskGroupId);
  assert.deepEqual(stored.calls, [{ call: "double(7)", taskId: task.taskId }]);
  assert.equal(stored.service, "local");
  // The bundle is the def alone: its 3 lines are the file's lines 4-6.
  assert.deepEqual(stored.origin, { uri: URI, name: "double", offset: EXAMPLES.indexOf("double(x)"), lineMap: [[1, 4, 3]] });

  g.ui.answers = [undefined];
  await g.submit.submitFunctionWithArguments();
  assert.equal(g.ui.inputs[1].value, "7", "prefilled with the last arguments");
});

test("a submission slow to start says so in the status bar; a quick one does not", async (t) => {
  const g = glue(memento(), { coldStartMs: 3 * BUSY_AFTER_MS });
  t.after(() => g.dispose());
  g.ui.answers = ["1"];
  await g.submit.submitFunctionWithArguments();
  assert.deepEqual(g.ui.busy, ["Submitting double to local…"]);
  await until(() => tasksOf(g)[0]?.resultPreview === "2", "double(1)");
  g.ui.answers = ["2"];
  await g.submit.submitFunctionWithArguments();
  await until(() => tasksOf(g)[1]?.resultPreview === "4", "double(2)");
  assert.deepEqual(g.ui.busy, ["Submitting double to local…"], "the group named and the endpoint up: nothing slow to show");
});

test("values JSON cannot carry exactly (a tuple, a big int, a set) go as pickles and arrive exact", async (t) => {
  const g = glue();
  t.after(() => g.dispose());
  g.open(URI, EXAMPLES, "type(v)");
  for (const text of ["(1, 2)", String(2n ** 70n), "{3}"]) {
    g.ui.answers = [text];
    await g.submit.submitFunction();
  }
  // One function, one endpoint, one session: one group, though each click came before the last was acknowledged.
  await until(() => g.model.groups.length === 1 && g.model.groups[0].tasks.filter((x) => x.resultPreview !== undefined).length === 3, "the calls");
  assert.deepEqual(
    g.model.groups[0].tasks.map((x) => x.resultPreview),
    ["'tuple (1, 2)'", `'int ${2n ** 70n}'`, "'set {3}'"],
  );
});

test("arguments are validated as typed, with the column; a raising function shows its traceback", async (t) => {
  const g = glue();
  t.after(() => g.dispose());
  g.open(URI, EXAMPLES, "raise ValueError");
  g.ui.answers = ["5, limit=", "5, limit=x", "5, limit=2"];
  await g.submit.submitFunction();
  assert.equal(g.ui.inputs[0].prompt, "Arguments for strict(N: int, limit=3), as in a Python call (literals only)");
  assert.equal(g.ui.validationMessages.length, 2);
  assert.match(g.ui.validationMessages[0], /^Column 10: /);
  assert.match(g.ui.validationMessages[1], /^Column 10: /);
  await until(() => tasksOf(g)[0]?.error !== undefined, "strict to fail");
  assert.equal(tasksOf(g)[0].error, "ValueError: 5 is over 2");
  assert.equal(g.output[0].level, "error");
  assert.match(g.output[0].text, /^strict\(5, limit=2\) failed {2}\(.*\)\n {4}Traceback \(most recent call last\):[\s\S]*ValueError: 5 is over 2$/);
  // The frame names the file and the line of the raise, as a path:line link.
  assert.match(g.output[0].text, /^ {6}File \/work\/examples\.py:11, in strict$/m);
  assert.doesNotMatch(g.output[0].text, /<string>/);

  // The arguments box offers the last arguments that ran, not the ones that failed.
  g.ui.answers = ["1"];
  await g.submit.submitFunction();
  await until(() => g.model.totalCounts().success === 1, "strict(1) to succeed");
  await new Promise((r) => setImmediate(r));
  g.ui.answers = ["7"];
  await g.submit.submitFunction();
  await until(() => g.model.totalCounts().failed === 2, "strict(7) to fail");
  g.ui.answers = [undefined];
  await g.submit.submitFunction();
  assert.equal(g.ui.inputs.at(-1)?.value, "1");
});

test("Submit Function without parameters asks nothing; a method is refused with the reason", async (t) => {
  const g = glue();
  t.after(() => g.dispose());
  g.open(URI, EXAMPLES, 'return "hi"');
  await g.submit.submitFunction();
  assert.equal(g.ui.inputs.length, 0);
  await until(() => tasksOf(g)[0]?.resultPreview !== undefined, "no_args to succeed");
  assert.equal(tasksOf(g)[0].resultPreview, "'hi'");

  g.open(URI, EXAMPLES, "return 1");
  await g.submit.submitFunction();
  assert.equal(g.ui.errors.length, 1);
  assert.match(g.ui.errors[0].message, /^method cannot be submitted: /);
  assert.equal(g.model.groups.length, 1, "nothing submitted");
});

test("Map Function over range(5): chunked tasks in input order, progress and a summary, no line per item", async (t) => {
  const g = glue();
  t.after(() => g.dispose());
  g.ui.answers = ["range(5)"];
  await g.submit.mapFunction();
  assert.equal(g.ui.inputs[0].value, "range(10)");
  await until(() => tasksOf(g).length > 0 && tasksOf(g).every((x) => x.resultPreview !== undefined), "the map to finish");
  // 5 items over 2 workers: Pool.map's rule gives chunks of 1, so one row per item.
  assert.deepEqual(
    tasksOf(g).map((x) => x.call),
    [0, 1, 2, 3, 4].map((i) => `double ← item ${i} of range(5)`),
  );
  assert.equal(g.ui.progress[0], "double × 5 (range(5)) on local");
  await until(() => g.ui.progress.includes("5 of 5 items done"), "the progress to count every item");
  await until(() => g.output.some((l) => /succeeded/.test(l.text)), "the summary");
  assert.equal(g.output.length, 1, "one summary line, no line per item");
  assert.match(g.output[0].text, /^double × 5 \(range\(5\)\) on local: 5 succeeded, 0 failed in .*"Save Results As…"/);
});

test("Map Function over a CSV file: rows as keyword arguments; failures named in the summary; Save Results As… writes every row", async (t) => {
  const g = glue();
  t.after(() => g.dispose());
  g.open(URI, EXAMPLES, "if N > limit");
  const rows = Array.from({ length: 300 }, (_, i) => `${i},${i % 100 === 7 ? 2 : 500}`);
  writeFileSync(join(g.workspaceDir, "points.csv"), `N,limit\n${rows.join("\n")}\n`);
  g.ui.answers = ["points.csv"];
  await g.submit.mapFunction();
  assert.deepEqual(g.ui.errors, []);
  const key = g.model.groups[0].key;
  const run = g.maps.get(key);
  assert.ok(run, "the run is kept under its group");
  assert.equal(run.result.chunk, 38, "300 rows / (4 × 2 workers)");
  assert.equal(tasksOf(g).length, 8, "one row per chunk task in the tree");
  assert.equal(tasksOf(g)[0].call, "strict ← items 0–37 of points.csv");
  await run.finished;
  const summary = g.output.at(-1)!;
  assert.equal(summary.level, "error");
  assert.match(summary.text, /strict × 300 \(points\.csv\) on local: 297 succeeded, 3 failed in /);
  assert.match(summary.text, /\n {2}item 7 \(\{'N': 7, 'limit': 2\}\): ValueError: 7 is over 2\n {2}item 107 /);
  assert.ok(g.output.length <= 11, `progress and a summary, not a line per row (${g.output.length} lines)`);

  const csvPath = join(g.workspaceDir, "out.csv");
  g.ui.savePaths = [csvPath];
  await saveResultsAs(
    { ui: g.ui, group: (k) => g.tracker.get(k), map: (k) => g.maps.get(k), defaultDir: () => g.workspaceDir },
    { kind: "group", groupKey: key },
  );
  assert.match(g.ui.infos.at(-1)!, /^Saved 300 result row\(s\) of strict to /);
  const lines = readFileSync(csvPath, "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 301);
  assert.equal(lines[0], "index,N,limit,status,result,error");
  assert.equal(lines[1], "0,0,500,success,0,");
  assert.equal(lines[8], "7,7,2,failed,,ValueError: 7 is over 2");
});

test("a map's chunk rows show the items they carried, the same after Reload Window, and its lens and saved results its items", async (t) => {
  const historyDir = join(storage.dir, "chunk-history");
  const state = memento();
  const first = glue(state, { historyDir });
  first.open(URI, EXAMPLES, "if N > limit");
  const rows = Array.from({ length: 30 }, (_, i) => `${i},${i === 7 || i === 29 ? 2 : 500}`);
  writeFileSync(join(first.workspaceDir, "points.csv"), `N,limit\n${rows.join("\n")}\n`);
  first.ui.answers = ["points.csv"];
  await first.submit.mapFunction();
  await first.maps.get(first.model.groups[0].key)?.finished;
  await until(() => tasksOf(first).every((x) => x.finishedAt !== undefined), "every chunk row settled");
  await until(() => first.history.groups[0]?.tasks.every((x) => x.finishedAt !== undefined) === true, "the outcomes recorded");
  const shown = (g: Glue) => tasksOf(g).map((x) => [x.call, x.state, x.resultPreview, x.error]);
  const live = shown(first);
  assert.equal(live.length, 8, "30 rows / (4 × 2 workers): chunks of 4");
  assert.deepEqual(live[0], ["strict ← items 0–3 of points.csv", "success", "[0, 1, 2, 3]", undefined]);
  assert.deepEqual(live[1], ["strict ← items 4–7 of points.csv", "success", "[4, 5, 6, None]", "1 of 4 items failed: item 7: ValueError: 7 is over 2"]);
  assert.deepEqual(live[7], ["strict ← items 28–29 of points.csv", "success", "[28, None]", "1 of 2 items failed: item 29: ValueError: 29 is over 2"]);
  first.dispose();

  const second = glue(state, { historyDir });
  t.after(() => second.dispose());
  await second.reopen();
  await until(() => tasksOf(second).length === 8 && tasksOf(second).every((x) => x.finishedAt !== undefined), "the reloaded chunk rows");
  assert.deepEqual(shown(second), live, "a reloaded chunk row shows its items as it did before the reload");
  assert.deepEqual(second.output, [], "a reloaded map prints no line per chunk");
  assert.deepEqual(first.mapLenses, [], "a map started in the window shows its own lens (MapRun)");
  // The map's lens comes back above its function: by tenths of its items, then its outcome.
  assert.match(second.mapLenses.at(-1)!, /^✗ map × 30: 2 failed · \d/);
  assert.ok(second.mapLenses.slice(0, -1).every((l) => /^⋯ map: \d+ of 30 done$/.test(l)), second.mapLenses.join("\n"));
  // Save Results As… on the reloaded map: a row per item (the inputs were not kept), not the chunks' pairs.
  const jsonl = join(second.workspaceDir, "reloaded.jsonl");
  await saveResultsAs(
    { ui: second.ui, group: (k) => second.tracker.get(k), map: (k) => second.maps.get(k), defaultDir: () => second.workspaceDir },
    { kind: "group", groupKey: second.model.groups[0].key },
    jsonl,
  );
  const saved = readFileSync(jsonl, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(saved.length, 30);
  assert.deepEqual(saved[0], { index: 0, status: "success", result: 0 });
  assert.equal(saved[7].status, "failed");
  assert.match(String(saved[7].error), /ValueError: 7 is over 2/);
  assert.deepEqual(saved[28], { index: 28, status: "success", result: 28 });
});

test("cancel after submission stops waiting, honestly; forget drops the stored group", async (t) => {
  const g = glue();
  t.after(() => g.dispose());
  g.open(URI, EXAMPLES, "time.sleep(s)");
  g.ui.answers = ["2"];
  await g.submit.submitFunction();
  await until(() => tasksOf(g)[0]?.taskId !== undefined, "the task to be acknowledged");
  const key = g.model.groups[0].key;
  assert.equal(g.tracker.get(key)?.futures[0].cancel(), "stopped-waiting");
  await until(() => tasksOf(g)[0]?.state === "cancelled", "the row to show cancelled");
  await until(() => g.store.list().length === 1, "the group to be stored");
  g.model.remove(key);
  await until(() => g.store.list().length === 0, "the stored group to be forgotten");
});

test("reopening the workspace reloads stored groups: results back without re-printing; Re-run submits again", async (t) => {
  const state = memento();
  const first = glue(state);
  first.ui.answers = ["21"];
  await first.submit.submitFunctionWithArguments();
  await until(() => tasksOf(first)[0]?.resultPreview !== undefined, "double(21)");
  await until(() => first.store.list().length === 1, "the group to be stored");
  const taskGroupId = first.model.groups[0].taskGroupId as string;
  first.dispose();

  const second = glue(state);
  t.after(() => second.dispose());
  await second.reloader.reloadStored();
  assert.equal(second.model.groups.length, 1);
  const [group] = second.model.groups;
  assert.equal(group.key, taskGroupId);
  assert.equal(group.functionName, "double");
  assert.deepEqual(
    group.tasks.map((x) => [x.call, x.state, x.resultPreview]),
    [["double(21)", "success", "42"]],
  );
  assert.deepEqual(second.output, [], "a result of an earlier session is not printed again");
  assert.deepEqual(second.settled.map((s) => s.live), [false]);
  assert.deepEqual(second.tracker.get(taskGroupId)?.origin?.lineMap, [[1, 4, 3]], "the line map is stored with the group");

  await second.submit.rerun({ kind: "task", groupKey: taskGroupId, index: 0 }, false);
  await until(() => second.model.groups.length === 2 && tasksOf(second)[0]?.resultPreview !== undefined, "the re-run");
  assert.equal(tasksOf(second)[0].call, "double(21)");
  assert.notEqual(second.model.groups[0].key, taskGroupId, "a re-run in a new session starts its group");
  assert.deepEqual(second.tracker.get(second.model.groups[0].key)?.origin?.lineMap, [[1, 4, 3]], "a re-run maps its own bundle");

  second.ui.answers = ["22"];
  await second.submit.rerun({ kind: "task", groupKey: taskGroupId, index: 0 }, true);
  assert.equal(second.ui.inputs.at(-1)?.value, "21", "the edit starts from the task's arguments");
  await until(() => tasksOf(second)[1]?.resultPreview !== undefined, "the edited re-run");
  assert.equal(second.model.groups.length, 2, "this session's submissions of double share its group");
  assert.deepEqual(tasksOf(second).map((x) => [x.call, x.resultPreview]), [["double(21)", "42"], ["double(22)", "44"]]);
  const [rerunGroup] = second.model.groups;
  assert.equal(new Set(rerunGroup.tasks.map(() => rerunGroup.taskGroupId)).size, 1);
  assert.deepEqual(second.history.get(rerunGroup.key)?.tasks.map((x) => x.call), ["double(21)", "double(22)"]);
  await until(() => second.store.get(rerunGroup.taskGroupId as string)?.calls.length === 2, "both calls stored with the group");
});

test("a session's submissions of each function to an endpoint share one task group: 12 submissions of 3 functions, 3 groups", async (t) => {
  const g = glue();
  t.after(() => g.dispose());
  const cursors = ["return x * 2", "return N", "return \"hi\""];
  for (let round = 0; round < 4; round++) {
    for (const [i, cursor] of cursors.entries()) {
      g.open(URI, EXAMPLES, cursor);
      g.ui.answers = [i === 0 ? String(round) : i === 1 ? "1" : ""];
      if (i === 2) await g.submit.submitFunction();
      else await g.submit.submitFunctionWithArguments();
      // The next click comes at once, before the service has named the group: it still joins it.
    }
  }
  await until(() => g.model.totalCounts().success === 12, "12 results", 30_000);
  assert.deepEqual(g.model.groups.map((x) => [x.functionName, x.tasks.length]).sort(), [["double", 4], ["no_args", 4], ["strict", 4]]);
  const ids = g.model.groups.map((x) => x.taskGroupId);
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual(g.model.groups.find((x) => x.functionName === "double")?.tasks.map((x) => x.resultPreview), ["0", "2", "4", "6"]);
});

test("a stored group the service cannot find is kept and marked with what the history recorded, never forgotten silently", async (t) => {
  const state = memento({
    [TASK_GROUPS_KEY]: [
      {
        taskGroupId: "5f0c3b8e-9d0a-4c5e-8a1e-3d2f1b0a9c8d",
        endpoint: { name: "local", id: "local" },
        service: "local",
        functionName: "gone",
        createdAt: 1,
        calls: [{ call: "gone(1)", taskId: "6f0c3b8e-9d0a-4c5e-8a1e-3d2f1b0a9c8d" }],
      },
    ],
  });
  const g = glue(state);
  t.after(() => g.dispose());
  await g.reopen();
  const [group] = g.model.groups;
  assert.equal(group.key, "5f0c3b8e-9d0a-4c5e-8a1e-3d2f1b0a9c8d");
  assert.equal(group.note, "not found by the service now (kept)");
  assert.deepEqual(group.tasks.map((x) => [x.call, x.state]), [["gone(1)", "not reloaded"]]);
  assert.equal(g.store.list().length, 1, "still stored");
  assert.equal(g.history.get(group.key)?.unavailable?.reason, "not found by the service now (kept)");
  assert.match(g.ui.warnings.join("\n"), /Task group 5f0c3b8e-9d0a-4c5e-8a1e-3d2f1b0a9c8d \(gone on local\) was not reloaded: /);
  assert.deepEqual(g.output, []);
  g.model.remove(group.key);
  assert.equal(g.history.get(group.key), undefined, "the person's Forget removes it from the history");
});

test("closed while tasks run on the local endpoint: the next window prints what arrived once, under a summary; later results print live", async (t) => {
  const historyDir = join(storage.dir, "shared-history");
  const daemon = { daemon: true, historyDir };
  const a = glue(memento(), daemon);
  const state = memento();
  a.open(URI, EXAMPLES, "time.sleep(s)\n    print(\"done\"");
  a.ui.answers = ["0.5"];
  await a.submit.submitFunctionWithArguments();
  a.ui.answers = ["4"];
  await a.submit.submitFunctionWithArguments();
  // Both in the session's one group of chatty.
  await until(() => a.history.groups.length === 1 && a.history.groups[0].tasks.length === 2 && a.history.groups[0].taskGroupId !== undefined, "both tasks recorded");
  await until(() => a.model.groups[0].tasks.every((x) => x.state === "running"), "both running");
  a.dispose(); // the window closes; the daemon keeps running the tasks

  await new Promise((r) => setTimeout(r, 1500)); // chatty(0.5) finishes while no window is open
  const b = glue(state, daemon);
  t.after(async () => {
    await ((await b.services.service("local")) as LocalEndpointClient).shutdownDaemon();
    b.dispose();
  });
  await b.reopen();
  assert.equal(b.output[0]?.text, "While you were away: 1 succeeded, 0 failed, 1 still running. Task ids below (Copy Task ID in the Tasks view finds them).");
  assert.match(b.output[1]?.text ?? "", /^chatty\(0\.5\) → \(0\.5, 'slept'\) .*\n {2}stdout:\n {4}\| starting 0\.5\n {4}\| done 0\.5/s);
  await until(() => b.output.some((o) => o.text.startsWith("chatty(4) → (4, 'slept')")), "the long task's result, live", 15_000);
  assert.equal(b.output.filter((o) => o.text.startsWith("chatty(")).length, 2);

  // A third window prints nothing again; the history shows both outcomes as printed.
  const c = glue(memento(), { historyDir });
  t.after(() => c.dispose());
  assert.deepEqual(c.history.groups.flatMap((g) => g.tasks.map((x) => [x.call, x.state, x.resultPreview, x.printed])), [
    ["chatty(0.5)", "success", "(0.5, 'slept')", true],
    ["chatty(4)", "success", "(4, 'slept')", true],
  ]);
  assert.match(c.history.groups[0].tasks[0].stdout ?? "", /starting 0\.5\ndone 0\.5/);
});

test("the cursor right of a function's last line submits it; the task shows running before its result", async (t) => {
  const g = glue();
  t.after(() => g.dispose());
  g.open(URI, EXAMPLES, "\n\n\ndef kind"); // right after `return s`, nap's last line
  g.ui.answers = ["0.6"];
  await g.submit.submitFunction();
  assert.equal(g.ui.errors.length, 0, JSON.stringify(g.ui.errors));
  assert.equal(g.model.groups[0]?.functionName, "nap");
  const states: string[] = [];
  await until(() => {
    const s = tasksOf(g)[0]?.state;
    if (s !== undefined && states[states.length - 1] !== s) states.push(s);
    return tasksOf(g)[0]?.resultPreview !== undefined;
  }, "nap to finish");
  assert.equal(tasksOf(g)[0].resultPreview, "0.6");
  assert.ok(states.includes("running"), `seen running before the result: ${states.join(" → ")}`);
  assert.equal(states[states.length - 1], "success");
});

test("cloud: a result that arrived while no window was open is fetched on reopen and printed once; one arriving later prints live", async (t) => {
  const cloud = new MemoryComputeService();
  const historyDir = join(storage.dir, "cloud-history");
  const settings = { endpoints: [{ name: "hpc", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" }], defaultEndpoint: "hpc" };
  const a = glue(memento(), { cloud, historyDir, settings });
  a.ui.answers = ["3"];
  await a.submit.submitFunctionWithArguments();
  await until(() => a.model.groups[0]?.taskGroupId !== undefined, "the group id (the next submission joins it)");
  a.ui.answers = ["4"];
  await a.submit.submitFunctionWithArguments();
  await until(() => a.history.groups[0]?.tasks.filter((x) => x.taskId).length === 2, "both tasks acknowledged and recorded");
  const [first, second] = a.history.groups[0].tasks.map((x) => x.taskId as string);
  a.dispose();

  cloud.complete(first, { value: 6n });
  const b = glue(memento(), { cloud, historyDir, settings });
  t.after(() => b.dispose());
  await b.reopen();
  assert.deepEqual(b.output.map((o) => o.text.split("  (")[0]), [
    "While you were away: 1 succeeded, 0 failed, 1 still running. Task ids below (Copy Task ID in the Tasks view finds them).",
    "double(3) → 6",
    "End of what arrived while you were away.",
  ]);
  cloud.complete(second, { value: 8n });
  await until(() => b.output.some((o) => o.text.startsWith("double(4) → 8")), "the later result, live");

  const c = glue(memento(), { cloud, historyDir, settings });
  t.after(() => c.dispose());
  await c.reopen();
  assert.deepEqual(c.output, [], "nothing is printed twice");
  assert.deepEqual(c.model.groups[0].tasks.map((x) => [x.call, x.resultPreview]), [["double(3)", "6"], ["double(4)", "8"]]);
});

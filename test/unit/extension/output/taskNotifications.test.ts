/** Failure and long-task notifications: one per outcome, a burst gathered into one summary. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ExecutorError, TaskCancelledError, TaskExecutionFailed } from "../../../../core/executor/errors";
import { TaskNotifications } from "../../../../extension/output/taskNotifications";
import type { SettledTask } from "../../../../extension/output/resultOutput";
import type { MessageAction } from "../../../../extension/vscode/window";

function setup(focused = true) {
  const shown: { level: string; message: string; actions: readonly MessageAction[] }[] = [];
  const n = new TaskNotifications({
    ui: {
      showError: (message, actions = []) => void shown.push({ level: "error", message, actions }),
      showInformation: (message, actions = []) => void shown.push({ level: "info", message, actions }),
    },
    focused: () => focused,
    longTaskSeconds: () => 30,
    gatherMs: 10_000,
  });
  return { n, shown };
}
const failed = (call: string, error: unknown = new TaskExecutionFailed("Traceback (most recent call last):\n  File \"x.py\", line 2, in divide\nZeroDivisionError: division by zero\n", "0")): SettledTask => ({
  call,
  durationMs: 5,
  outcome: { error },
});

test("one failure: its exception line, Show Traceback and Re-run acting on its row", () => {
  const { n, shown } = setup();
  n.settled(failed("divide(1, 0)"), { groupKey: "g", index: 3 });
  assert.equal(shown.length, 0, "gathered first");
  n.flush();
  assert.equal(shown.length, 1);
  assert.equal(shown[0].message, "divide(1, 0) failed: ZeroDivisionError: division by zero");
  assert.deepEqual(shown[0].actions, [
    { title: "Show Traceback", command: "globusCompute.openResult", arguments: [{ kind: "task", groupKey: "g", index: 3 }] },
    { title: "Re-run", command: "globusCompute.rerunTask", arguments: [{ kind: "task", groupKey: "g", index: 3 }] },
  ]);
  n.dispose();
});

test("a burst of failures is one summary; cancelled tasks and failed submissions (notified elsewhere) are not counted", () => {
  const { n, shown } = setup();
  for (let i = 0; i < 100; i++) n.settled(failed(`f(${i})`), { groupKey: "g", index: i });
  n.settled(failed("c()", new TaskCancelledError(false, undefined)), { groupKey: "g", index: 100 });
  n.settled(failed("s()", new ExecutorError("SUBMIT_FAILED", "no")), { groupKey: "g", index: 101 });
  n.flush();
  assert.deepEqual(shown.map((s) => [s.level, s.message, s.actions.map((a) => a.title)]), [
    ["error", "100 tasks failed: f(0), f(1), f(2), and 97 more. The output has each traceback.", ["Show Output"]],
  ]);
  n.dispose();
});

test("a long task notifies only when the window is not focused", () => {
  const long: SettledTask = { call: "collatz(27)", durationMs: 45_000, outcome: { value: 111n } };
  const focused = setup(true);
  focused.n.settled(long, { groupKey: "g", index: 0 });
  focused.n.flush();
  assert.deepEqual(focused.shown, []);
  const away = setup(false);
  away.n.settled(long, { groupKey: "g", index: 0 });
  away.n.settled({ ...long, durationMs: 2_000 }, { groupKey: "g", index: 1 });
  away.n.flush();
  assert.deepEqual(away.shown.map((s) => [s.level, s.message]), [["info", "collatz(27) finished after 45.0 s."]]);
  [focused.n, away.n].forEach((n) => n.dispose());
});

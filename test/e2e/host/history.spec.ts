/**
 * Inside VS Code's extension host: results keep their Python types on the local endpoint, and a session's
 * submissions of one function share a task group (one group per function and endpoint, not per click).
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { after, before, describe, it } from "mocha";
import type { GlobusComputeApi } from "../../../extension/extension";
import { activateWithLocalFile, restoreDefaultEndpoint } from "./hostSetup";

const FUNCTIONS = ["pair", "square", "cube", "halve", "greet"];
const SOURCE = [
  "def pair():\n    return (27, 'a', {1}, b'x')\n",
  "def square():\n    return 7 * 7\n",
  "def cube():\n    return 3 ** 3\n",
  "def halve():\n    return 9 / 2\n",
  "def greet():\n    return 'hi'\n",
].join("\n\n");

function until(api: GlobusComputeApi, predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const sub = api.taskGroups.onDidChange(() => {
      if (!predicate()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

describe("history and grouping in the Tasks view", () => {
  let api: GlobusComputeApi;
  let uri: vscode.Uri;

  before(async () => {
    ({ api, uri } = await activateWithLocalFile("host_history.py", SOURCE));
  });

  after(restoreDefaultEndpoint);

  it("a tuple result shows as a tuple (with its set and bytes), and 50 submissions of 5 functions, clicked without waiting, make 5 groups", async () => {
    const groupsBefore = api.taskGroups.groups.length;
    const lens = (name: string) => ({ uri: uri.toString(), name, offset: SOURCE.indexOf(`def ${name}`) + 4 });
    const ours = () => api.taskGroups.groups.filter((g) => FUNCTIONS.includes(g.functionName));
    // Ten clicks on each of five functions, all at once: none waits for the service to name a group first.
    const clicks = Array.from({ length: 10 }, () => FUNCTIONS).flat();
    await Promise.all(clicks.map((name) => vscode.commands.executeCommand("globusCompute.submitFunction", lens(name))));
    const results = () => ours().reduce((n, g) => n + g.tasks.filter((t) => t.resultPreview !== undefined).length, 0);
    await until(api, () => results() >= 50, "50 results", 60_000);
    assert.equal(api.taskGroups.groups.length - groupsBefore, 5);
    assert.deepEqual(ours().map((g) => [g.functionName, g.tasks.length]).sort(), FUNCTIONS.map((f) => [f, 10]).sort());
    const pair = ours().find((g) => g.functionName === "pair");
    assert.equal(pair?.tasks[0].resultPreview, "(27, 'a', {1}, b'x')");
  });
});

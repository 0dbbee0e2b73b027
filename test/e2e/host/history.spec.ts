/**
 * Inside VS Code's extension host: results keep their Python types on the local endpoint, and a session's
 * submissions of one function share a task group (one group per function and endpoint, not per click).
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { after, before, describe, it } from "mocha";
import type { GlobusComputeApi } from "../../../extension/extension";
import { activateWithLocalFile, restoreDefaultEndpoint } from "./hostSetup";

const SOURCE = "def pair():\n    return (27, 'a', {1}, b'x')\n\n\ndef square():\n    return 7 * 7\n";

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

  it("a tuple result shows as a tuple (with its set and bytes), and 10 submissions of 2 functions make 2 groups", async () => {
    const groupsBefore = api.taskGroups.groups.length;
    const lens = (name: string) => ({ uri: uri.toString(), name, offset: SOURCE.indexOf(name) });
    const ours = () => api.taskGroups.groups.filter((g) => g.functionName === "pair" || g.functionName === "square");
    for (let i = 0; i < 5; i++) {
      for (const name of ["pair", "square"]) {
        await vscode.commands.executeCommand("globusCompute.submitFunction", lens(name));
        await until(api, () => ours().every((g) => g.taskGroupId !== undefined), "the group id");
      }
    }
    await until(api, () => ours().reduce((n, g) => n + g.tasks.filter((t) => t.resultPreview !== undefined).length, 0) >= 10, "10 results");
    assert.equal(api.taskGroups.groups.length - groupsBefore, 2);
    const pair = ours().find((g) => g.functionName === "pair");
    assert.equal(pair?.tasks[0].resultPreview, "(27, 'a', {1}, b'x')");
    assert.equal(pair?.tasks.length, 5);
  });
});

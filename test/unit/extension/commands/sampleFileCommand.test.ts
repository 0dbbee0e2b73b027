/** "Open Sample File" in the person's own workspace: open it if there, offer to create it, never overwrite. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { openSampleFile, SAMPLE_FILE_NAME, type SampleFileDeps } from "../../../../extension/commands/sampleFileCommand";

function deps(folder: string | undefined, existing: string[], answer: boolean) {
  const calls: string[] = [];
  const d: SampleFileDeps = {
    folder,
    sampleText: async () => "def double(x):\n    return x * 2\n",
    exists: async (p) => existing.includes(p),
    create: async (p, text) => void calls.push(`create ${p} ${text.length}`),
    openFile: async (p) => void calls.push(`open ${p}`),
    openUntitled: async (text) => void calls.push(`untitled ${text.length}`),
    confirmCreate: async (p) => (calls.push(`confirm ${p}`), answer),
  };
  return { d, calls };
}
const path = `/ws/${SAMPLE_FILE_NAME}`;

test("an existing sample is opened as it is", async () => {
  const { d, calls } = deps("/ws", [path], true);
  await openSampleFile(d);
  assert.deepEqual(calls, [`open ${path}`]);
});

test("a missing sample is created in the workspace folder only when the person agrees", async () => {
  const yes = deps("/ws", [], true);
  await openSampleFile(yes.d);
  assert.deepEqual(yes.calls, [`confirm ${path}`, `create ${path} 32`, `open ${path}`]);
  const no = deps("/ws", [], false);
  await openSampleFile(no.d);
  assert.deepEqual(no.calls, [`confirm ${path}`]);
});

test("with no folder open, the examples open in an untitled editor", async () => {
  const { d, calls } = deps(undefined, [], true);
  await openSampleFile(d);
  assert.deepEqual(calls, ["untitled 32"]);
});

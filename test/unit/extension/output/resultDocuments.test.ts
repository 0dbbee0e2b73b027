import * as assert from "node:assert/strict";
import { test } from "node:test";
import { parseResultPath, resultPath, resultText } from "../../../../extension/output/resultDocuments";

test("a result path names the group and task and reads back; odd characters in the call are made safe", () => {
  const path = resultPath("group/1", 12, 'f("a/b", x=1)');
  assert.equal(path, "/group%2F1/12/f(_a_b_,_x=1).py");
  assert.deepEqual(parseResultPath(path), { groupKey: "group/1", index: 12 });
  assert.equal(parseResultPath("/nope"), undefined);
});

test("a result of a forgotten group says so instead of failing", async () => {
  assert.equal(await resultText("double(7)", undefined), "# double(7)\n# The result is no longer available (the task group was forgotten).\n");
});

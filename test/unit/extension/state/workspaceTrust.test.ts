import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ALLOW_SUBMISSIONS, SubmitConsent, type TrustPrompts } from "../../../../extension/state/workspaceTrust";

function prompts(trusted: boolean, answers: boolean[]): TrustPrompts & { asked: string[]; workspace: string } {
  const self = {
    asked: [] as string[],
    workspace: "file:///ws1",
    isTrusted: () => trusted,
    workspaceKey: () => self.workspace,
    askConsent: async (message: string, _detail: string, allow: string) => {
      assert.equal(allow, ALLOW_SUBMISSIONS);
      self.asked.push(message);
      return answers.shift() ?? false;
    },
  };
  return self;
}

test("a trusted workspace submits without asking", async () => {
  const p = prompts(true, []);
  assert.equal(await new SubmitConsent(p).ensureSubmitAllowed(), true);
  assert.deepEqual(p.asked, []);
});

test("an untrusted workspace asks once; consent lasts for the session", async () => {
  const p = prompts(false, [true]);
  const consent = new SubmitConsent(p);
  assert.equal(await consent.ensureSubmitAllowed(), true);
  assert.equal(await consent.ensureSubmitAllowed(), true);
  assert.equal(p.asked.length, 1);
  assert.match(p.asked[0], /not trusted/);
});

test("a refusal blocks this submission and asks again next time", async () => {
  const p = prompts(false, [false, true]);
  const consent = new SubmitConsent(p);
  assert.equal(await consent.ensureSubmitAllowed(), false);
  assert.equal(await consent.ensureSubmitAllowed(), true);
  assert.equal(p.asked.length, 2);
});

test("consent is per workspace", async () => {
  const p = prompts(false, [true, false]);
  const consent = new SubmitConsent(p);
  assert.equal(await consent.ensureSubmitAllowed(), true);
  p.workspace = "file:///ws2";
  assert.equal(await consent.ensureSubmitAllowed(), false);
});

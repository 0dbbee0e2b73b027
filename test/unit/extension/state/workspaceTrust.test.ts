import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ALLOW_SUBMISSIONS, SubmitConsent, type SubmissionTarget, type TrustPrompts } from "../../../../extension/state/workspaceTrust";

function prompts(trusted: boolean, answers: boolean[]): TrustPrompts & { asked: string[]; details: string[]; workspace: string } {
  const self = {
    asked: [] as string[],
    details: [] as string[],
    workspace: "file:///ws1",
    isTrusted: () => trusted,
    workspaceKey: () => self.workspace,
    askConsent: async (message: string, detail: string, allow: string) => {
      assert.equal(allow, ALLOW_SUBMISSIONS);
      self.asked.push(message);
      self.details.push(detail);
      return answers.shift() ?? false;
    },
  };
  return self;
}

const HPC = { kind: "cloud", name: "my-hpc", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" } as const;
const OTHER = { kind: "cloud", name: "other", id: "2238617a-8756-4030-a8ab-44ffb1446092" } as const;
const LOCAL = { kind: "local", name: "Local endpoint", id: "local" } as const;
const double: SubmissionTarget = { functionName: "double", endpoint: HPC };

test("a trusted workspace submits without asking", async () => {
  const p = prompts(true, []);
  assert.equal(await new SubmitConsent(p).ensureSubmitAllowed(double), true);
  assert.deepEqual(p.asked, []);
});

test("the question names the function and the endpoint it would run on", async () => {
  const p = prompts(false, [true, true]);
  const consent = new SubmitConsent(p);
  await consent.ensureSubmitAllowed(double);
  assert.equal(p.asked[0], 'This workspace is not trusted. Run its function double on the endpoint "my-hpc" (4b116d3c-1703-4f8f-9f6f-39921e5864df)?');
  assert.match(p.details[0], /runs double and the code it depends on/);
  assert.match(p.details[0], /configuration you pick from this workspace's \.globus-compute\/endpoints\.json .*worker_init runs as shell commands/);
  await consent.ensureSubmitAllowed({ functionName: "collatz", endpoint: LOCAL });
  assert.match(p.asked[1], /Run its function collatz on the local endpoint \(on this machine, as you\)\?/);
});

test("consent lasts for the session, per workspace and endpoint", async () => {
  const p = prompts(false, [true, true, false]);
  const consent = new SubmitConsent(p);
  assert.equal(await consent.ensureSubmitAllowed(double), true);
  assert.equal(await consent.ensureSubmitAllowed({ functionName: "triple", endpoint: HPC }), true, "another function, same endpoint");
  assert.equal(p.asked.length, 1);
  assert.equal(await consent.ensureSubmitAllowed({ functionName: "double", endpoint: OTHER }), true, "another endpoint asks again");
  assert.equal(p.asked.length, 2);
  p.workspace = "file:///ws2";
  assert.equal(await consent.ensureSubmitAllowed(double), false, "another workspace asks again");
  assert.equal(p.asked.length, 3);
});

test("a refusal blocks this submission and asks again next time", async () => {
  const p = prompts(false, [false, true]);
  const consent = new SubmitConsent(p);
  assert.equal(await consent.ensureSubmitAllowed(double), false);
  assert.equal(await consent.ensureSubmitAllowed(double), true);
  assert.equal(p.asked.length, 2);
});

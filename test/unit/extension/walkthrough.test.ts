/** package.json's walkthrough, authentication provider and trust capability agree with the code and the files. */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { GLOBUS_AUTH_PROVIDER_ID } from "../../../extension/auth/globusSessions";
import { COMMAND_IDS } from "../../../extension/commands/commandIds";

const root = join(__dirname, "../../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

interface Step {
  id: string;
  title: string;
  description: string;
  media: { svg?: string; image?: string; markdown?: string; altText?: string };
  completionEvents: string[];
}

test("the walkthrough's steps have media files that exist and links to commands that exist", () => {
  const [walkthrough] = pkg.contributes.walkthroughs as { title: string; steps: Step[] }[];
  assert.equal(walkthrough.title, "Get started with Globus Compute");
  assert.deepEqual(
    walkthrough.steps.map((s) => s.id),
    ["runLocally", "readResults", "cloudEndpoint", "reloadGroups"],
  );
  const builtIn = ["workbench.action.quickOpen", "workbench.action.openSettings", "globusCompute.tasks.focus"];
  for (const step of walkthrough.steps) {
    const file = step.media.svg ?? step.media.image ?? step.media.markdown;
    assert.ok(file && existsSync(join(root, file)), `${step.id}: media ${file}`);
    if (!step.media.markdown) assert.ok(step.media.altText, `${step.id}: image without altText`);
    const links = [...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]);
    assert.ok(links.length > 0, `${step.id} has no button`);
    for (const id of links) assert.ok((COMMAND_IDS as readonly string[]).includes(id) || builtIn.includes(id), `${step.id}: ${id}`);
    for (const e of step.completionEvents.filter((c) => c.startsWith("onCommand:")))
      assert.ok((COMMAND_IDS as readonly string[]).includes(e.slice("onCommand:".length)), `${step.id}: ${e}`);
  }
});

test("the markdown page's images exist", () => {
  const page = join(root, "media/walkthrough/cloud-endpoint.md");
  for (const [, src] of readFileSync(page, "utf8").matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(existsSync(join(root, "media/walkthrough", src)), src);
});

test("the Globus authentication provider is contributed under the id the code registers", () => {
  assert.deepEqual(pkg.contributes.authentication, [{ id: GLOBUS_AUTH_PROVIDER_ID, label: "Globus" }]);
});

test("untrusted workspaces: limited support, and the settings that pick servers or interpreters are restricted", () => {
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
  const props = pkg.contributes.configuration.properties;
  for (const key of ["globusCompute.serviceUrl", "globusCompute.authUrl", "globusCompute.local.pythonPath"]) assert.equal(props[key].restricted, true, key);
});

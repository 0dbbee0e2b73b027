/**
 * package.json's contributions agree with the code: a contributed command without a handler, a menu naming
 * an unknown command, or a default that differs from Settings' would otherwise only show up in VS Code.
 */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { COMMAND_IDS } from "../../../extension/commands/commandIds";
import { DEFAULT_SETTINGS, readSettings, SETTINGS_SECTION } from "../../../extension/state/settings";

const root = join(__dirname, "../../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const contributes = pkg.contributes;
const commandIds = (contributes.commands as { command: string }[]).map((c) => c.command);

test("contributed commands are exactly the commands the extension has handlers for", () => {
  assert.deepEqual([...commandIds].sort(), [...COMMAND_IDS].sort());
  for (const c of contributes.commands) assert.equal(c.category, "Globus Compute", c.command);
});

test("every menu entry names a contributed command and has a when clause", () => {
  for (const [menu, entries] of Object.entries(contributes.menus as Record<string, { command: string; when?: string }[]>)) {
    for (const e of entries) {
      assert.ok(commandIds.includes(e.command), `${menu}: unknown command ${e.command}`);
      assert.ok(e.when, `${menu}: ${e.command} has no when clause`);
    }
  }
  const editorMenu = contributes.menus["editor/context"] as { when: string }[];
  assert.ok(editorMenu.every((e) => e.when.includes("editorLangId == python")), "editor menu only for Python");
});

test("welcome content links only to commands that exist", () => {
  const builtIn = ["workbench.action.quickOpen", "workbench.action.openSettings"];
  for (const w of contributes.viewsWelcome as { contents: string }[]) {
    for (const [, id] of w.contents.matchAll(/\(command:([\w.]+)/g)) {
      assert.ok(commandIds.includes(id) || builtIn.includes(id), `welcome links to unknown command ${id}`);
    }
  }
});

test("views live in the Globus Compute activity-bar container, whose icon files exist", () => {
  assert.deepEqual(contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id), ["globusCompute"]);
  assert.deepEqual(contributes.views.globusCompute.map((v: { id: string }) => v.id), ["globusCompute.tasks", "globusCompute.endpoints"]);
  for (const icon of [pkg.icon, contributes.viewsContainers.activitybar[0].icon]) assert.ok(existsSync(join(root, icon)), icon);
  const png = readFileSync(join(root, pkg.icon));
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], "marketplace icon is 128×128");
});

test("every setting has a description, and its default is what Settings uses when it is unset", () => {
  const props = contributes.configuration.properties as Record<string, { default: unknown; description?: string; markdownDescription?: string }>;
  const defaults: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(props)) {
    assert.ok(p.description || p.markdownDescription, `${key} has no description`);
    assert.ok(key.startsWith(`${SETTINGS_SECTION}.`));
    defaults[key.slice(SETTINGS_SECTION.length + 1)] = p.default;
  }
  // VS Code returns the contributed default for an unset setting: reading those must give DEFAULT_SETTINGS.
  assert.deepEqual(readSettings({ get: (k) => defaults[k] }), { settings: DEFAULT_SETTINGS, problems: [] });
  assert.equal(Object.keys(props).length, 16);
});

test("activation: Python files (views and commands activate implicitly)", () => {
  assert.deepEqual(pkg.activationEvents, ["onLanguage:python"]);
});

/**
 * Every setting is judged: those that decide where code goes or what runs it are restricted (VS Code
 * ignores a workspace's value of them until the workspace is trusted); the rest only shape how results
 * are kept or batched. A new setting fails here until it is put in one list or the other.
 */
const RESTRICTED = [
  "endpoints",
  "defaultEndpoint",
  "environment",
  "serviceUrl",
  "authUrl",
  "amqpPort",
  "resultSerializers",
  "local.pythonPath",
  // Where imports resolve decides which files of this machine are bundled and shipped to the endpoint.
  "python.extraPaths",
];
const HARMLESS = [
  "batchSize",
  "argumentSerialization",
  "local.workers",
  "retention.maxTaskGroups",
  "retention.maxTasks",
  "notifications.longTaskSeconds",
  "codeLens.privateFunctions",
];

test("an untrusted workspace cannot choose where code goes or what runs it", () => {
  const keys = Object.keys(contributes.configuration.properties).map((k) => k.slice(`${SETTINGS_SECTION}.`.length));
  assert.deepEqual([...keys].sort(), [...RESTRICTED, ...HARMLESS].sort(), "every setting is judged restricted or harmless");
  const untrusted = pkg.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, "limited");
  assert.deepEqual([...untrusted.restrictedConfigurations].sort(), RESTRICTED.map((k) => `${SETTINGS_SECTION}.${k}`).sort());
  for (const k of keys) {
    assert.equal(contributes.configuration.properties[`${SETTINGS_SECTION}.${k}`].restricted === true, RESTRICTED.includes(k), `${k}: restricted flag`);
  }
});

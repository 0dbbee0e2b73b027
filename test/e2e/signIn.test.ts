/**
 * Signing in to Globus in a real VS Code (code-server + Chromium, the extension loaded from the repo's
 * dist/ in extension-development mode), against the emulator's Globus Auth:
 * the command, or the Accounts menu's "Sign in with Globus" entry, opens the authorize page in a browser
 * tab, the code it shows is pasted into VS Code's input box, and the session appears; no token lands in settings, state or the output; Sign Out revokes.
 */
import * as assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Locator } from "playwright-core";
import { startAuthServer, type AuthServer } from "../support/authServer";
import { openWithExtension, screenshot, startSession, workbenchFor, type E2eSession } from "./harness";
import type { Workbench } from "./workbench";

let auth: AuthServer;
let session: E2eSession;
let workbench: Workbench;
/** Every access and refresh token the emulated Globus Auth handed out. */
const issued: string[] = [];

before(async () => {
  // Not 127.0.0.1: code-server rewrites links to localhost into its port proxy (losing the path and query).
  auth = await startAuthServer({ host: "127.0.0.2" });
  const grant = auth.auth.token.bind(auth.auth);
  auth.auth.token = (form, basic) => {
    const r = grant(form, basic);
    for (const t of [r, ...r.other_tokens]) issued.push(t.access_token, ...(t.refresh_token ? [t.refresh_token] : []));
    return r;
  };
  session = await startSession({
    // A cloud endpoint in use: the Accounts menu offers the Globus sign-in.
    userSettings: { "globusCompute.authUrl": auth.baseUrl, "globusCompute.endpoints": [{ name: "cluster", id: "4b116d3c-1703-4f8f-9f6f-39921e5864df" }] },
  });
  workbench = workbenchFor(session);
  await openWithExtension(session, workbench, session.workspace, "sample.py");
});

after(async () => {
  await session?.close("sign-in-code-server");
  await auth?.[Symbol.asyncDispose]();
});

test("the Accounts menu offers sign-in with Globus, and choosing it signs in", async () => {
  const page = session.page;
  await workbench.chooseMenuItem(await accountsMenuItem(/^Sign in with Globus to use Globus Compute/));
  await signInThroughBrowser();
  // The session is VS Code's: the account takes the sign-in entry's place in the menu.
  await accountsMenuItem(`${auth.username} (Globus)`);
  assert.ok(issued.length >= 2, "Globus Auth issued tokens");
  await page.keyboard.press("Escape");
  // Signed out again, so that the command's sign-in below starts from nobody (and its toasts are its own).
  await workbench.runCommand("Globus Compute: Sign Out of Globus");
  await workbench.notification(`Signed out of Globus (${auth.username}); the tokens were revoked.`);
  await workbench.runCommand("Notifications: Clear All Notifications");
});

test("Sign In opens Globus in the browser; the pasted code signs in", async () => {
  await workbench.runCommand("Globus Compute: Sign In to Globus");
  await signInThroughBrowser();
  await workbench.notification(`Signed in to Globus as ${auth.username}.`);
  assert.ok(issued.length >= 2, "Globus Auth issued tokens");
});

test("the account shows in the Accounts menu", async () => {
  const page = session.page;
  await accountsMenuItem(`${auth.username} (Globus)`);
  await screenshot(page, "ui-signed-in");
  await page.keyboard.press("Escape");
});

test("no token is written to settings, state, logs or the output channel", async () => {
  await workbench.runCommand("Globus Compute: Show Output");
  const output = await workbench.outputText(/activated in/);
  const files = [...(await filesUnder(session.server.dir)), ...(await filesUnder(session.workspace))];
  assert.ok(files.some((f) => f.endsWith("settings.json")));
  const leaks: string[] = [];
  for (const file of files) {
    const content = await readFile(file).catch(() => Buffer.alloc(0));
    for (const token of issued) if (content.includes(token)) leaks.push(`${file} contains a token`);
  }
  for (const token of issued) if (output.includes(token)) leaks.push("the output channel contains a token");
  assert.deepEqual(leaks, []);
});

test("Sign Out revokes the tokens and ends the session", async () => {
  const session_ = issued.filter((t) => auth.tokens.verify(t, "funcx_service").ok);
  assert.equal(session_.length, 1, "one live Compute token before signing out");
  await workbench.runCommand("Globus Compute: Sign Out of Globus");
  await workbench.notification(`Signed out of Globus (${auth.username}); the tokens were revoked.`);
  assert.deepEqual(auth.tokens.verify(session_[0], "funcx_service"), { ok: false, reason: "unknown" });
  await workbench.runCommand("Globus Compute: Sign Out of Globus");
  await workbench.notification("Not signed in to Globus.");
});

/** The Accounts menu (activity bar) open, with the entry `label` in it; reopened until the entry is there. */
async function accountsMenuItem(label: string | RegExp): Promise<Locator> {
  const page = session.page;
  const item = page.locator(".monaco-menu .action-label", { hasText: label });
  const deadline = Date.now() + 30_000;
  for (;;) {
    // The item, not its icon: a "Sign in requested" badge covers the icon.
    await page.locator(".activitybar .action-item", { has: page.locator("a.action-label[aria-label^='Accounts']") }).click();
    // A click while the workbench is still settling can open nothing: click again.
    const opened = await page.locator(".monaco-menu").waitFor({ timeout: 3_000 }).then(() => true, () => false);
    let labels: string[] = [];
    if (opened) {
      // An open menu does not take in entries that arrive later (a sign-in offered once the extension is up).
      const found = await item.first().waitFor({ timeout: 3_000 }).then(() => true, () => false);
      if (found) return item.first();
      labels = await page.locator(".monaco-menu .action-label").allInnerTexts();
      await page.keyboard.press("Escape");
    }
    if (Date.now() > deadline) throw new Error(`the Accounts menu ${opened ? `shows no ${String(label)}; it shows: ${labels.join(" | ")}` : "does not open"}`);
  }
}

/**
 * After a sign-in started (the command or the Accounts menu): opens Globus in a browser tab, reads the code
 * it shows, sees a wrong one refused and enters the right one.
 */
async function signInThroughBrowser(): Promise<void> {
  const page = session.page;
  // VS Code asks before opening a site whose domain is not trusted yet.
  const open = page.locator(".monaco-dialog-box .dialog-buttons a.monaco-button", { hasText: /^Open$/ });
  await open.waitFor({ timeout: 60_000 }).catch(async (err) => {
    const shown = await page.locator(".monaco-dialog-box, .notification-toast, .quick-input-widget, .monaco-menu").allInnerTexts();
    throw new Error(`no "Open" dialog (screenshot ${await screenshot(page, "sign-in-no-open-dialog")}); on screen: ${shown.join(" | ") || "nothing"}`, { cause: err });
  });
  const [tab] = await Promise.all([page.context().waitForEvent("page"), open.click()]);
  await tab.waitForLoadState();
  const code = (await tab.locator("#auth-code").innerText({ timeout: 10_000 }).catch(async (err) => {
    throw new Error(`no code on ${tab.url()}: ${(await tab.content()).slice(0, 500)}`, { cause: err });
  })).trim();
  assert.ok(tab.url().startsWith(`${auth.baseUrl}/v2/oauth2/authorize?`), tab.url());
  assert.equal(new URL(tab.url()).searchParams.get("code_challenge_method"), "S256");
  await tab.close();

  const box = page.locator(".quick-input-widget");
  const input = box.locator(".quick-input-box input");
  await input.waitFor();
  assert.match(await box.innerText(), /Sign In to Globus/);
  await input.fill("not a code");
  await box.locator(".quick-input-message", { hasText: "That is not an authorization code" }).waitFor();
  await input.fill(code);
  await page.keyboard.press("Enter");
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

/**
 * Page helpers for UI tests against the VS Code workbench in Chromium. Selectors are VS Code 1.100's DOM
 * (code-server 4.100.3); they live here only, so a VS Code upgrade touches one file.
 */
import type { Locator, Page } from "playwright-core";

export class Workbench {
  constructor(
    readonly page: Page,
    /** The ends of the extension's logs, added to a failed wait's error (CI keeps no files). */
    private readonly logs?: () => string,
  ) {}

  /** Opens an activity-bar container (e.g. "Globus Compute") unless it is open already; waits for its side bar. */
  async openViewContainer(title: string): Promise<void> {
    const entry = this.page.locator(".activitybar .action-item", {
      has: this.page.locator(`a.action-label[aria-label^="${cssString(title)}"]`),
    });
    // Clicking the selected entry would close the side bar.
    if ((await entry.getAttribute("aria-selected")) !== "true") await entry.click();
    await this.page
      .locator(".part.sidebar .composite.title h2", { hasText: new RegExp(`^${escapeRegExp(title)}$`, "i") })
      .waitFor();
  }

  /** A view's pane in the side bar, by its title (e.g. "Tasks"), expanded. */
  async view(title: string): Promise<Locator> {
    const pane = this.page.locator(".part.sidebar .pane", {
      has: this.page.locator(".pane-header h3.title", { hasText: new RegExp(`^${escapeRegExp(title)}$`, "i") }),
    });
    const header = pane.locator(".pane-header");
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
    await pane.locator(".pane-body").waitFor();
    return pane;
  }

  /** The welcome text a view shows when it is empty (viewsWelcome). */
  async welcomeText(viewTitle: string): Promise<string> {
    const content = (await this.view(viewTitle)).locator(".welcome-view-content");
    await content.waitFor();
    return content.innerText();
  }

  /** Visible rows of a tree view (label and description), waiting for at least `atLeast` rows. */
  async treeRows(viewTitle: string, atLeast = 1): Promise<{ label: string; description: string }[]> {
    const rows = (await this.view(viewTitle)).locator(".monaco-list-row");
    await rows.nth(atLeast - 1).waitFor();
    const out: { label: string; description: string }[] = [];
    for (const row of await rows.all()) {
      const description = row.locator(".label-description");
      out.push({
        label: (await row.locator(".label-name").innerText()).trim(),
        description: (await description.count()) > 0 ? (await description.innerText()).trim() : "",
      });
    }
    return out;
  }

  /** Right-clicks the first tree row labelled `label`; returns the context menu's item labels. */
  async treeRowContextMenu(viewTitle: string, label: string): Promise<string[]> {
    const row = (await this.view(viewTitle))
      .locator(".monaco-list-row", { has: this.page.locator(".label-name", { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
      .first();
    return this.openContextMenu(row);
  }

  /** Expands the collapsed tree row labelled `label` (a no-op when it is expanded). */
  async expandTreeRow(viewTitle: string, label: string): Promise<void> {
    const row = (await this.view(viewTitle))
      .locator(".monaco-list-row", { has: this.page.locator(".label-name", { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
      .first();
    await row.waitFor();
    // A click that lands while the tree re-renders the row (results still arriving) can be lost: click until it shows expanded.
    for (let attempt = 0; attempt < 3 && (await row.getAttribute("aria-expanded")) === "false"; attempt++) {
      await row.locator(".monaco-tl-twistie").click();
      await this.page.waitForTimeout(500);
    }
    if ((await row.getAttribute("aria-expanded")) === "false") throw new Error(`the ${label} row of ${viewTitle} did not expand`);
  }

  /** Waits for a row of a tree view whose label is `label` and whose description matches `description`. */
  async waitForTreeRow(viewTitle: string, label: string, description: RegExp, timeoutMs = 30_000): Promise<string> {
    const row = (await this.view(viewTitle))
      .locator(".monaco-list-row", { has: this.page.locator(".label-name", { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
      .filter({ has: this.page.locator(".label-description", { hasText: description }) });
    try {
      await row.first().waitFor({ timeout: timeoutMs });
    } catch (err) {
      throw new Error(`no row ${label} reading ${description} in ${viewTitle} within ${timeoutMs} ms.\n${await this.scene(viewTitle)}`, { cause: err });
    }
    return (await row.first().locator(".label-description").innerText()).trim();
  }

  /** What the page and the extension show now (a view's rows, notifications, the logs' ends), for a failure's message. */
  private async scene(viewTitle?: string): Promise<string> {
    const rows = viewTitle === undefined ? undefined : await this.page
      .locator(".part.sidebar .pane", {
        has: this.page.locator(".pane-header h3.title", { hasText: new RegExp(`^${escapeRegExp(viewTitle)}$`, "i") }),
      })
      .locator(".monaco-list-row")
      .evaluateAll((els) =>
        // No named helper in here: tsx would wrap it in a __name() the page does not have.
        els.map(
          (e) =>
            `${"  ".repeat(Number(e.getAttribute("aria-level") ?? 1) - 1)}${e.querySelector(".label-name")?.textContent ?? ""} · ${e.querySelector(".label-description")?.textContent ?? ""}`,
        ),
      )
      .catch((e: unknown) => [`(unreadable: ${String(e)})`]);
    const toasts = await this.page
      .locator(".notifications-toasts .notification-list-item-message")
      .allInnerTexts()
      .then((t) => t.map((x) => x.replace(/\s+/g, " ").trim()), (e: unknown) => [`(unreadable: ${String(e)})`]);
    return [
      ...(rows === undefined ? [] : [`${viewTitle} rows: ${rows.length === 0 ? "none" : rows.map((r) => `\n  ${r}`).join("")}`]),
      `notifications: ${toasts.length === 0 ? "none" : toasts.map((t) => `\n  ${t}`).join("")}`,
      this.logs?.() ?? "",
    ].join("\n");
  }

  /** Waits for the input box whose prompt (under the box) matches `prompt`; returns the prompt and the box's value. */
  async inputBox(prompt: RegExp): Promise<{ prompt: string; value: string }> {
    const message = this.page.locator(".quick-input-widget .quick-input-message", { hasText: prompt });
    await message.waitFor();
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    return { prompt: (await message.innerText()).trim(), value: await input.inputValue() };
  }

  /** Types into the input box with that prompt (replacing what it holds) and accepts it. */
  async answerInputBox(prompt: RegExp, text: string): Promise<void> {
    await this.inputBox(prompt);
    await this.page.locator(".quick-input-widget .quick-input-box input").fill(text);
    await this.page.keyboard.press("Enter");
    await this.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  }

  /**
   * Runs a command through F1 by its palette title (e.g. "Globus Compute: Show Output"). F1 opens the
   * palette wherever the focus is; nothing is clicked first, as a click could land on a CodeLens or a link.
   */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    // A key pressed while a reloaded window is still wiring its keybindings is lost, and a palette opened
    // just before a reload takes the page away (a reload asked for a moment earlier) is gone with it: in
    // either case press it again.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press("F1");
      try {
        await input.waitFor({ timeout: 5_000 });
        await input.fill(`>${title}`, { timeout: 5_000 });
        break;
      } catch (err) {
        if (attempt === 6) throw new Error(`the command palette did not take "${title}" in ${attempt} attempts.\n${await this.scene()}`, { cause: err });
      }
    }
    const row = this.page.locator(".quick-input-widget .monaco-list-row", {
      has: this.page.locator(".label-name", { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
    // A command missing from the palette usually means the extension did not activate: its log says why.
    await row
      .first()
      .waitFor()
      .catch(async (err: unknown) => {
        throw new Error(`the command palette lists no "${title}".\n${await this.scene()}`, { cause: err });
      });
    await row.first().click();
    // The palette closes; a command may open its own quick input right away (the same widget), so wait
    // for the palette's text to be gone rather than for the widget to hide.
    const widget = this.page.locator(".quick-input-widget");
    const deadline = Date.now() + 10_000;
    while ((await widget.isVisible()) && (await input.inputValue()).startsWith(">")) {
      if (Date.now() > deadline) throw new Error(`the command palette did not close after choosing ${title}`);
      await this.page.waitForTimeout(50);
    }
  }

  /**
   * Opens a workspace file through Quick Open and waits for its editor. Tried again from the start when
   * the editor does not come: a CI run once saw the row clicked and no editor opened (30 s wasted).
   */
  async openFile(name: string): Promise<void> {
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    // The row named exactly `name`: until Quick Open has filtered, its first row may be another recent
    // file, and Enter would open that one.
    const row = this.page.locator(".quick-input-widget .monaco-list-row", {
      has: this.page.locator(".label-name", { hasText: new RegExp(`^${escapeRegExp(name)}$`) }),
    });
    // The active tab, not any tab: a restored window may already have a tab for the file.
    const tab = this.page.locator(`.tabs-container .tab.active[aria-label^="${cssString(name)}"]`);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.page.keyboard.press("Control+P");
        await input.waitFor({ timeout: 10_000 });
        await input.fill(name, { timeout: 10_000 });
        await row.first().click({ timeout: 10_000 });
        await tab.waitFor({ timeout: 10_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw new Error(`Quick Open did not open ${name} in ${attempt} attempts.\n${await this.scene()}`, { cause: err });
        await this.page.keyboard.press("Escape");
      }
    }
    await this.page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor();
  }

  /** Right-clicks line `line` (1-based) of the active editor; returns the context menu's item labels. */
  async editorContextMenu(line: number): Promise<string[]> {
    return this.openContextMenu(this.page.locator(".editor-instance .monaco-editor .view-lines .view-line").nth(line - 1));
  }

  /** Moves the active editor's cursor to `line` (1-based) with Go to Line, which scrolls it into view. */
  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press("Control+G");
    const input = this.page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor();
    await input.fill(`:${line}`);
    await this.page.keyboard.press("Enter");
    await this.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  }

  /**
   * Right-clicks the code of the first rendered editor line containing `text`, `x` pixels from the line's start (in
   * its code, not past its end); returns the context menu's item labels.
   */
  async editorContextMenuOn(text: string, x = 40): Promise<string[]> {
    const line = this.page.locator(".editor-instance .monaco-editor .view-lines .view-line", { hasText: text }).first();
    return this.openContextMenu(line, { x, y: 5 });
  }

  private async openContextMenu(target: Locator, position?: { x: number; y: number }): Promise<string[]> {
    await target.click({ button: "right", position });
    const items = this.page.locator(".monaco-menu .action-item .action-label:not(.separator)");
    await items.first().waitFor();
    return (await items.allInnerTexts()).map((t) => t.trim()).filter((t) => t !== "");
  }

  /** Clicks an item of the open context menu by its label. */
  async clickMenuItem(label: string): Promise<void> {
    await this.chooseMenuItem(this.page.locator(".monaco-menu .action-item .action-label", { hasText: new RegExp(`^${escapeRegExp(label)}$`) }));
  }

  /** Runs an item of an open menu (context or Accounts menu) and waits for the menu to close. */
  async chooseMenuItem(item: Locator): Promise<void> {
    const menu = this.page.locator(".monaco-menu");
    const closed = () => menu.waitFor({ state: "hidden", timeout: 2_000 }).then(() => true, () => false);
    for (let attempt = 1; ; attempt++) {
      await item.click();
      if (await closed()) return;
      // A click landing while the menu still lays itself out only focuses the item; Enter then runs it.
      await this.page.keyboard.press("Enter");
      if (await closed()) return;
      if (attempt === 5) throw new Error(`the menu stayed open after ${attempt} clicks on "${await item.innerText()}"`);
    }
  }

  /** Every notification's message in the Notifications center (toasts that have hidden included). */
  async notificationMessages(): Promise<string[]> {
    await this.runCommand("Notifications: Show Notifications");
    const center = this.page.locator(".notifications-center");
    await center.waitFor();
    const messages = await center.locator(".notification-list-item-message").allInnerTexts();
    await this.runCommand("Notifications: Hide Notifications");
    return messages;
  }

  /** Waits for a notification toast whose message contains `text`. */
  async notification(text: string): Promise<void> {
    await this.page.locator(".notifications-toasts .notification-list-item-message", { hasText: text }).first().waitFor();
  }

  /** Picks the quick-pick row whose label is `label` (after a command opened the quick pick). */
  async pickQuickItem(label: string): Promise<void> {
    const row = this.page.locator(".quick-input-widget .monaco-list-row", {
      has: this.page.locator(".label-name", { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    });
    await row.first().click();
    await this.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  }

  /** The text of the output channel shown in the panel, once it matches `expected`. */
  async outputText(expected: RegExp, timeoutMs = 15_000): Promise<string> {
    const lines = this.page.locator(".part.panel .output-view .view-lines");
    await lines.waitFor({ timeout: timeoutMs });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Monaco renders spaces as non-breaking spaces.
      const text = (await lines.innerText()).replace(/\u00a0/g, " ");
      if (expected.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`the output panel never showed ${expected}; it shows:\n${text}`);
      // Only the lines in view are rendered, and under load the panel may not have followed the end yet:
      // scroll it there (over its left side, away from notification toasts).
      const box = await this.page.locator(".part.panel .output-view").first().boundingBox();
      if (box) {
        await this.page.mouse.move(box.x + 40, box.y + Math.min(box.height / 2, 40));
        await this.page.mouse.wheel(0, 10_000);
      }
      await this.page.waitForTimeout(200);
    }
  }

  /** The CodeLens texts of the active editor, once one of them matches `expected`. */
  async codeLensTexts(expected: RegExp, timeoutMs = 30_000): Promise<string[]> {
    const lenses = this.page.locator(".editor-instance .monaco-editor .codelens-decoration");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const texts = (await lenses.allInnerTexts()).map((t) => t.replace(/\u00a0/g, " ").trim());
      if (texts.some((t) => expected.test(t))) return texts;
      if (Date.now() > deadline) throw new Error(`no CodeLens showed ${expected}; they show:\n${texts.join("\n")}`);
      await this.page.waitForTimeout(200);
    }
  }

  /**
   * Ctrl+clicks the link on the first line of the Output panel containing `lineText`. A link under the
   * pointer while Ctrl is held is re-rendered as `detected-link-active`, so a click retried then still finds it.
   */
  async followOutputLink(lineText: string): Promise<void> {
    const line = this.page.locator(".part.panel .output-view .view-line", { hasText: lineText }).first();
    const link = line.locator(":is(.detected-link, .detected-link-active)").first();
    await link.waitFor({ timeout: 10_000 });
    await link.click({ modifiers: ["Control"] });
  }

  /** The name of the channel selected in the Output panel's dropdown. */
  async selectedOutputChannel(): Promise<string> {
    const select = this.page.locator(".part.panel .monaco-select-box");
    return (await select.first().getAttribute("title")) ?? (await select.first().inputValue());
  }

  /** The text of a status bar entry, by its accessible name. */
  async statusBarText(name: string, timeoutMs?: number): Promise<string> {
    const entry = this.page.locator(`.part.statusbar .statusbar-item[id$="${cssString(name)}"]`);
    await entry.waitFor({ timeout: timeoutMs });
    return (await entry.innerText()).trim();
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, "\\$&");
}

/** Thin wrappers over the vscode UI calls that commands make, so command logic is tested with fakes. */
import * as vscode from "vscode";

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

export interface InputOptions {
  title: string;
  prompt: string;
  value?: string;
  placeHolder?: string;
  /** Undefined when the text is acceptable, else the message shown under the box. */
  validate(text: string): string | undefined;
}

/** A notification button and the command it runs. */
export interface MessageAction {
  title: string;
  command: string;
  arguments?: unknown[];
}

export interface ProgressReporter {
  report(message: string, increment?: number): void;
}

export interface UserInterface {
  showInformation(message: string, actions?: readonly MessageAction[]): void;
  showWarning(message: string, actions?: readonly MessageAction[]): void;
  /** An error notification whose buttons run their commands. */
  showError(message: string, actions?: readonly MessageAction[]): void;
  copyToClipboard(text: string): Promise<void>;
  /** A quick pick; undefined when dismissed. */
  pickOne<T>(items: readonly PickItem<T>[], placeholder: string): Promise<T | undefined>;
  /** An input box with live validation; undefined when dismissed. */
  inputText(options: InputOptions): Promise<string | undefined>;
  /** A save dialog; the chosen file's path, or undefined when dismissed. */
  pickSaveLocation(options: { title: string; defaultPath?: string; filters: Record<string, string[]> }): Promise<string | undefined>;
  /** A cancellable progress notification around `task`; `cancelled` fires when the person cancels. */
  withProgress<T>(title: string, task: (progress: ProgressReporter, onCancel: (listener: () => void) => void) => Promise<T>): Promise<T>;
  /** A spinner and `title` in the status bar until `work` settles. */
  showBusy<T>(title: string, work: Promise<T>): Promise<T>;
}

async function withActions(
  show: (message: string, ...items: string[]) => Thenable<string | undefined>,
  message: string,
  actions: readonly MessageAction[] = [],
): Promise<void> {
  const picked = await show(message, ...actions.map((a) => a.title));
  const action = actions.find((a) => a.title === picked);
  if (action) await vscode.commands.executeCommand(action.command, ...(action.arguments ?? []));
}

export const vscodeUserInterface: UserInterface = {
  showInformation: (message, actions) =>
    void withActions((m, ...items) => vscode.window.showInformationMessage(m, ...items), message, actions),
  showWarning: (message, actions) => void withActions((m, ...items) => vscode.window.showWarningMessage(m, ...items), message, actions),
  showError: (message, actions) => void withActions((m, ...items) => vscode.window.showErrorMessage(m, ...items), message, actions),
  copyToClipboard: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
  pickOne: async (items, placeholder) =>
    (await vscode.window.showQuickPick(items, { placeHolder: placeholder, matchOnDescription: true }))?.value,
  inputText: async ({ title, prompt, value, placeHolder, validate }) =>
    vscode.window.showInputBox({ title, prompt, value, placeHolder, validateInput: validate, ignoreFocusOut: true }),
  pickSaveLocation: async ({ title, defaultPath, filters }) =>
    (
      await vscode.window.showSaveDialog({
        title,
        filters,
        defaultUri: defaultPath === undefined ? undefined : vscode.Uri.file(defaultPath),
      })
    )?.fsPath,
  withProgress: (title, task) =>
    Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
        task(
          { report: (message, increment) => progress.report({ message, increment }) },
          (listener) => void token.onCancellationRequested(listener),
        ),
      ),
    ),
  showBusy: (title, work) => Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => work)),
};

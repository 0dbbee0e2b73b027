/** Thin wrappers over the vscode UI calls that commands make, so command logic is tested with fakes. */
import * as vscode from "vscode";

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

export interface UserInterface {
  showInformation(message: string): void;
  showWarning(message: string): void;
  copyToClipboard(text: string): Promise<void>;
  /** A quick pick; undefined when dismissed. */
  pickOne<T>(items: readonly PickItem<T>[], placeholder: string): Promise<T | undefined>;
}

export const vscodeUserInterface: UserInterface = {
  showInformation: (message) => void vscode.window.showInformationMessage(message),
  showWarning: (message) => void vscode.window.showWarningMessage(message),
  copyToClipboard: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
  pickOne: async (items, placeholder) =>
    (await vscode.window.showQuickPick(items, { placeHolder: placeholder, matchOnDescription: true }))?.value,
};

/** The vscode side of the login's UI steps: the browser, and the input box for the pasted code. */
import * as vscode from "vscode";
import type { LoginPrompts } from "../auth/nativeAppLogin";

export const vscodeLoginPrompts: LoginPrompts = {
  openExternal: async (url) => vscode.env.openExternal(vscode.Uri.parse(url, true)),
  promptCode: async ({ prompt, validate }) =>
    vscode.window.showInputBox({
      title: "Sign In to Globus",
      prompt,
      placeHolder: "Authorization code from the Globus page",
      // The person switches to the browser to copy the code: the box must survive losing focus.
      ignoreFocusOut: true,
      validateInput: validate,
    }),
};

/** The vscode side of "Open Sample File": files, editors and the confirmation. */
import { access, readFile, writeFile } from "node:fs/promises";
import * as vscode from "vscode";
import type { SampleFileDeps } from "../commands/sampleFileCommand";

export function vscodeSampleFileDeps(context: vscode.ExtensionContext): SampleFileDeps {
  return {
    folder: vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri.fsPath,
    sampleText: () => readFile(context.asAbsolutePath("media/sample-workspace/examples.py"), "utf8"),
    exists: (path) => access(path).then(
      () => true,
      () => false,
    ),
    create: (path, text) => writeFile(path, text, { flag: "wx" }),
    openFile: async (path) => void (await vscode.window.showTextDocument(vscode.Uri.file(path))),
    openUntitled: async (text) => void (await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: "python", content: text }))),
    confirmCreate: async (path) =>
      (await vscode.window.showInformationMessage(
        `Create ${vscode.workspace.asRelativePath(path)} with a few example functions to submit?`,
        { modal: true },
        "Create",
      )) === "Create",
  };
}

/** The vscode side of EditorContext: where the cursor is in the active Python editor. */
import * as vscode from "vscode";
import type { EditorContext } from "../submit/submitCommands";

export const vscodeEditorContext: EditorContext = {
  activeLocation() {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.languageId !== "python") return undefined;
    const { document } = editor;
    const position = editor.selection.active;
    // A click right of a line's code puts the cursor after it, which for a function's last line is past the
    // function's end: the person meant that line, so its last code character is used.
    const codeEnd = document.lineAt(position.line).text.trimEnd().length;
    const at = codeEnd > 0 && position.character >= codeEnd ? position.with({ character: codeEnd - 1 }) : position;
    return { uri: document.uri.toString(), offset: document.offsetAt(at) };
  },
  // The language server analyses documents the editor has open; opening one (without showing it) syncs it.
  async ensureOpen(uri) {
    await vscode.workspace.openTextDocument(vscode.Uri.parse(uri, true));
  },
};

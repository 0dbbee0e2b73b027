/** The vscode side of EditorContext: where the cursor is in the active Python editor. */
import * as vscode from "vscode";
import type { EditorContext } from "../submit/submitCommands";

export const vscodeEditorContext: EditorContext = {
  activeLocation() {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.languageId !== "python") return undefined;
    const { document } = editor;
    // A cursor right of a function's last line is resolved by the analyzer (core/python cursorAnchor).
    return { uri: document.uri.toString(), offset: document.offsetAt(editor.selection.active) };
  },
  // The language server analyses documents the editor has open; opening one (without showing it) syncs it.
  async ensureOpen(uri) {
    await vscode.workspace.openTextDocument(vscode.Uri.parse(uri, true));
  },
  notebookCellIndex(uri) {
    for (const notebook of vscode.workspace.notebookDocuments) {
      for (const cell of notebook.getCells()) if (cell.document.uri.toString() === uri) return cell.index;
    }
    return undefined;
  },
};

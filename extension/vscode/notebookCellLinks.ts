/**
 * The vscode side of notebook traceback frames: a link provider for the output channel and the result
 * documents, and the command its links run, which opens the notebook at the frame's cell and line.
 */
import * as vscode from "vscode";
import { notebookFrameLinks } from "../output/notebookFrameLinks";
import { RESULT_SCHEME } from "../output/resultDocuments";

export const OPEN_NOTEBOOK_CELL_COMMAND = "globusCompute.openNotebookCell";

export function registerNotebookCellLinks(): vscode.Disposable {
  // The Output panel's documents (`output:` URIs) and Open Result's.
  return vscode.languages.registerDocumentLinkProvider([{ scheme: "output" }, { scheme: RESULT_SCHEME }], {
    provideDocumentLinks(document) {
      return notebookFrameLinks(document.getText()).map((l) => {
        const args = encodeURIComponent(JSON.stringify([l.path, l.cell, l.cellLine]));
        const link = new vscode.DocumentLink(new vscode.Range(l.line, l.start, l.line, l.end), vscode.Uri.parse(`command:${OPEN_NOTEBOOK_CELL_COMMAND}?${args}`));
        link.tooltip = `Open cell ${l.cell} of the notebook at line ${l.cellLine}`;
        return link;
      });
    },
  });
}

/** Opens the notebook at `path` and puts the cursor on line `line` of cell `cell` (both 1-based). */
export async function openNotebookCell(path: unknown, cell: unknown, line: unknown): Promise<void> {
  if (typeof path !== "string" || !Number.isSafeInteger(cell) || !Number.isSafeInteger(line)) throw new Error("expected a notebook path, a cell and a line");
  const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(path));
  const index = (cell as number) - 1;
  if (index < 0 || index >= notebook.cellCount) throw new Error(`${path} has no cell ${String(cell)} now (it has ${notebook.cellCount})`);
  const at = new vscode.Position(Math.max(0, (line as number) - 1), 0);
  await vscode.window.showNotebookDocument(notebook, { selections: [new vscode.NotebookRange(index, index + 1)] });
  await vscode.window.showTextDocument(notebook.cellAt(index).document, { selection: new vscode.Range(at, at) });
}

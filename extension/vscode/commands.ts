/** Registers command handlers; a handler that throws is reported to the log and the user, not lost. */
import * as vscode from "vscode";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import type { CommandHandlers } from "../commands/commandIds";

export function registerCommands(handlers: CommandHandlers, log: vscode.LogOutputChannel): Disposable {
  const store = new DisposableStore();
  for (const [id, handler] of Object.entries(handlers)) {
    store.add(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await handler(...args);
        } catch (err) {
          log.error(`${id} failed:`, err instanceof Error ? err : String(err));
          void vscode.window.showErrorMessage(`Globus Compute: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  }
  return store;
}

/** The vscode side of ConfigurationSource: `workspace.getConfiguration` and its change event. */
import * as vscode from "vscode";
import { Emitter } from "../../core/util/event";
import type { ConfigurationSource } from "../state/settings";
import type { Disposable } from "../../core/util/disposable";

export function vscodeConfigurationSource(section: string): ConfigurationSource & Disposable {
  const changed = new Emitter<void>();
  const subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(section)) changed.fire();
  });
  return {
    get: (key) => vscode.workspace.getConfiguration(section).get(key),
    onDidChange: changed.event,
    dispose() {
      subscription.dispose();
      changed.dispose();
    },
  };
}

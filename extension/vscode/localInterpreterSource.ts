/**
 * The VS Code side of the local endpoint's interpreter choice: gathers the facts
 * `resolveLocalInterpreter` decides on (the Python extension's active interpreter through its published
 * API, the workspace's `.venv`/`venv`, workspace trust, the setting) and says when the choice changes
 * (another interpreter selected, a venv created or deleted, trust granted, the setting edited).
 */
import { existsSync } from "node:fs";
import { PythonExtension } from "@vscode/python-extension";
import * as vscode from "vscode";
import { Emitter, type Event } from "../../core/util/event";
import { resolveLocalInterpreter, type LocalInterpreter } from "../endpoints/localInterpreter";
import type { Settings } from "../state/settings";

const PYTHON_EXTENSION_ID = "ms-python.python";

export class LocalInterpreterSource implements vscode.Disposable {
  private readonly changed = new Emitter<LocalInterpreter>();
  readonly onDidChange: Event<LocalInterpreter> = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private extensionPath: string | undefined;
  private resolved: LocalInterpreter;
  /** Settles once the Python extension (when installed) has said which interpreter is active. */
  readonly known: Promise<void>;

  constructor(
    private readonly settings: Settings,
    private readonly folder: vscode.WorkspaceFolder | undefined,
    log: (message: string) => void,
  ) {
    this.resolved = this.resolve();
    const venvs = folder && vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, "{.venv,venv}/{bin/python,Scripts/python.exe}"));
    if (venvs) this.disposables.push(venvs, venvs.onDidCreate(() => this.update()), venvs.onDidDelete(() => this.update()));
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
      settings.onDidChange(() => this.update()),
      this.changed,
    );
    this.known = this.followPythonExtension().catch((err: unknown) => {
      log(`The Python extension's interpreter is not known, so it is not used: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /**
   * Checked again on each use (two existsSync calls): a file watcher can miss a venv whose files appear
   * in a directory created a moment before, so the change is also noticed here, and announced.
   */
  get current(): LocalInterpreter {
    const next = this.resolve();
    if (JSON.stringify(next) !== JSON.stringify(this.resolved)) queueMicrotask(() => this.update());
    return next;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private async followPythonExtension(): Promise<void> {
    if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID) === undefined) return;
    const api = await PythonExtension.api();
    const environments = api.environments;
    this.disposables.push(
      environments.onDidChangeActiveEnvironmentPath((e) => {
        if (e.resource === undefined || this.folder === undefined || e.resource.uri.toString() === this.folder.uri.toString()) {
          this.extensionPath = e.path;
          this.update();
        }
      }),
    );
    this.extensionPath = environments.getActiveEnvironmentPath(this.folder?.uri).path;
    this.update();
  }

  private resolve(): LocalInterpreter {
    return resolveLocalInterpreter({
      pythonExtensionPath: this.extensionPath,
      workspaceFolder: this.folder?.uri.fsPath,
      exists: existsSync,
      trusted: vscode.workspace.isTrusted,
      settingPath: this.settings.current.local.pythonPath,
      platform: process.platform,
    });
  }

  private update(): void {
    const next = this.resolve();
    const before = this.resolved;
    this.resolved = next;
    if (JSON.stringify(next) !== JSON.stringify(before)) this.changed.fire(next);
  }
}

/**
 * The Endpoints view: the endpoints submissions can go to (EndpointSelection's options), the selected one
 * marked. Live status (online/offline, workers) comes with the ComputeService wiring.
 */
import type * as vscode from "vscode";
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import type { GlobusComputeSettings, Settings } from "../state/settings";
import { codeSpan } from "../util/format";
import type { TreeItemData } from "../vscode/treeItemData";
import type { EndpointOption, EndpointSelection } from "./endpointSelection";

export function endpointItem(option: EndpointOption, settings: GlobusComputeSettings, selected: boolean): TreeItemData {
  const mark = selected ? " · selected" : "";
  if (option.kind === "local") {
    const python = settings.local.pythonPath || "python3";
    return {
      id: "endpoint/local",
      label: option.name,
      description: `this machine · ${settings.local.workers} workers${mark}`,
      tooltip: `**Local endpoint**: runs functions on this machine with ${settings.local.workers} workers of ${codeSpan(python)}.`,
      icon: { id: selected ? "pass-filled" : "vm" },
      contextValue: "endpoint.local",
      collapsible: "none",
    };
  }
  return {
    id: `endpoint/${option.id}`,
    label: option.name,
    description: `${option.id}${mark}`,
    tooltip: `**${codeSpan(option.name)}**\n\n- Endpoint: ${codeSpan(option.id)}`,
    icon: { id: selected ? "pass-filled" : "cloud" },
    contextValue: "endpoint.cloud",
    collapsible: "none",
  };
}

export class EndpointTreeDataProvider<TItem = vscode.TreeItem> implements Disposable {
  private readonly changed = new Emitter<undefined>();
  readonly onDidChangeTreeData: Event<undefined> = this.changed.event;
  private readonly disposables = new DisposableStore();

  constructor(
    private readonly settings: Settings,
    private readonly selection: EndpointSelection,
    private readonly toTreeItem: (data: TreeItemData) => TItem,
  ) {
    this.disposables.add(this.changed);
    this.disposables.add(settings.onDidChange(() => this.refresh()));
    this.disposables.add(selection.onDidChange(() => this.refresh()));
  }

  getChildren(option?: EndpointOption): EndpointOption[] {
    return option === undefined ? this.selection.options : [];
  }

  getTreeItem(option: EndpointOption): TItem {
    return this.toTreeItem(endpointItem(option, this.settings.current, option.id === this.selection.current.id));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

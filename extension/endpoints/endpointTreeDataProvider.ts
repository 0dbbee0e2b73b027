/**
 * The Endpoints view: the endpoints submissions can go to (EndpointSelection's options), the selected one
 * marked, with each endpoint's status from its service (online/offline, workers) once fetched. Statuses are
 * fetched when the view first shows and on Refresh, not polled.
 */
import type * as vscode from "vscode";
import type { EndpointStatus } from "../../core/service/computeService";
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import type { GlobusComputeSettings, Settings } from "../state/settings";
import { codeSpan } from "../util/format";
import type { TreeItemData } from "../vscode/treeItemData";
import type { EndpointOption, EndpointSelection } from "./endpointSelection";

/** A fetched status, or why there is none (e.g. not signed in); undefined: not fetched (local: not started). */
export type StatusEntry = { status: EndpointStatus } | { error: string };

export function endpointItem(
  option: EndpointOption,
  settings: GlobusComputeSettings,
  selected: boolean,
  entry?: StatusEntry,
): TreeItemData {
  const mark = selected ? " · selected" : "";
  if (option.kind === "local") {
    const python = settings.local.pythonPath || "python3";
    const d = entry && "status" in entry ? entry.status.details : undefined;
    const workers =
      d?.total_workers !== undefined
        ? `${d.idle_workers ?? 0} of ${d.total_workers} workers idle${d.pending_tasks ? ` · ${d.pending_tasks} waiting` : ""}`
        : `${settings.local.workers} workers`;
    return {
      id: "endpoint/local",
      label: option.name,
      description: `this machine · ${workers}${mark}`,
      tooltip: `**Local endpoint**: runs functions on this machine with ${settings.local.workers} workers of ${codeSpan(python)}.${
        entry && "error" in entry ? `\n\nStatus: ${entry.error}` : ""
      }`,
      icon: { id: selected ? "pass-filled" : "vm" },
      contextValue: "endpoint.local",
      collapsible: "none",
    };
  }
  const status = entry && "status" in entry ? entry.status : undefined;
  const d = status?.details;
  const workers = d?.total_workers !== undefined ? ` · ${d.total_workers} workers` : "";
  const lines = [`**${codeSpan(option.name)}**`, "", `- Endpoint: ${codeSpan(option.id)}`];
  if (status) lines.push(`- Status: ${status.status}${workers}`);
  if (entry && "error" in entry) lines.push(`- Status unknown: ${entry.error}`);
  return {
    id: `endpoint/${option.id}`,
    label: option.name,
    description: `${status ? `${status.status}${workers} · ` : ""}${option.id}${mark}`,
    tooltip: lines.join("\n"),
    icon: { id: selected ? "pass-filled" : status?.status === "offline" ? "cloud-offline" : "cloud" },
    contextValue: "endpoint.cloud",
    collapsible: "none",
  };
}

export class EndpointTreeDataProvider<TItem = vscode.TreeItem> implements Disposable {
  private readonly changed = new Emitter<undefined>();
  readonly onDidChangeTreeData: Event<undefined> = this.changed.event;
  private readonly disposables = new DisposableStore();
  private statuses: Map<string, StatusEntry> | undefined;
  private disposed = false;

  constructor(
    private readonly settings: Settings,
    private readonly selection: EndpointSelection,
    private readonly toTreeItem: (data: TreeItemData) => TItem,
    /** The endpoint's status from its service; undefined when there is none to ask yet. */
    private readonly status?: (option: EndpointOption) => Promise<EndpointStatus | undefined>,
  ) {
    this.disposables.add(this.changed);
    this.disposables.add(settings.onDidChange(() => this.refresh()));
    this.disposables.add(selection.onDidChange(() => this.refresh()));
  }

  getChildren(option?: EndpointOption): EndpointOption[] {
    if (option !== undefined) return [];
    const options = this.selection.options;
    if (this.statuses === undefined) this.fetchStatuses(options);
    return options;
  }

  getTreeItem(option: EndpointOption): TItem {
    return this.toTreeItem(
      endpointItem(option, this.settings.current, option.id === this.selection.current.id, this.statuses?.get(option.id)),
    );
  }

  /** Renders again and fetches the statuses anew. */
  refresh(): void {
    this.statuses = undefined;
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.disposables.dispose();
  }

  private fetchStatuses(options: readonly EndpointOption[]): void {
    const statuses = new Map<string, StatusEntry>();
    this.statuses = statuses;
    const status = this.status;
    if (status === undefined) return;
    for (const option of options) {
      status(option).then(
        (s) => s !== undefined && this.statusArrived(statuses, option.id, { status: s }),
        (err: unknown) => this.statusArrived(statuses, option.id, { error: err instanceof Error ? err.message : String(err) }),
      );
    }
  }

  private statusArrived(statuses: Map<string, StatusEntry>, id: string, entry: StatusEntry): void {
    // A refresh since started a newer round: this answer is stale.
    if (this.disposed || statuses !== this.statuses) return;
    statuses.set(id, entry);
    this.changed.fire(undefined);
  }
}

/**
 * The Endpoints view: the page of EndpointViewModel's rows, each with its status from the
 * EndpointDirectory. While the view is visible the list and the statuses of the rows on screen are kept
 * fresh (the directory's TTLs decide what is asked again); Refresh asks anew. A tooltip fetches the
 * endpoint's metadata when hovered. Problems of the whole list (not signed in, consent, unreachable)
 * become a row whose click fixes them; a back-off on the service's rate limit is said in the view message.
 */
import type * as vscode from "vscode";
import type { EndpointDirectory } from "../../core/endpoints/endpointDirectory";
import type { EndpointStatus } from "../../core/service/computeService";
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import type { Settings } from "../state/settings";
import type { TreeItemData } from "../vscode/treeItemData";
import { cloudEndpointItem, configurationItem, localEndpointItem, problemFix } from "./endpointItems";
import type { CheckedConfiguration } from "./endpointConfigurations";
import type { EndpointRow, EndpointViewModel } from "./endpointViewModel";
import type { ProbeEntry } from "./environmentProbes";
import type { LocalInterpreter } from "./localInterpreter";

export type EndpointNode =
  | { kind: "endpoint"; row: EndpointRow }
  | { kind: "configuration"; row: EndpointRow; checked: CheckedConfiguration }
  | { kind: "more"; remaining: number }
  | { kind: "notice"; item: TreeItemData };

export interface EndpointTreeOptions<TItem> {
  toTreeItem(data: TreeItemData): TItem;
  /** The local endpoint's status; undefined while it is not running. */
  localStatus?(): Promise<EndpointStatus | undefined>;
  /** Which interpreter the local endpoint runs, for its tooltip. */
  localInterpreter?(): LocalInterpreter | undefined;
  /** The endpoint's latest environment probe (of the configuration, when given), for its row. */
  probe?(endpointId: string, configuration?: string): ProbeEntry | undefined;
  /** Whether a probe of the endpoint is under way. */
  inspecting?(endpointId: string): boolean;
  /** The endpoint's named configurations (shown as its child rows), checked by its schema. */
  configurations?(endpointId: string): CheckedConfiguration[];
  /** How often statuses on screen are refreshed while the view is visible (default 30 s). */
  pollMs?: number;
  /** How long a tooltip waits for metadata (default 4 s). */
  metadataWaitMs?: number;
}

export class EndpointTreeDataProvider<TItem = vscode.TreeItem> implements Disposable {
  private readonly changed = new Emitter<undefined>();
  readonly onDidChangeTreeData: Event<undefined> = this.changed.event;
  private readonly disposables = new DisposableStore();
  private visible = false;
  private poll: NodeJS.Timeout | undefined;
  private local: { status?: EndpointStatus; error?: string } | undefined;
  private disposed = false;

  constructor(
    private readonly model: EndpointViewModel,
    private readonly directory: EndpointDirectory,
    private readonly settings: Settings,
    private readonly options: EndpointTreeOptions<TItem>,
  ) {
    this.disposables.add(this.changed);
    this.disposables.add(model.onDidChange(() => this.changed.fire(undefined)));
  }

  /** Renders again without asking the service (e.g. a probe arrived). */
  rerender(): void {
    this.changed.fire(undefined);
  }

  /** The view's message: the filter in force, a rate-limit back-off. */
  get message(): string | undefined {
    const parts: string[] = [];
    const until = this.directory.backingOffUntil;
    if (until) parts.push(`The service is rate limiting requests: statuses resume in ${Math.ceil((until - Date.now()) / 1000)} s.`);
    if (this.model.filter) {
      const page = this.model.page();
      parts.push(`Filter "${this.model.filter}": ${page.matching} of ${page.total} endpoints.`);
    }
    return parts.length ? parts.join(" ") : undefined;
  }

  /** Follows the view's visibility: statuses are kept fresh only while it is seen. */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    clearInterval(this.poll);
    this.poll = undefined;
    if (!visible || this.disposed) return;
    this.poll = setInterval(() => this.keepFresh(false), this.options.pollMs ?? 30_000);
    this.keepFresh(false);
  }

  getChildren(node?: EndpointNode): EndpointNode[] {
    if (node?.kind === "endpoint" && node.row.kind === "cloud")
      return (this.options.configurations?.(node.row.id) ?? []).map((checked) => ({ kind: "configuration", row: node.row, checked }));
    if (node !== undefined) return [];
    if (this.local === undefined) this.fetchLocalStatus();
    const page = this.model.page();
    const nodes: EndpointNode[] = [];
    const notice = this.listNotice();
    if (notice) nodes.push({ kind: "notice", item: notice });
    nodes.push(...page.rows.map((row): EndpointNode => ({ kind: "endpoint", row })));
    if (page.matching > page.rows.length) nodes.push({ kind: "more", remaining: page.matching - page.rows.length });
    if (this.visible) void this.directory.refreshStatuses(this.cloudIds(page.rows));
    return nodes;
  }

  getTreeItem(node: EndpointNode): TItem {
    return this.options.toTreeItem(this.itemData(node));
  }

  /** On hover: the tooltip with the endpoint's metadata, fetched now if not cached. */
  async resolveTreeItem(item: TItem, node: EndpointNode): Promise<TItem> {
    if (node.kind !== "endpoint" || node.row.kind !== "cloud") return item;
    const wait = new Promise<void>((resolve) => setTimeout(resolve, this.options.metadataWaitMs ?? 4000).unref?.());
    await Promise.race([this.directory.metadata(node.row.id).catch(() => undefined), wait]);
    return this.options.toTreeItem(this.itemData(node));
  }

  /** Refresh: the list, the statuses on screen and the local endpoint's, asked anew. */
  refresh(): void {
    this.local = undefined;
    this.keepFresh(true);
    this.changed.fire(undefined);
  }

  /** The cloud endpoints on screen. */
  visibleCloudIds(): string[] {
    return this.cloudIds(this.model.page().rows);
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.poll);
    this.disposables.dispose();
  }

  private keepFresh(force: boolean): void {
    void this.directory.list(force).then(() => {
      if (!this.disposed) void this.directory.refreshStatuses(this.visibleCloudIds(), force);
    });
  }

  private itemData(node: EndpointNode): TreeItemData {
    if (node.kind === "notice") return node.item;
    if (node.kind === "more")
      return {
        id: "endpoint/more",
        label: `${node.remaining} more…`,
        description: "show the next page, or filter",
        icon: { id: "ellipsis" },
        contextValue: "endpoint.more",
        collapsible: "none",
        command: { command: "globusCompute.showMoreEndpoints", title: "Show More Endpoints" },
      };
    if (node.kind === "configuration") return configurationItem(node.row, node.checked, this.options.probe?.(node.row.id, node.checked.configuration.name));
    const { row } = node;
    if (row.kind === "local")
      return localEndpointItem(
        row,
        this.settings.current,
        this.local?.status,
        this.local?.error,
        this.options.localInterpreter?.(),
        this.options.probe?.(row.id),
        this.options.inspecting?.(row.id),
      );
    const item = cloudEndpointItem(row, this.directory.entry(row.id), Date.now(), this.options.probe?.(row.id), this.options.inspecting?.(row.id));
    return this.options.configurations?.(row.id).length ? { ...item, collapsible: "collapsed" } : item;
  }

  private listNotice(): TreeItemData | undefined {
    const problem = this.directory.listProblem;
    if (!problem) return undefined;
    const fix = problemFix(problem);
    const label =
      problem.code === "NOT_SIGNED_IN"
        ? "Sign in to Globus to list your endpoints"
        : problem.code === "CONSENT_REQUIRED"
          ? "Sign in again to allow Globus Compute to list your endpoints"
          : `Could not list your endpoints: ${problem.message}`;
    return {
      id: "endpoint/notice",
      label,
      tooltip: problem.message,
      icon: { id: problem.code === "NOT_SIGNED_IN" || problem.code === "CONSENT_REQUIRED" ? "sign-in" : "warning" },
      contextValue: "endpoint.notice",
      collapsible: "none",
      ...(fix ? { command: { command: fix.command, title: fix.title } } : {}),
    };
  }

  private cloudIds(rows: readonly EndpointRow[]): string[] {
    return rows.filter((r) => r.kind === "cloud").map((r) => r.id);
  }

  private fetchLocalStatus(): void {
    const local = {} as { status?: EndpointStatus; error?: string };
    this.local = local;
    this.options.localStatus?.().then(
      (s) => this.localArrived(local, { status: s }),
      (err: unknown) => this.localArrived(local, { error: err instanceof Error ? err.message : String(err) }),
    );
  }

  private localArrived(local: { status?: EndpointStatus; error?: string }, value: { status?: EndpointStatus; error?: string }): void {
    if (this.disposed || this.local !== local || (value.status === undefined && value.error === undefined)) return;
    Object.assign(local, value);
    this.changed.fire(undefined);
  }
}

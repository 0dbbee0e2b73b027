/**
 * The Tasks view's TreeDataProvider. Rendering is in taskTreeNodes.ts and taskGrouping.ts; this class adds
 * paging, the state filter, the grouping under headings, and a debounced refresh (a burst of 10k result events becomes one tree update), and stays free of vscode
 * runtime imports so it runs in unit tests: the TreeItem factory is passed in.
 */
import type * as vscode from "vscode";
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import { TASK_DISPLAY_STATES, type TaskDisplayState, type TaskGroupModel } from "./taskGroupModel";
import { bucketOf, bucketItem, bucketsOf, type TaskGrouping } from "./taskGrouping";
import { childrenOf, formatCounts, groupItem, groupsShown, moreItem, taskItem, type TaskTreeNode } from "./taskTreeNodes";
import type { TreeItemData } from "../vscode/treeItemData";

export interface TaskTreeOptions<TItem> {
  toTreeItem: (data: TreeItemData) => TItem;
  /** Tasks shown per group before a "show more" row; default 200. */
  pageSize?: number;
  /** Changes within this window are rendered together; default 100 ms. */
  refreshDelayMs?: number;
  /** The headings task groups sit under at first; default none. */
  groupBy?: TaskGrouping;
}

type BucketNode = TaskTreeNode & { kind: "bucket" };

export class TaskTreeDataProvider<TItem = vscode.TreeItem> implements Disposable {
  private readonly changed = new Emitter<TaskTreeNode | TaskTreeNode[] | undefined>();
  readonly onDidChangeTreeData: Event<TaskTreeNode | TaskTreeNode[] | undefined> = this.changed.event;
  private readonly disposables = new DisposableStore();
  /** Group nodes are kept so a refresh can name the same element object VS Code got. */
  private readonly groupNodes = new Map<string, TaskTreeNode & { kind: "group" }>();
  private readonly bucketNodes = new Map<string, BucketNode>();
  /** The heading each group was listed under, to notice a group that moved to another one. */
  private readonly listedUnder = new Map<string, string>();
  private grouping: TaskGrouping;
  private readonly shown = new Map<string, number>();
  private readonly pending = new Set<string>();
  private structureChanged = false;
  private filter: ReadonlySet<TaskDisplayState> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly pageSize: number;
  private readonly refreshDelayMs: number;

  constructor(
    private readonly model: TaskGroupModel,
    private readonly options: TaskTreeOptions<TItem>,
  ) {
    this.pageSize = options.pageSize ?? 200;
    this.refreshDelayMs = options.refreshDelayMs ?? 100;
    this.grouping = options.groupBy ?? "none";
    this.disposables.add(
      model.onDidChange((change) => {
        if (change.kind === "changed") this.pending.add(change.groupKey);
        else {
          this.structureChanged = true;
          if (change.kind === "removed") {
            this.groupNodes.delete(change.groupKey);
            this.shown.delete(change.groupKey);
            this.listedUnder.delete(change.groupKey);
          }
        }
        this.schedule();
      }),
    );
    this.disposables.add(this.changed);
  }

  /** Tasks in these states only (undefined: all). */
  get stateFilter(): ReadonlySet<TaskDisplayState> | undefined {
    return this.filter;
  }

  set stateFilter(states: ReadonlySet<TaskDisplayState> | undefined) {
    this.filter = states === undefined || states.size === TASK_DISPLAY_STATES.length ? undefined : new Set(states);
    this.structureChanged = true;
    this.schedule();
  }

  /** The headings task groups sit under ("none": task groups at the root). */
  get groupBy(): TaskGrouping {
    return this.grouping;
  }

  set groupBy(by: TaskGrouping) {
    if (by === this.grouping) return;
    this.grouping = by;
    this.bucketNodes.clear();
    this.listedUnder.clear();
    this.structureChanged = true;
    this.schedule();
  }

  getChildren(node?: TaskTreeNode): TaskTreeNode[] {
    return childrenOf(this.model, node, (key) => this.shown.get(key) ?? this.pageSize, this.filter, this.grouping).map((n) => {
      if (n.kind === "bucket") return this.bucketNode(n.key);
      if (n.kind !== "group") return n;
      if (node?.kind === "bucket") this.listedUnder.set(n.groupKey, node.key);
      return this.groupNode(n.groupKey);
    });
  }

  getTreeItem(node: TaskTreeNode): TItem {
    return this.options.toTreeItem(this.describe(node));
  }

  /** The row for a node, as plain data. */
  describe(node: TaskTreeNode): TreeItemData {
    if (node.kind === "bucket") {
      const buckets = bucketsOf(groupsShown(this.model, this.filter), node.by);
      const found = buckets.find((b) => b.bucket.key === node.key);
      if (found === undefined) return { id: `bucket/${node.by}/${node.key}/gone`, label: "(no task groups)", collapsible: "none" };
      return bucketItem(found.bucket, found.groups, this.model, formatCounts, buckets[0] === found);
    }
    const group = this.model.get(node.groupKey);
    if (group === undefined) return { id: `${node.groupKey}/gone`, label: "(forgotten)", collapsible: "none" };
    switch (node.kind) {
      case "group":
        return groupItem(group, this.model.countsOf(group.key), this.model.groups[0]?.key === group.key);
      case "task":
        return taskItem(group, node.index, group.tasks[node.index]);
      case "more":
        return moreItem(group, node.shown, this.pageSize, node.total);
    }
  }

  getParent(node: TaskTreeNode): TaskTreeNode | undefined {
    if (node.kind === "bucket") return undefined;
    if (node.kind !== "group") return this.groupNode(node.groupKey);
    const group = this.model.get(node.groupKey);
    return this.grouping === "none" || group === undefined ? undefined : this.bucketNode(bucketOf(group, this.grouping).key);
  }

  /** Shows one more page of a group's tasks (the "show more" row's command). */
  showMore(node: TaskTreeNode): void {
    if (node.kind === "bucket") return;
    const current = this.shown.get(node.groupKey) ?? this.pageSize;
    this.shown.set(node.groupKey, current + this.pageSize);
    this.pending.add(node.groupKey);
    this.schedule();
  }

  /** Pages the task's group far enough that its row is listed (before revealing it). */
  ensureShown(node: TaskTreeNode & { kind: "task" }): void {
    const shown = this.shown.get(node.groupKey) ?? this.pageSize;
    if (node.index < shown) return;
    this.shown.set(node.groupKey, (Math.floor(node.index / this.pageSize) + 1) * this.pageSize);
    this.pending.add(node.groupKey);
    this.flush();
  }

  /** Renders pending changes now instead of after the delay. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.structureChanged) this.changed.fire(undefined);
    else if (this.pending.size > 0) this.changed.fire(this.grouping === "none" ? this.changedGroups() : this.changedBuckets());
    this.structureChanged = false;
    this.pending.clear();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.disposables.dispose();
  }

  private changedGroups(): TaskTreeNode[] | undefined {
    return [...this.pending].filter((k) => this.model.get(k)).map((k) => this.groupNode(k));
  }

  /** A heading's counts sum its groups', so a changed group refreshes its heading; a group that moved refreshes the root. */
  private changedBuckets(): TaskTreeNode[] | undefined {
    const buckets = new Set<BucketNode>();
    for (const key of this.pending) {
      const group = this.model.get(key);
      if (group === undefined || this.grouping === "none") continue;
      const bucketKey = bucketOf(group, this.grouping).key;
      const listed = this.listedUnder.get(key);
      if (listed !== undefined && listed !== bucketKey) return undefined;
      buckets.add(this.bucketNode(bucketKey));
    }
    return [...buckets];
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.refreshDelayMs);
  }

  private bucketNode(key: string): BucketNode {
    let node = this.bucketNodes.get(key);
    if (node === undefined && this.grouping !== "none") {
      node = { kind: "bucket", by: this.grouping, key };
      this.bucketNodes.set(key, node);
    }
    if (node === undefined) throw new Error("no headings without a grouping");
    return node;
  }

  private groupNode(groupKey: string): TaskTreeNode & { kind: "group" } {
    let node = this.groupNodes.get(groupKey);
    if (node === undefined) {
      node = { kind: "group", groupKey };
      this.groupNodes.set(groupKey, node);
    }
    return node;
  }
}

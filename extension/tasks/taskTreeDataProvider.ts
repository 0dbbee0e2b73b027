/**
 * The Tasks view's TreeDataProvider. Rendering is in taskTreeNodes.ts; this class adds paging and a
 * debounced refresh (a burst of 10k result events becomes one tree update), and stays free of vscode
 * runtime imports so it runs in unit tests: the TreeItem factory is passed in.
 */
import type * as vscode from "vscode";
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import { TASK_DISPLAY_STATES, type TaskDisplayState, type TaskGroupModel } from "./taskGroupModel";
import { childrenOf, groupItem, moreItem, taskItem, type TaskTreeNode } from "./taskTreeNodes";
import type { TreeItemData } from "../vscode/treeItemData";

export interface TaskTreeOptions<TItem> {
  toTreeItem: (data: TreeItemData) => TItem;
  /** Tasks shown per group before a "show more" row; default 200. */
  pageSize?: number;
  /** Changes within this window are rendered together; default 100 ms. */
  refreshDelayMs?: number;
}

export class TaskTreeDataProvider<TItem = vscode.TreeItem> implements Disposable {
  private readonly changed = new Emitter<TaskTreeNode | TaskTreeNode[] | undefined>();
  readonly onDidChangeTreeData: Event<TaskTreeNode | TaskTreeNode[] | undefined> = this.changed.event;
  private readonly disposables = new DisposableStore();
  /** Group nodes are kept so a refresh can name the same element object VS Code got. */
  private readonly groupNodes = new Map<string, TaskTreeNode & { kind: "group" }>();
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
    this.disposables.add(
      model.onDidChange((change) => {
        if (change.kind === "changed") this.pending.add(change.groupKey);
        else {
          this.structureChanged = true;
          if (change.kind === "removed") {
            this.groupNodes.delete(change.groupKey);
            this.shown.delete(change.groupKey);
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

  getChildren(node?: TaskTreeNode): TaskTreeNode[] {
    return childrenOf(this.model, node, (key) => this.shown.get(key) ?? this.pageSize, this.filter).map((n) =>
      n.kind === "group" ? this.groupNode(n.groupKey) : n,
    );
  }

  getTreeItem(node: TaskTreeNode): TItem {
    return this.options.toTreeItem(this.describe(node));
  }

  /** The row for a node, as plain data. */
  describe(node: TaskTreeNode): TreeItemData {
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
    return node.kind === "group" ? undefined : this.groupNode(node.groupKey);
  }

  /** Shows one more page of a group's tasks (the "show more" row's command). */
  showMore(node: TaskTreeNode): void {
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
    else if (this.pending.size > 0) {
      this.changed.fire([...this.pending].filter((k) => this.model.get(k)).map((k) => this.groupNode(k)));
    }
    this.structureChanged = false;
    this.pending.clear();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.disposables.dispose();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.refreshDelayMs);
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

/** Turns plain TreeItemData into a vscode.TreeItem (the only place tree rows touch the vscode API). */
import * as vscode from "vscode";
import type { TreeItemData } from "./treeItemData";

const COLLAPSIBLE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
} as const;

export function toTreeItem(data: TreeItemData): vscode.TreeItem {
  const item = new vscode.TreeItem(data.label, COLLAPSIBLE[data.collapsible]);
  item.id = data.id;
  item.description = data.description;
  if (data.tooltip !== undefined) item.tooltip = new vscode.MarkdownString(data.tooltip);
  if (data.icon !== undefined) {
    item.iconPath = new vscode.ThemeIcon(data.icon.id, data.icon.color ? new vscode.ThemeColor(data.icon.color) : undefined);
  }
  item.contextValue = data.contextValue;
  item.command = data.command;
  return item;
}

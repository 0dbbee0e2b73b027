/** What a tree row shows, as plain data: built by pure functions, turned into a vscode.TreeItem by vscode/treeItem.ts. */
export interface TreeItemData {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  /** A codicon id (e.g. `loading~spin`) and an optional theme color id. */
  icon?: { id: string; color?: string };
  contextValue?: string;
  collapsible: "none" | "collapsed" | "expanded";
  command?: { command: string; title: string; arguments?: unknown[] };
}

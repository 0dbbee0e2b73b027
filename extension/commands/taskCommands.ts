/** Handlers for the Tasks view's row actions: they translate a row into model calls, nothing more. */
import type { ComputeFuture } from "../../core/executor";
import { resultPath } from "../output/resultDocuments";
import type { TaskDisplayState, TaskGroupModel } from "../tasks/taskGroupModel";
import type { TaskGrouping } from "../tasks/taskGrouping";
import type { TaskTreeNode } from "../tasks/taskTreeNodes";
import type { UserInterface } from "../vscode/window";

export class TaskCommands {
  constructor(
    private readonly model: TaskGroupModel,
    private readonly tree: {
      showMore(node: TaskTreeNode): void;
      stateFilter: ReadonlySet<TaskDisplayState> | undefined;
      /** Setting it also remembers it for the workspace. */
      groupBy: TaskGrouping;
      /** Shows the row (paging as far as needed) and selects it. */
      reveal(node: TaskTreeNode & { kind: "task" }): Promise<void>;
    },
    private readonly ui: Pick<UserInterface, "showInformation" | "showWarning" | "copyToClipboard" | "pickOne" | "inputText">,
    private readonly tasks: {
      future(groupKey: string, index: number): ComputeFuture | undefined;
      /** Shows the read-only result document at this path of the result scheme. */
      openResult(path: string): Promise<void>;
    },
  ) {}

  async openResult(node: unknown): Promise<void> {
    const n = asNode(node, "task");
    const call = this.model.get(n.groupKey)?.tasks[n.index]?.call ?? "result";
    await this.tasks.openResult(resultPath(n.groupKey, n.index, call));
  }

  /** Honest about what cancelling can do: only a task not yet sent is really cancelled. */
  cancelTask(node: unknown): void {
    const n = asNode(node, "task");
    const future = this.tasks.future(n.groupKey, n.index);
    const call = this.model.get(n.groupKey)?.tasks[n.index]?.call ?? "the task";
    switch (future?.cancel() ?? "already-done") {
      case "cancelled":
        return this.ui.showInformation(`Cancelled ${call}: it had not been sent, so it never runs.`);
      case "stopped-waiting":
        return this.ui.showInformation(
          `Stopped waiting for ${call}. It had already been sent, and Globus Compute cannot cancel a sent task: it keeps running on the endpoint.`,
        );
      case "already-done":
        return this.ui.showInformation(`${call} has already finished.`);
    }
  }

  /** Copies the task's id, or with several rows selected the ids of all of them (one per line). */
  async copyTaskId(node: unknown, selected?: unknown): Promise<void> {
    const rows = selection(node, selected, "task");
    const ids = rows.map((n) => this.model.get(n.groupKey)?.tasks[n.index]?.taskId).filter((id): id is string => id !== undefined);
    if (ids.length === 0) return this.ui.showWarning("This task has no id yet: it has not reached the service.");
    await this.ui.copyToClipboard(ids.join("\n"));
  }

  async copyTaskGroupId(node: unknown): Promise<void> {
    const n = asNode(node, "group");
    const id = this.model.get(n.groupKey)?.taskGroupId;
    if (id === undefined) return this.ui.showWarning("This task group has no id yet: no task has reached the service.");
    await this.ui.copyToClipboard(id);
  }

  /** Forgets the group, or every selected group. */
  forgetTaskGroup(node: unknown, selected?: unknown): void {
    for (const n of selection(node, selected, "group")) this.model.remove(n.groupKey);
  }

  /** "Clear Finished": forgets every group with nothing left to wait for (groups that could not be reloaded stay). */
  clearFinished(): void {
    const finished = this.model.groups.filter((g) => {
      const c = this.model.countsOf(g.key);
      return g.note === undefined && c.queued + c.running === 0;
    });
    for (const g of finished) this.model.remove(g.key);
    this.ui.showInformation(finished.length === 0 ? "No finished task groups to clear." : `Cleared ${finished.length} finished task group${finished.length === 1 ? "" : "s"}.`);
  }

  /** "Filter Tasks by State…". */
  async filterTasks(): Promise<void> {
    const presets: { label: string; states: TaskDisplayState[] | undefined }[] = [
      { label: "All tasks", states: undefined },
      { label: "Failed", states: ["failed"] },
      { label: "Running or queued", states: ["running", "queued"] },
      { label: "Succeeded", states: ["success"] },
      { label: "Finished (succeeded, failed or cancelled)", states: ["success", "failed", "cancelled"] },
    ];
    const current = this.tree.stateFilter;
    const picked = await this.ui.pickOne(
      presets.map((p, i) => ({ label: p.label, description: sameStates(p.states, current) ? "(current)" : undefined, value: i })),
      "Show tasks in these states",
    );
    if (picked === undefined) return;
    const states = presets[picked].states;
    this.tree.stateFilter = states === undefined ? undefined : new Set(states);
  }

  /** "Group Tasks By…": headings above the task groups, or none. */
  async groupTasks(): Promise<void> {
    const choices: { label: string; detail: string; by: TaskGrouping }[] = [
      { label: "Task Group", detail: "One row per task group, newest first", by: "none" },
      { label: "Function", detail: "Task groups under the function they ran", by: "function" },
      { label: "Endpoint", detail: "Task groups under the endpoint they ran on", by: "endpoint" },
      { label: "Day", detail: "Task groups under the day they were submitted", by: "day" },
    ];
    const picked = await this.ui.pickOne(
      choices.map((c) => ({ label: c.label, detail: c.detail, description: c.by === this.tree.groupBy ? "(current)" : undefined, value: c.by })),
      "Group tasks by",
    );
    if (picked !== undefined) this.tree.groupBy = picked;
  }

  /** "Find Task by ID…": reveals the row of a task id (or its unique prefix). */
  async findTask(id?: unknown): Promise<void> {
    const text =
      typeof id === "string"
        ? id
        : await this.ui.inputText({
            title: "Find Task by ID",
            prompt: "A task id, or its first characters",
            placeHolder: "e.g. 3f2a9c1e",
            validate: (t) => (t.trim() === "" ? "Type a task id." : undefined),
          });
    if (text === undefined) return;
    const wanted = text.trim().toLowerCase();
    const hits: (TaskTreeNode & { kind: "task" })[] = [];
    for (const g of this.model.groups) {
      g.tasks.forEach((t, index) => {
        if (t.taskId?.toLowerCase().startsWith(wanted)) hits.push({ kind: "task", groupKey: g.key, index });
      });
    }
    if (hits.length === 0) return this.ui.showWarning(`No task in the Tasks view has an id starting with ${wanted}.`);
    if (hits.length > 1 && !hits.some((h) => this.model.get(h.groupKey)?.tasks[h.index].taskId === wanted)) {
      return this.ui.showWarning(`${hits.length} tasks have ids starting with ${wanted}: type more of the id.`);
    }
    const exact = hits.find((h) => this.model.get(h.groupKey)?.tasks[h.index].taskId === wanted) ?? hits[0];
    if (this.tree.stateFilter !== undefined) this.tree.stateFilter = undefined; // the row must be listed to be shown
    await this.tree.reveal(exact);
  }

  showMoreTasks(node: unknown): void {
    this.tree.showMore(asNode(node, "more"));
  }
}

/**
 * The rows a command acts on: with several rows selected, VS Code passes the clicked row and the selection;
 * rows of another kind in the selection are skipped.
 */
function selection<K extends TaskTreeNode["kind"]>(node: unknown, selected: unknown, kind: K): (TaskTreeNode & { kind: K })[] {
  const clicked = asNode(node, kind);
  if (!Array.isArray(selected) || selected.length < 2) return [clicked];
  return selected.filter((n): n is TaskTreeNode & { kind: K } => (n as Partial<GroupRow>)?.kind === kind && typeof (n as GroupRow).groupKey === "string");
}

function sameStates(a: readonly TaskDisplayState[] | undefined, b: ReadonlySet<TaskDisplayState> | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined && b === undefined;
  return a.length === b.size && a.every((s) => b.has(s));
}

/** A row of a task group or of one of its tasks (not a heading). */
type GroupRow = Exclude<TaskTreeNode, { kind: "bucket" }>;

/** Row commands get the tree node as their argument; anything else (e.g. a keybinding) is a usage error. */
function asNode<K extends TaskTreeNode["kind"]>(node: unknown, kind: K): TaskTreeNode & { kind: K } {
  const n = node as Partial<GroupRow> | undefined;
  if (n?.kind === kind && typeof n.groupKey === "string") return n as TaskTreeNode & { kind: K };
  throw new TypeError(`this command acts on a ${kind === "group" ? "task group" : kind} row of the Tasks view`);
}

/**
 * The local endpoint's task records by id, finished ones packed (see PackedTask) once the journal holds
 * them. Reads of a whole record unpack it; reads that need only the header (ids, status, times: history
 * lists, group summaries) never do.
 */
import { PackedTask } from "./packedTask";
import { isFinishedRecord, type StoredTask } from "./taskRecord";

export type TaskHeader = Pick<StoredTask, "taskId" | "taskGroupId" | "functionId" | "endpointId" | "createdAt" | "status" | "completionT">;

export class TaskTable {
  private readonly entries = new Map<string, StoredTask | PackedTask>();

  get size(): number {
    return this.entries.size;
  }

  has(taskId: string): boolean {
    return this.entries.has(taskId);
  }

  /** The whole record (unpacked ones are fresh objects on every call). */
  get(taskId: string): StoredTask | undefined {
    const entry = this.entries.get(taskId);
    return entry instanceof PackedTask ? entry.unpack() : entry;
  }

  /** Whether the task has its result (without unpacking it). */
  isFinished(taskId: string): boolean {
    const entry = this.entries.get(taskId);
    return entry instanceof PackedTask || (entry !== undefined && isFinishedRecord(entry));
  }

  header(taskId: string): TaskHeader | undefined {
    return this.entries.get(taskId);
  }

  set(taskId: string, task: StoredTask): void {
    this.entries.set(taskId, task);
  }

  /** Packs a finished task's record if it is still the one held (a newer one set meanwhile stays as it is). */
  pack(task: StoredTask): void {
    // The packed form rebuilds the result's task id from the record's.
    if (!isFinishedRecord(task) || task.result.task_id !== task.taskId || this.entries.get(task.taskId) !== task) return;
    this.entries.set(task.taskId, PackedTask.pack(task));
  }

  delete(taskId: string): boolean {
    return this.entries.delete(taskId);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  headers(): IterableIterator<TaskHeader> {
    return this.entries.values();
  }

  *values(): IterableIterator<StoredTask> {
    for (const entry of this.entries.values()) yield entry instanceof PackedTask ? entry.unpack() : entry;
  }

  /** How many records are packed. */
  get packedCount(): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry instanceof PackedTask) n++;
    return n;
  }
}

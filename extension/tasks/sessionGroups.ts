/**
 * Which task group a submission joins: in one session (this window's life), submissions of one function
 * to one endpoint share a task group, as the SDK's Executor puts all its submissions in one group, so the
 * Tasks view shows one group per function and endpoint instead of one per click. A group joins only once
 * the service has given it an id, and only while it is still tracked (not forgotten).
 */
import type { TaskGroupTracker } from "./taskGroupTracker";

export interface SessionTarget {
  /** LOCAL_SERVICE or the web-service URL. */
  service: string;
  endpointId: string;
  /** The function's document and qualified name. */
  uri: string;
  name: string;
  /** The shipped bundle's line map, as text. */
  lines: string;
  /** A multi-user endpoint's configuration: another configuration is another user endpoint, so another group. */
  configuration?: string;
}

export class SessionGroups {
  private readonly keys = new Map<string, string>();

  constructor(private readonly tracker: Pick<TaskGroupTracker, "get">) {}

  /** The tracked group this target's submissions join, with its service task group id; undefined: start one. */
  find(target: SessionTarget): { groupKey: string; taskGroupId: string } | undefined {
    const groupKey = this.keys.get(keyOf(target));
    const taskGroupId = groupKey === undefined ? undefined : this.tracker.get(groupKey)?.taskGroupId;
    return groupKey !== undefined && taskGroupId !== undefined ? { groupKey, taskGroupId } : undefined;
  }

  remember(target: SessionTarget, groupKey: string): void {
    this.keys.set(keyOf(target), groupKey);
  }
}

function keyOf(t: SessionTarget): string {
  return JSON.stringify([t.service, t.endpointId, t.uri, t.name, t.lines, t.configuration ?? null]);
}

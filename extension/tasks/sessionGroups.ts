/**
 * Which task group a submission joins: in one session (this window's life), submissions of one function
 * to one endpoint share a task group, as the SDK's Executor puts all its submissions in one group, so the
 * Tasks view shows one group per function and endpoint instead of one per click. The service names a group
 * when it acknowledges its first submission, so a submission made before that waits for the name (for a
 * bounded time) instead of starting a group of its own. A group is joined only while it is still tracked
 * (not forgotten).
 */
import type { ComputeFuture } from "../../core/executor/computeFuture";
import type { Event } from "../../core/util/event";
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

/** A group to join: its key in the tracker and its service task group id. */
export interface SharedGroup {
  groupKey: string;
  taskGroupId: string;
}

/** What submits into a group: the Executor whose acknowledgement names it. */
export interface GroupSubmitter {
  readonly taskGroupId: string | undefined;
  readonly onTaskGroupChange: Event<string>;
}

/** A submission's place in its session group. */
export interface SessionSlot {
  /** The group to join; undefined: this submission starts the group. */
  readonly shared: SharedGroup | undefined;
  /** This submission started a group (its futures, submitted through `executor`): later ones join it once it is named. */
  started(groupKey: string, executor: GroupSubmitter, futures: readonly ComputeFuture[]): void;
  /** Nothing was submitted: the next submission starts the group instead. Every slot ends with `started` or this. */
  abandoned(): void;
}

/** How long a submission waits for the service to name the group being started before it starts its own. */
export const GROUP_NAME_WAIT_MS = 15_000;

export class SessionGroups {
  /** Per target: the group its submissions join, once named (undefined: none could be, start one). */
  private readonly groups = new Map<string, Promise<SharedGroup | undefined>>();

  constructor(
    private readonly tracker: Pick<TaskGroupTracker, "get">,
    private readonly waitMs = GROUP_NAME_WAIT_MS,
  ) {}

  /** The slot of a submission to `target`: the session's group for it, waiting while that group is being started. */
  async join(target: SessionTarget): Promise<SessionSlot> {
    const key = keyOf(target);
    for (;;) {
      const pending = this.groups.get(key);
      if (pending === undefined) break;
      const found = await within(pending, this.waitMs);
      const taskGroupId = found && this.tracker.get(found.groupKey)?.taskGroupId;
      if (found !== undefined && taskGroupId !== undefined) {
        const shared = { groupKey: found.groupKey, taskGroupId };
        return { shared, started: (groupKey, executor, futures) => this.groups.set(key, named(groupKey, executor, futures)), abandoned: () => undefined };
      }
      // Another waiter may have started the group meanwhile: join that one instead.
      if (this.groups.get(key) === pending) break;
    }
    let settle!: (group: Promise<SharedGroup | undefined> | undefined) => void;
    this.groups.set(key, new Promise((resolve) => (settle = resolve)));
    return {
      shared: undefined,
      started: (groupKey, executor, futures) => settle(named(groupKey, executor, futures)),
      abandoned: () => settle(undefined),
    };
  }
}

/** The group once the service names it; undefined when none of its first submission's tasks was acknowledged. */
function named(groupKey: string, executor: GroupSubmitter, futures: readonly ComputeFuture[]): Promise<SharedGroup | undefined> {
  if (executor.taskGroupId !== undefined) return Promise.resolve({ groupKey, taskGroupId: executor.taskGroupId });
  return new Promise((resolve) => {
    const listener = executor.onTaskGroupChange((taskGroupId) => {
      listener.dispose();
      resolve({ groupKey, taskGroupId });
    });
    void Promise.all(futures.map((f) => f.exception())).then(() => {
      listener.dispose();
      const taskGroupId = executor.taskGroupId;
      resolve(taskGroupId === undefined ? undefined : { groupKey, taskGroupId });
    });
  });
}

/** `promise`'s value, or undefined after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function keyOf(t: SessionTarget): string {
  return JSON.stringify([t.service, t.endpointId, t.uri, t.name, t.lines, t.configuration ?? null]);
}

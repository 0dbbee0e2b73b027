/** What the emulated service knows: users, functions, task groups and tasks (in memory). */
import { randomUUID } from "node:crypto";
import type { ResultData } from "../../core/protocol";
import { ApiError } from "./apiError";

export interface User {
  id: string;
  username: string;
  /** The user's RabbitMQ account, which may read only queues starting with `queuePrefix`. */
  brokerUser: string;
  queuePrefix: string;
}

export interface FunctionRecord {
  id: string;
  ownerId: string;
  name: string;
  /** The packed buffer from registration; a task's buffer is this plus its payload (protocol.md §5.3). */
  code: string;
  description: string | null;
  meta: { python_version: string; sdk_version: string; serde_identifier: string };
  public: boolean;
  group: string | null;
  haEndpointId: string | null;
}

export interface TaskGroup {
  id: string;
  ownerId: string;
  /** Results are copied to the AMQP queue `queuePrefix + id` once a submit asked for it. */
  createQueue: boolean;
  taskIds: string[];
}

export interface TaskOutcome {
  result: ResultData;
  /** Unix seconds as a decimal string (protocol.md §3.6). */
  completionT: string;
}

export interface TaskRecord {
  id: string;
  groupId: string;
  functionId: string;
  endpointId: string;
  ownerId: string;
  taskBuffer: string;
  resultSerializers: string[] | null;
  createdAt: Date;
  state: string;
  /** Service-side transitions (state → Unix seconds), merged with the worker's into `details`. */
  transitions: Record<string, number>;
  outcome?: TaskOutcome;
}

export class EmulatorState {
  readonly users = new Map<string, User>();
  readonly functions = new Map<string, FunctionRecord>();
  readonly taskGroups = new Map<string, TaskGroup>();
  readonly tasks = new Map<string, TaskRecord>();

  addUser(username: string): User {
    const id = randomUUID();
    // The real prefix format is opaque (protocol.md §12); this one keeps names readable in rabbitmqctl.
    const user: User = { id, username, brokerUser: `gc-${id}`, queuePrefix: `${id}.` };
    this.users.set(id, user);
    return user;
  }

  function(id: string, user: User): FunctionRecord {
    const fn = this.functions.get(id);
    if (!fn) throw new ApiError(404, "FUNCTION_NOT_FOUND", `Function ${id} could not be resolved`, [id]);
    if (fn.ownerId !== user.id && !fn.public) {
      throw new ApiError(403, "FUNCTION_ACCESS_FORBIDDEN", `Unauthorized access to function ${id}`, [id]);
    }
    return fn;
  }

  taskGroup(id: string, user: User): TaskGroup {
    const g = this.taskGroups.get(id);
    if (!g) throw new ApiError(404, "TASK_GROUP_NOT_FOUND", `Task group ${id} could not be resolved`, [id]);
    if (g.ownerId !== user.id) {
      throw new ApiError(403, "TASK_GROUP_ACCESS_FORBIDDEN", `Unauthorized access to task group ${id}`, [id]);
    }
    return g;
  }

  /** A task visible to the user, or undefined (another user's task is indistinguishable from none). */
  task(id: string, user: User): TaskRecord | undefined {
    const t = this.tasks.get(id);
    return t && t.ownerId === user.id ? t : undefined;
  }

  newTaskGroup(user: User): TaskGroup {
    const g: TaskGroup = { id: randomUUID(), ownerId: user.id, createQueue: false, taskIds: [] };
    this.taskGroups.set(g.id, g);
    return g;
  }
}

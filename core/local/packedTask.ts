/**
 * A finished task's record in a compact form for the local endpoint's memory. As objects a finished
 * record costs ~1.1 KB of heap (six transitions of bigint timestamps, its result, its strings), so a
 * 100k-task map at chunk 1 kept ~110 MB for as long as its group was kept. Packed, it is its header
 * (strings shared with its group and batch), its worker's details (shared by all its results) and one
 * string: the result text, the prints, and the transitions as offsets in nanoseconds from the first,
 * their (state, actor) pairs as small numbers when they are the usual ones. The daemon's heap after one
 * 100k-task map at chunk 1: 116 MB with records as objects, 48 MB packed.
 */
import type { ErrorDetails, TaskTransition } from "../protocol/messages";
import type { PyDict } from "../protocol/pyValue";
import type { FinishedRecord } from "./taskRecord";

/** The (state, actor) pairs the local endpoint writes; any other pair is kept by name. */
const USUAL_PAIRS: readonly (readonly [string, string])[] = [
  ["received", "web-service"],
  ["waiting-for-launch", "interchange"],
  ["running", "worker"],
  ["execution-start", "worker"],
  ["execution-end", "worker"],
  ["execution-end", "manager"],
  ["success", "endpoint"],
  ["failed", "endpoint"],
];

/** [data, error code, error message, stdout, stderr, first timestamp, transitions, result's task_statuses] */
type Body = [string, string | null, string | null, string, string, string, Steps, Steps | null];
/** Per transition: its pair (an index into USUAL_PAIRS, or [state, actor]) and its offset from the first timestamp. */
type Steps = (number | [string, string] | string)[];

export class PackedTask {
  constructor(
    readonly taskId: string,
    readonly taskGroupId: string,
    readonly functionId: string,
    readonly endpointId: string,
    readonly createdAt: string,
    readonly status: string,
    readonly completionT: string | null,
    readonly details: PyDict | null,
    readonly body: string,
  ) {}

  static pack(task: FinishedRecord): PackedTask {
    const r = task.result;
    const first = task.transitions[0]?.timestamp ?? r.task_statuses?.[0]?.timestamp ?? 0n;
    const body: Body = [
      r.data,
      r.error_details?.code ?? null,
      r.error_details?.user_message ?? null,
      task.stdout,
      task.stderr,
      first.toString(),
      steps(task.transitions, first),
      r.task_statuses && steps(r.task_statuses, first),
    ];
    const text = JSON.stringify(body);
    // JSON.stringify builds its text as a rope of parts; reading it flattens it into one string.
    text.charCodeAt(0);
    return new PackedTask(task.taskId, task.taskGroupId, task.functionId, task.endpointId, task.createdAt, task.status, task.completionT, r.details, text);
  }

  /** The full record again: a fresh object on every call. */
  unpack(): FinishedRecord {
    const [data, code, message, stdout, stderr, firstText, transitions, statuses] = JSON.parse(this.body) as Body;
    const first = BigInt(firstText);
    const errorDetails: ErrorDetails | null = code === null ? null : { code, user_message: message as string };
    return {
      taskId: this.taskId,
      taskGroupId: this.taskGroupId,
      functionId: this.functionId,
      endpointId: this.endpointId,
      createdAt: this.createdAt,
      status: this.status,
      transitions: unsteps(transitions, first),
      result: {
        task_id: this.taskId,
        data,
        details: this.details,
        error_details: errorDetails,
        task_statuses: statuses === null ? null : unsteps(statuses, first),
      },
      stdout,
      stderr,
      completionT: this.completionT,
    };
  }
}

function steps(transitions: readonly TaskTransition[], first: bigint): Steps {
  const out: Steps = [];
  for (const t of transitions) {
    const usual = USUAL_PAIRS.findIndex(([state, actor]) => state === t.state && actor === t.actor);
    out.push(usual >= 0 ? usual : [t.state, t.actor]);
    const offset = t.timestamp - first;
    const n = Number(offset);
    // Offsets are small (a task's lifetime); one too large for a double exactly is kept as text.
    out.push(Number.isSafeInteger(n) ? n : offset.toString());
  }
  return out;
}

function unsteps(packed: Steps, first: bigint): TaskTransition[] {
  const out: TaskTransition[] = [];
  for (let i = 0; i < packed.length; i += 2) {
    const pair = packed[i];
    const [state, actor] = typeof pair === "number" ? USUAL_PAIRS[pair] : (pair as [string, string]);
    out.push({ timestamp: first + BigInt(packed[i + 1] as number | string), state, actor });
  }
  return out;
}

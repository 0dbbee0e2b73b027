/**
 * "Submit Function", "Submit Function with Arguments…", "Map Function over…" (editor menu, CodeLens,
 * palette) and the Tasks view's Re-run commands: the function at the cursor (or the lens's location) is
 * bundled by the language server, its arguments are read as Python literals, and the calls go to the
 * selected endpoint through a fresh Executor whose task group the tracker follows.
 */
import { ComputeFuture, type Executor, type PythonFunction } from "../../core/executor";
import { parseArguments, type ParsedArguments } from "../../core/python/argumentParser";
import { parseCallArguments } from "../../core/python/callCheck";
import type { BundleResult, FunctionBundleDescription, FunctionLocation, SubmitFunctionArguments } from "../../core/server/protocol";
import type { ChosenConfiguration } from "../endpoints/configurationChooser";
import type { EndpointOption } from "../endpoints/endpointSelection";
import type { ExecutorTarget } from "../services/computeServices";
import type { StoredOrigin } from "../state/taskGroupStore";
import type { SubmissionTarget } from "../state/workspaceTrust";
import type { FedCall } from "../tasks/futureFeed";
import type { SessionGroups } from "../tasks/sessionGroups";
import type { TaskGroupTracker, TrackedEndpoint } from "../tasks/taskGroupTracker";
import type { TaskTreeNode } from "../tasks/taskTreeNodes";
import type { UserInterface } from "../vscode/window";
import { LastArguments, requiredParameters, signatureHint, validationMessage } from "./argumentInput";
import { describeFailure } from "./failureMessages";
import { askMapInput, type MapArguments } from "./mapInputs";
import type { MapInput, MapRun, MapRuns } from "./mapRun";

/** A step of a submission that takes longer than this shows in the status bar. */
export const BUSY_AFTER_MS = 300;
const SLOW = Symbol("slow");

/** Where the cursor is, and how to make sure the language server sees a document. */
export interface EditorContext {
  /** The cursor in the active editor when it shows a Python document. */
  activeLocation(): { uri: string; offset: number } | undefined;
  ensureOpen(uri: string): Promise<void>;
  /** The index of a notebook cell (by its document's URI) in its open notebook, markdown cells counted. */
  notebookCellIndex(uri: string): number | undefined;
}

export interface SubmitDeps {
  /** The language server (it may still be starting). */
  analysis(): Promise<{ bundle(params: FunctionLocation): Promise<BundleResult> }>;
  editor: EditorContext;
  ui: UserInterface;
  endpoints: { readonly current: EndpointOption };
  /** Workspace-trust consent for running this function on this endpoint; false: do not submit. */
  ensureSubmitAllowed(target: SubmissionTarget): Promise<boolean>;
  /** Sign-in, asked only for cloud endpoints; rejects with AuthError SIGN_IN_CANCELLED when closed. */
  ensureSignedIn(): Promise<void>;
  createExecutor(target: ExecutorTarget): Promise<Executor>;
  /** A multi-user endpoint's configuration: undefined for none, null to stop (the person was told why). */
  chooseConfiguration?(endpoint: TrackedEndpoint, functionKey: string, preferred?: string): Promise<ChosenConfiguration | null | undefined>;
  release(executor: Executor): void;
  serviceKeyFor(endpoint: Pick<EndpointOption, "kind">): string;
  endpointStatus(endpoint: Pick<EndpointOption, "kind" | "id">): Promise<{ status: string } | undefined>;
  tracker: Pick<TaskGroupTracker, "track" | "get" | "extend">;
  /** The task group each function's submissions to an endpoint share in this session; absent: one group per submission. */
  sessionGroups?: SessionGroups;
  lastArguments: LastArguments;
  log: { warn(message: string): void };
  /** Submissions with at least this many tasks (and every map) show a progress notification; default 20. */
  progressThreshold?: number;
  /** Maps started from the editor, kept for "Save Results As…". */
  maps: MapRuns;
  /** A map's input file: `path` as typed (relative to the workspace folder of `near`, a document URI). */
  readWorkspaceFile(path: string, near: string): Promise<{ name: string; text: string }>;
  /** The endpoint's worker count when known cheaply (the local endpoint's setting), for the chunk size. */
  workersOf?(endpoint: TrackedEndpoint): number | undefined;
}

type Mode = "call" | "arguments" | "map";

interface PreparedCall {
  call: string;
  submit(executor: Executor, fn: PythonFunction): ComputeFuture;
}

/** A map goes as one Executor.map (in chunks), not as a call per item. */
type Prepared = readonly PreparedCall[] | { mapOver: MapInput };

export class SubmitCommands {
  constructor(private readonly deps: SubmitDeps) {}

  submitFunction(arg?: unknown): Promise<void> {
    return this.fromEditor("call", arg);
  }

  submitFunctionWithArguments(arg?: unknown): Promise<void> {
    return this.fromEditor("arguments", arg);
  }

  mapFunction(arg?: unknown): Promise<void> {
    return this.fromEditor("map", arg);
  }

  /** Runs a task of the Tasks view again with the function's current source, optionally editing its arguments. */
  async rerun(node: unknown, edit: boolean): Promise<void> {
    const n = node as Partial<TaskTreeNode & { kind: "task" }> | undefined;
    const group = n?.kind === "task" && typeof n.groupKey === "string" ? this.deps.tracker.get(n.groupKey) : undefined;
    if (group === undefined || typeof n?.index !== "number") throw new TypeError("this command acts on a task row of the Tasks view");
    const origin = group.origin;
    if (origin === undefined) {
      this.deps.ui.showWarning(
        `This task group was created elsewhere, so its source is unknown here: open the function and use "Submit Function with Arguments…".`,
      );
      return;
    }
    const call = group.calls[n.index];
    const previous = argumentsOfCall(call, group.functionName);
    const bundle = await this.bundle({ uri: origin.uri, offset: origin.offset });
    if (bundle === undefined) return;
    if (bundle.function.qualifiedName !== origin.name) {
      this.deps.ui.showError(
        `The function ${origin.name} is no longer where it was submitted from (${bundle.function.qualifiedName} is there now): submit it from the editor.`,
      );
      return;
    }
    let text = previous;
    if (edit || text === undefined) {
      text = await this.askArguments(bundle, previous ?? "");
      if (text === undefined) return;
    }
    const endpoint = { ...group.endpoint };
    await this.submit(bundle, [callOf(bundle.function.name, text)], endpoint, origin, group.service, group.configuration);
  }

  private async fromEditor(mode: Mode, arg: unknown): Promise<void> {
    const lens = lensArguments(arg);
    const location = lens ? { uri: lens.uri, offset: lens.offset } : this.deps.editor.activeLocation();
    if (location === undefined) {
      this.deps.ui.showWarning("Put the cursor inside a function of a Python file to submit it.");
      return;
    }
    const bundle = await this.bundle(location);
    if (bundle === undefined) return;
    const { uri } = location;
    const name = bundle.function.qualifiedName;
    let calls: Prepared;
    // The arguments box offers the last arguments that ran, so they are remembered only once a call succeeds.
    let remember: (() => Promise<void>) | undefined;
    if (mode === "map") {
      const asked = await askMapInput(this.deps, bundle, uri, name, typeof (arg as MapArguments)?.iterable === "string" ? (arg as MapArguments).iterable : undefined);
      if (asked === undefined) return;
      calls = { mapOver: asked.input };
      remember = () => this.deps.lastArguments.set(uri, name, "map", asked.text);
    } else {
      let text = "";
      if (mode === "arguments" || requiredParameters(bundle.function.signature).length > 0) {
        const answer = await this.askArguments(bundle, this.deps.lastArguments.get(uri, name, "call") ?? "");
        if (answer === undefined) return;
        text = answer;
        remember = () => this.deps.lastArguments.set(uri, name, "call", answer);
      }
      calls = [callOf(bundle.function.name, text)];
    }
    const origin: StoredOrigin = { uri, name, offset: bundle.function.offset };
    const futures = await this.submit(bundle, calls, this.deps.endpoints.current, origin);
    if (futures !== undefined && remember !== undefined) {
      const save = remember;
      Promise.any(futures).then(save, () => undefined).then(undefined, (err: unknown) => this.deps.log.warn(`Could not remember the arguments: ${String(err)}`));
    }
  }

  private askArguments(bundle: FunctionBundleDescription, value: string): Promise<string | undefined> {
    const hint = signatureHint(bundle.function.name, bundle.function.signature);
    return this.deps.ui.inputText({
      title: `Submit ${bundle.function.name}`,
      prompt: `Arguments for ${hint}, as in a Python call (literals only)`,
      value,
      placeHolder: bundle.function.signature.parameters.map((p) => p.name).join(", "),
      // Checked against the signature too: a missing or unknown argument is pointed at before sending.
      validate: (t) => validationMessage(t, (x) => parseCallArguments(bundle.function.name, bundle.function.signature, x)),
    });
  }

  /**
   * What points the group's tracebacks at the document: the bundle's line map, and for a notebook cell the
   * cells it names as the notebook counts them (so they still do after a reload, when cells have new URIs).
   */
  private tracebackLines(bundle: FunctionBundleDescription): Pick<StoredOrigin, "lineMap" | "cells"> {
    if (bundle.cells === undefined) return { lineMap: bundle.lineMap };
    const cells = bundle.cells.map((c) => [this.deps.editor.notebookCellIndex(c.uri), c.line] as const);
    // A cell no longer in the notebook (closed meanwhile): its lines cannot be named, so none are.
    return cells.every((c): c is readonly [number, number] => c[0] !== undefined) ? { lineMap: bundle.lineMap, cells } : {};
  }

  /** The function's bundle, or undefined after telling the person why there is none. */
  private async bundle(location: { uri: string; offset: number }): Promise<FunctionBundleDescription | undefined> {
    await this.deps.editor.ensureOpen(location.uri);
    const result = await (await this.deps.analysis()).bundle(location);
    if (result.bundle === null) {
      this.deps.ui.showWarning(`Nothing to submit here: ${result.reason}`);
      return undefined;
    }
    const { problems, function: fn } = result.bundle;
    const errors = problems.filter((p) => p.severity === "error");
    if (errors.length > 0) {
      this.deps.ui.showError(`${fn.name} cannot be submitted: ${errors.map((p) => p.message).join(" ")}`);
      return undefined;
    }
    return result.bundle;
  }

  private async submit(
    bundle: FunctionBundleDescription,
    calls: Prepared,
    endpoint: TrackedEndpoint,
    origin: StoredOrigin,
    service?: string,
    /** A Re-run's configuration (by name). */
    configurationName?: string,
  ): Promise<readonly ComputeFuture[] | undefined> {
    const { deps } = this;
    if (("mapOver" in calls ? calls.mapOver.items : calls).length === 0) {
      deps.ui.showInformation("Nothing to map over: the iterable is empty.");
      return undefined;
    }
    if (!(await deps.ensureSubmitAllowed({ functionName: bundle.function.name, endpoint }))) return undefined;
    let executor: Executor | undefined;
    let fed: FedCall[];
    let run: MapRun | undefined;
    const serviceKey = service ?? deps.serviceKeyFor(endpoint);
    // The same lines of the same function: a moved or edited function starts a group of its own (its tracebacks map differently).
    let configuration: ChosenConfiguration | null | undefined;
    try {
      if (endpoint.kind === "cloud") await deps.ensureSignedIn();
      configuration = await deps.chooseConfiguration?.(endpoint, `${origin.uri}#${origin.name}`, configurationName);
    } catch (err) {
      if ((err as { code?: unknown }).code === "SIGN_IN_CANCELLED") return undefined;
      const { message, actions } = describeFailure(err, endpoint.name);
      deps.ui.showError(message, actions);
      return undefined;
    }
    if (configuration === null) return undefined;
    const session = {
      service: serviceKey,
      endpointId: endpoint.id,
      uri: origin.uri,
      name: origin.name,
      lines: JSON.stringify(bundle.cells ? [bundle.lineMap, bundle.cells] : (bundle.lineMap ?? null)),
      ...(configuration ? { configuration: configuration.name } : {}),
    };
    // A map from the editor is a group of its own (its rows are chunks, its output a summary).
    // Clicks before the service named the group being started wait for its name, so they join it.
    // Until the tasks show in the Tasks view, a slow step (the group's first submission not acknowledged
    // yet, a local endpoint starting cold) says so in the status bar: the click is not lost.
    const busy = `Submitting ${bundle.function.name} to ${endpoint.name}…`;
    const groups = "mapOver" in calls ? undefined : deps.sessionGroups;
    const slot = groups && (await this.busyIfSlow(busy, groups.join(session)));
    const shared = slot?.shared;
    try {
      executor = await this.busyIfSlow(busy, deps.createExecutor({ endpoint, service, taskGroupId: shared?.taskGroupId, configuration }));
      const fn: PythonFunction = { name: bundle.name, source: bundle.source };
      const ex = executor;
      if ("mapOver" in calls) {
        // The items may have been parsed in this very turn (100k of them take milliseconds): starting
        // the map waits for a turn of its own.
        await new Promise((resolve) => setImmediate(resolve));
        run = deps.maps.start(ex, fn, bundle.function.name, calls.mapOver, endpoint.name, deps.workersOf?.(endpoint));
        fed = run.calls();
      } else fed = calls.map((c) => ({ call: c.call, future: c.submit(ex, fn) }));
    } catch (err) {
      slot?.abandoned();
      if (executor !== undefined) deps.release(executor);
      if ((err as { code?: unknown }).code === "SIGN_IN_CANCELLED") return undefined;
      const { message, actions } = describeFailure(err, endpoint.name);
      deps.ui.showError(message, actions);
      return undefined;
    }
    const warnings = bundle.problems.filter((p) => p.severity === "warning");
    for (const w of warnings) deps.log.warn(`${bundle.function.name}: ${w.message}`);
    if (warnings.length > 0) {
      deps.ui.showWarning(`${bundle.function.name} was submitted, but it may fail on the endpoint: ${warnings.map((w) => w.message).join(" ")}`);
    }
    const futures = fed.map((c) => c.future);
    let groupKey = shared?.groupKey;
    if (shared === undefined || !deps.tracker.extend(shared.groupKey, executor, fed)) {
      groupKey = deps.tracker.track({
        executor,
        calls: fed,
        summaryOnly: run !== undefined,
        functionName: bundle.function.name,
        endpoint,
        service: serviceKey,
        // The map of this bundle (a Re-run ships the function's current source, with its own map).
        origin: { ...origin, ...this.tracebackLines(bundle) },
        ...(configuration ? { configuration: configuration.name } : {}),
        persist: true,
      });
      slot?.started(groupKey, executor, futures);
    }
    if (endpoint.kind === "cloud") this.warnIfOffline(endpoint);
    if (run !== undefined) {
      const mapRun = run;
      deps.maps.keep(groupKey as string, mapRun);
      void deps.ui.withProgress(mapRun.title, (progress, onCancel) => {
        onCancel(() => void mapRun.cancel());
        return mapRun.follow(progress);
      });
    } else if (futures.length >= (deps.progressThreshold ?? 20) || futures.length > 1) {
      void deps.ui.withProgress(`${bundle.function.name} × ${futures.length} on ${endpoint.name}`, (progress, onCancel) =>
        settleAll(futures, progress, onCancel),
      );
    }
    return futures;
  }

  /** `work`, shown as busy in the status bar once it has taken longer than BUSY_AFTER_MS. */
  private async busyIfSlow<T>(title: string, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<typeof SLOW>((resolve) => (timer = setTimeout(() => resolve(SLOW), BUSY_AFTER_MS)));
    try {
      const first = await Promise.race([work, slow]);
      return first === SLOW ? await this.deps.ui.showBusy(title, work) : first;
    } finally {
      clearTimeout(timer);
    }
  }

  private warnIfOffline(endpoint: TrackedEndpoint): void {
    this.deps.endpointStatus(endpoint).then(
      (s) => {
        if (s !== undefined && s.status !== "online") {
          this.deps.ui.showWarning(`Endpoint "${endpoint.name}" is ${s.status}: the tasks wait at the service until it is online.`, [
            { title: "Select Endpoint", command: "globusCompute.selectEndpoint" },
          ]);
        }
      },
      (err: unknown) => this.deps.log.warn(`Status of endpoint ${endpoint.name}: ${String(err)}`),
    );
  }
}

/**
 * Resolves when every future has settled, reporting the count (at most once per percent, so a 10k-task
 * map does not flood the UI); cancelling stops waiting for the rest.
 */
async function settleAll(
  futures: readonly ComputeFuture[],
  progress: { report(message: string, increment?: number): void },
  onCancel: (listener: () => void) => void,
): Promise<void> {
  const total = futures.length;
  let done = 0;
  let reportedPercent = 0;
  onCancel(() => void ComputeFuture.cancelAll(futures));
  progress.report(`0 of ${total} done`);
  const settled = () => {
    done++;
    const percent = Math.floor((done * 100) / total);
    if (percent === reportedPercent && done < total) return;
    progress.report(`${done} of ${total} done`, percent - reportedPercent);
    reportedPercent = percent;
  };
  await Promise.all(futures.map((f) => f.then(settled, settled)));
}

function callOf(name: string, text: string): PreparedCall {
  const trimmed = text.trim();
  const parsed: ParsedArguments = parseArguments(trimmed);
  return {
    call: `${name}(${trimmed})`,
    submit: (executor, fn) => executor.submit(fn, { args: parsed.args, kwargs: parsed.kwargs }),
  };
}

/** The argument text of a call label `name(args)`; undefined when it was shortened or is not one. */
export function argumentsOfCall(call: string | undefined, name: string): string | undefined {
  if (call === undefined || !call.startsWith(`${name}(`) || !call.endsWith(")")) return undefined;
  return call.slice(name.length + 1, -1);
}

function lensArguments(arg: unknown): SubmitFunctionArguments | undefined {
  const a = arg as Partial<SubmitFunctionArguments> | undefined;
  return typeof a?.uri === "string" && typeof a.offset === "number" && typeof a.name === "string" ? (a as SubmitFunctionArguments) : undefined;
}

/**
 * Owns the ComputeServices the extension talks to and makes Executors for them: the built-in local
 * endpoint (its process started on first use and left running on dispose, so a window reload keeps its
 * tasks; it exits by itself when idle) and one cloud service per web-service
 * URL (the settings' URL, or the URL a stored task group was submitted to). One Executor per submission or
 * reloaded task group, so each becomes its own task group; each is disposed when its tasks are done or
 * when this is disposed.
 */
import { join } from "node:path";
import { Executor } from "../../core/executor";
import type { ComputeService, EndpointStatus } from "../../core/service/computeService";
import { authBaseUrl, computeBaseUrl } from "../../core/service/globus/environments";
import { GlobusComputeService } from "../../core/service/globus/globusComputeService";
import type { TokenProvider } from "../../core/service/globus/restClient";
import { LOCAL_ENDPOINT_ID, type LocalComputeServiceOptions } from "../../core/service/local/localComputeService";
import { LocalEndpointClient } from "../../core/service/local/localEndpointClient";
import type { Disposable } from "../../core/util/disposable";
import { AuthError } from "../auth/authError";
import type { EndpointOption } from "../endpoints/endpointSelection";
import type { GlobusComputeSettings } from "../state/settings";

/** The `service` of a stored task group: `local`, or the base URL of a web service. */
export const LOCAL_SERVICE = "local";

export interface ComputeServicesOptions {
  settings: () => GlobusComputeSettings;
  /** Folder for the local endpoint's functions, task groups and results. */
  storageDir: string;
  token: TokenProvider;
  /** Working directory of the local workers (the workspace folder), so relative paths in user code work. */
  cwd?: string;
  /**
   * The user's private root for local endpoint processes (global storage, not the per-window one): one
   * endpoint, and one history, per workspace folder (`cwd`) and user, whichever window opens it.
   */
  localStateRoot?: string;
  /**
   * Default: a client of the local endpoint process, which outlives the window (a reload keeps tasks
   * running). Tests and the demo pass `LocalComputeService.create` to run the endpoint in-process.
   */
  createLocal?: (options: LocalComputeServiceOptions) => Promise<ComputeService>;
  createCloud?: (baseUrl: string, token: TokenProvider) => ComputeService;
  /** The interpreter the local workers run (see localInterpreter.ts); default: the setting, else `python3`. */
  localPython?: () => string | undefined;
  /** Settles once `localPython` knows the choice (the Python extension answered); the first start waits for it. */
  localPythonKnown?: Promise<unknown>;
  /** Problems with results that do not fail a task (a malformed message: the task keeps waiting). */
  log?: (message: string) => void;
}

/** Where a task group lives: its endpoint and the service that knows it. */
export interface ExecutorTarget {
  endpoint: Pick<EndpointOption, "kind" | "id" | "name">;
  /** LOCAL_SERVICE or a web-service URL; default: the one the current settings name. */
  service?: string;
  taskGroupId?: string;
  /** A multi-user endpoint's configuration, sent with every batch. */
  configuration?: { userEndpointConfig: Record<string, unknown>; resourceSpecification?: Record<string, unknown> };
}

export class ComputeServices implements Disposable {
  private local: Promise<ComputeService> | undefined;
  /** The local settings the running local endpoint was started with. */
  private localStartedWith: string | undefined;
  private readonly cloud = new Map<string, ComputeService>();
  /** Live Executors and the service key each uses. */
  private readonly executors = new Map<Executor, string>();
  private disposed = false;

  constructor(private readonly options: ComputeServicesOptions) {}

  /** The service key new submissions to `endpoint` use under the current settings. */
  serviceKeyFor(endpoint: Pick<EndpointOption, "kind">): string {
    if (endpoint.kind === "local") return LOCAL_SERVICE;
    const s = this.options.settings();
    return s.serviceUrl ?? computeBaseUrl(s.environment);
  }

  /** True once the local endpoint has been started (views show its workers only then). */
  get localStarted(): boolean {
    return this.local !== undefined;
  }

  async service(key: string): Promise<ComputeService> {
    this.assertOpen();
    if (key === LOCAL_SERVICE) return this.localService();
    let service = this.cloud.get(key);
    if (service === undefined) {
      const create =
        this.options.createCloud ??
        ((baseUrl, token) => new GlobusComputeService({ baseUrl, token, watcher: { onError: (err) => this.options.log?.(err.message) } }));
      service = create(key, (options) => this.tokenFor(key, options));
      this.cloud.set(key, service);
    }
    return service;
  }

  /**
   * The sign-in's token, for the service it belongs to only: the one the settings name now (a task group
   * stored from another service, an emulator or another environment, never gets it), and a custom
   * service only with its own Globus Auth (`authUrl`), since a token from an environment's Globus Auth is
   * meant for that environment's service alone. The service may be someone else's listener: on a shared
   * login node, a loopback port another user took.
   */
  private async tokenFor(key: string, options: Parameters<TokenProvider>[0]): Promise<string> {
    const s = this.options.settings();
    const current = this.serviceKeyFor({ kind: "cloud" });
    if (key !== current) {
      throw new AuthError(
        "NOT_THIS_SERVICE",
        `${key} is not the service of the current Globus sign-in (${current}), so it is not sent that sign-in's token. To reach it, set globusCompute.serviceUrl (and globusCompute.authUrl) to that service's and sign in.`,
      );
    }
    if (s.serviceUrl !== undefined && s.authUrl === undefined && s.serviceUrl !== computeBaseUrl(s.environment)) {
      throw new AuthError(
        "NOT_THIS_SERVICE",
        `globusCompute.serviceUrl is ${s.serviceUrl} but globusCompute.authUrl is not set: a sign-in to ${authBaseUrl(s.environment)} is only sent to ${computeBaseUrl(s.environment)}. Set globusCompute.authUrl to the Globus Auth of ${s.serviceUrl} (an emulator's: the same URL).`,
      );
    }
    return this.options.token(options);
  }

  /** A new Executor for the target, configured from the settings; disposed with this object at the latest. */
  async createExecutor(target: ExecutorTarget): Promise<Executor> {
    const key = target.service ?? this.serviceKeyFor(target.endpoint);
    const service = await this.service(key);
    const s = this.options.settings();
    const executor = new Executor({
      endpointId: target.endpoint.kind === "local" ? LOCAL_ENDPOINT_ID : target.endpoint.id,
      service,
      taskGroupId: target.taskGroupId,
      ...(target.configuration
        ? { userEndpointConfig: target.configuration.userEndpointConfig, resourceSpecification: target.configuration.resourceSpecification }
        : {}),
      batchSize: s.batchSize,
      amqpPort: key === LOCAL_SERVICE ? undefined : s.amqpPort,
      resultSerializers: s.resultSerializers.length > 0 ? [...s.resultSerializers] : undefined,
      argumentSerialization: s.argumentSerialization,
      label: target.endpoint.name,
    });
    executor.onMalformedResult(({ error }) => this.options.log?.(`${error.message} Waiting for a valid result.`));
    executor.onBatchSplit(({ refused, batchSize, error }) =>
      this.options.log?.(
        `The service refused ${refused} tasks in one request (${error.code}); sending them again in smaller requests, at most ${batchSize} tasks each from now on.`,
      ),
    );
    this.executors.set(executor, key);
    return executor;
  }

  /** Stops an Executor (it stops waiting for results) and forgets it. */
  release(executor: Executor): void {
    executor.dispose();
    this.executors.delete(executor);
  }

  /** The endpoint's status, or undefined for the local endpoint before it started (no workers to report). */
  async endpointStatus(endpoint: Pick<EndpointOption, "kind" | "id">): Promise<EndpointStatus | undefined> {
    if (endpoint.kind === "local") {
      if (this.local === undefined) return undefined;
      return (await this.local).getEndpointStatus(LOCAL_ENDPOINT_ID);
    }
    return (await this.service(this.serviceKeyFor(endpoint))).getEndpointStatus(endpoint.id);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.executors.keys()) e.dispose();
    this.executors.clear();
    for (const s of this.cloud.values()) s.dispose();
    this.cloud.clear();
    // A local endpoint still starting is stopped as soon as it is up.
    void this.local?.then((s) => s.dispose(), () => undefined);
  }

  private localPython(): string | undefined {
    return this.options.localPython ? this.options.localPython() : this.options.settings().local.pythonPath || undefined;
  }

  private localService(): Promise<ComputeService> {
    const s = this.options.settings();
    const wanted = JSON.stringify([this.localPython(), s.local.workers]);
    let previous: Promise<ComputeService> | undefined;
    // Changed interpreter or worker count: restart the endpoint, but never under tasks still running on it.
    if (this.local !== undefined && wanted !== this.localStartedWith && ![...this.executors.values()].includes(LOCAL_SERVICE)) {
      previous = this.local;
      this.local = undefined;
    }
    if (this.local === undefined) {
      this.localStartedWith = wanted;
      const create = this.options.createLocal ?? ((o) => connectLocalEndpoint(o, this.options.localStateRoot ?? o.storageDir));
      // The old endpoint lets go of the storage folder before the new one opens it.
      const stopped = previous?.then((old) => old.dispose(), () => undefined) ?? Promise.resolve();
      const known = this.options.localPythonKnown?.catch(() => undefined);
      const starting = Promise.all([stopped, known]).then(() => {
        const python = this.localPython();
        this.localStartedWith = JSON.stringify([python, s.local.workers]);
        return create({
          storageDir: join(this.options.storageDir, "local-endpoint"),
          python,
          workers: s.local.workers,
          cwd: this.options.cwd,
          maxGroups: Math.max(s.retention.maxTaskGroups, 1),
          maxTasks: Math.max(s.retention.maxTasks, 1),
        });
      });
      // A failed start (no Python, say) is not cached: the next submission tries again.
      this.local = starting;
      starting.catch(() => {
        if (this.local === starting) this.local = undefined;
      });
    }
    return this.local;
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error("the extension is shutting down");
  }
}

/** How long the local endpoint process stays up with no window connected and nothing to run. */
const LOCAL_IDLE_EXIT_MS = 15 * 60_000;

function connectLocalEndpoint(o: LocalComputeServiceOptions, stateRoot: string): Promise<ComputeService> {
  return LocalEndpointClient.connect({
    config: {
      stateRoot,
      workspaceFolder: o.cwd,
      python: o.python,
      workers: o.workers,
      cwd: o.cwd,
      maxGroups: o.maxGroups,
      maxTasks: o.maxTasks,
      taskTimeoutMs: o.taskTimeoutMs,
      idleExitMs: LOCAL_IDLE_EXIT_MS,
    },
  });
}

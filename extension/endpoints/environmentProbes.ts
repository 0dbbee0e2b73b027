/**
 * What each endpoint (and configuration) can run, as its environment probe last reported: kept in
 * workspace state with the time it was taken, refreshed on request ("Inspect Endpoint Environment") and
 * taken once in the background the first time an endpoint and configuration is used (`ensure`). The
 * local endpoint's probes are per interpreter: another interpreter chosen is another environment.
 */
import { parseProbe, type EnvironmentProbe } from "../../core/endpoints/environmentProbe";
import { Emitter, type Event } from "../../core/util/event";
import type { Disposable } from "../../core/util/disposable";
import type { StateStorage } from "../state/taskGroupStore";
import type { ChosenConfiguration } from "./configurationChooser";
import type { EndpointOption } from "./endpointSelection";

const PROBES_KEY = "globusCompute.environmentProbes";

export interface ProbeEntry {
  probe: EnvironmentProbe;
  /** Epoch ms. */
  at: number;
  configuration?: string;
}

export interface EnvironmentProbesDeps {
  storage: StateStorage;
  /**
   * Runs the probe function on the endpoint and returns its report as plain JSON; `background`: nobody
   * asked, so it must not prompt (e.g. to sign in).
   */
  run(endpoint: Pick<EndpointOption, "kind" | "id" | "name">, configuration: ChosenConfiguration | undefined, background: boolean): Promise<unknown>;
  /** What else tells environments of the endpoint apart (the local endpoint's interpreter); undefined: nothing. */
  variant?(endpointId: string): string | undefined;
  /** A background probe failed (it is tried again the next time the endpoint is used). */
  onBackgroundError?(endpoint: Pick<EndpointOption, "name">, error: unknown): void;
  now?: () => number;
}

interface StoredProbe {
  report: unknown;
  at: number;
  configuration?: string;
  variant?: string;
}

export class EnvironmentProbes implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  /** Keys of the probes under way. */
  private readonly running = new Map<string, Promise<ProbeEntry>>();

  constructor(private readonly deps: EnvironmentProbesDeps) {}

  /** The latest probe of the endpoint (of the configuration, when given; else of any) in its current variant. */
  get(endpointId: string, configuration?: string): ProbeEntry | undefined {
    const stored = this.stored();
    const variant = this.deps.variant?.(endpointId);
    const keys = configuration !== undefined ? [this.keyOf(endpointId, configuration)] : Object.keys(stored).filter((k) => k.startsWith(`${endpointId} `));
    const latest = keys
      .map((k) => stored[k])
      .filter((r) => r !== undefined && r.variant === variant)
      .sort((a, b) => b.at - a.at)[0];
    if (!latest) return undefined;
    try {
      return { probe: parseProbe(latest.report), at: latest.at, ...(latest.configuration ? { configuration: latest.configuration } : {}) };
    } catch {
      return undefined;
    }
  }

  /** Whether a probe of the endpoint is under way. */
  inspecting(endpointId: string): boolean {
    return [...this.running.keys()].some((k) => k.startsWith(`${endpointId} `));
  }

  /** Runs the probe now (the person asked); one already under way for the same environment is joined. */
  inspect(endpoint: Pick<EndpointOption, "kind" | "id" | "name">, configuration?: ChosenConfiguration): Promise<ProbeEntry> {
    return this.start(endpoint, configuration, false);
  }

  /** In the background, when nothing is known of this environment yet: never blocks, never prompts. */
  ensure(endpoint: Pick<EndpointOption, "kind" | "id" | "name">, configuration?: ChosenConfiguration): void {
    const key = this.keyOf(endpoint.id, configuration?.name);
    if (this.running.has(key) || this.get(endpoint.id, configuration?.name ?? "") !== undefined) return;
    this.start(endpoint, configuration, true).catch((err: unknown) => this.deps.onBackgroundError?.(endpoint, err));
  }

  dispose(): void {
    this.changed.dispose();
  }

  private start(endpoint: Pick<EndpointOption, "kind" | "id" | "name">, configuration: ChosenConfiguration | undefined, background: boolean): Promise<ProbeEntry> {
    const key = this.keyOf(endpoint.id, configuration?.name);
    const running = this.running.get(key);
    if (running) return running;
    const variant = this.deps.variant?.(endpoint.id);
    const probing = (async () => {
      const report = await this.deps.run(endpoint, configuration, background);
      const probe = parseProbe(report);
      const at = (this.deps.now ?? Date.now)();
      const named = configuration ? { configuration: configuration.name } : {};
      const record: StoredProbe = { report, at, ...named, ...(variant !== undefined ? { variant } : {}) };
      await this.deps.storage.update(PROBES_KEY, { ...this.stored(), [key]: record });
      return { probe, at, ...named };
    })().finally(() => {
      this.running.delete(key);
      this.changed.fire();
    });
    this.running.set(key, probing);
    this.changed.fire();
    return probing;
  }

  private stored(): Record<string, StoredProbe> {
    return (this.deps.storage.get(PROBES_KEY) ?? {}) as Record<string, StoredProbe>;
  }

  /** One record per endpoint, configuration and variant. */
  private keyOf(endpointId: string, configuration: string | undefined): string {
    const variant = this.deps.variant?.(endpointId);
    return `${endpointId} ${configuration ?? ""}${variant !== undefined ? ` ${variant}` : ""}`;
  }
}

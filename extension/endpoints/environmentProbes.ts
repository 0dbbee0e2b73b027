/**
 * What each endpoint (and configuration) can run, as its environment probe last reported: kept in
 * workspace state with the time it was taken, refreshed on request ("Inspect Endpoint Environment").
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
  /** Runs the probe function on the endpoint and returns its report as plain JSON. */
  run(endpoint: Pick<EndpointOption, "kind" | "id" | "name">, configuration?: ChosenConfiguration): Promise<unknown>;
  now?: () => number;
}

export class EnvironmentProbes implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;

  constructor(private readonly deps: EnvironmentProbesDeps) {}

  /** The latest probe of the endpoint (of the configuration, when given; else of any). */
  get(endpointId: string, configuration?: string): ProbeEntry | undefined {
    const stored = this.stored();
    const keys = configuration !== undefined ? [keyOf(endpointId, configuration)] : Object.keys(stored).filter((k) => k.startsWith(`${endpointId} `));
    const latest = keys
      .map((k) => stored[k])
      .filter((r) => r !== undefined)
      .sort((a, b) => b.at - a.at)[0];
    if (!latest) return undefined;
    try {
      return { probe: parseProbe(latest.report), at: latest.at, ...(latest.configuration ? { configuration: latest.configuration } : {}) };
    } catch {
      return undefined;
    }
  }

  async inspect(endpoint: Pick<EndpointOption, "kind" | "id" | "name">, configuration?: ChosenConfiguration): Promise<ProbeEntry> {
    const report = await this.deps.run(endpoint, configuration);
    const probe = parseProbe(report);
    const at = (this.deps.now ?? Date.now)();
    const record = { report, at, ...(configuration ? { configuration: configuration.name } : {}) };
    await this.deps.storage.update(PROBES_KEY, { ...this.stored(), [keyOf(endpoint.id, configuration?.name)]: record });
    this.changed.fire();
    return { probe, at, ...(configuration ? { configuration: configuration.name } : {}) };
  }

  dispose(): void {
    this.changed.dispose();
  }

  private stored(): Record<string, { report: unknown; at: number; configuration?: string }> {
    return (this.deps.storage.get(PROBES_KEY) ?? {}) as Record<string, { report: unknown; at: number; configuration?: string }>;
  }
}

function keyOf(endpointId: string, configuration: string | undefined): string {
  return `${endpointId} ${configuration ?? ""}`;
}

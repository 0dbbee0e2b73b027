/**
 * Which endpoint submissions go to: the choice remembered for this workspace if it is still offered,
 * else the `defaultEndpoint` setting, else the built-in local endpoint. Offered: local, the configured
 * endpoints, the public tutorial endpoint, and the endpoints the signed-in identity can see (listed by
 * the service). A listed endpoint chosen earlier stays chosen, by its remembered name, before the list
 * has arrived.
 */
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import { isEndpointId, type GlobusComputeSettings, type Settings } from "../state/settings";
import type { StateStorage } from "../state/taskGroupStore";

export const LOCAL_ENDPOINT_ID = "local";
/** The public endpoint of Globus Compute's tutorial (seed-executor.md). */
export const TUTORIAL_ENDPOINT_ID = "4b116d3c-1703-4f8f-9f6f-39921e5864df";
export const SELECTED_ENDPOINT_KEY = "globusCompute.selectedEndpoint";
/** The display name of a remembered endpoint chosen from the service's list (not from the settings). */
export const SELECTED_ENDPOINT_NAME_KEY = "globusCompute.selectedEndpointName";

export interface EndpointOption {
  kind: "local" | "cloud";
  name: string;
  /** `local`, or the endpoint's UUID (lower case). */
  id: string;
}

export function endpointOptions(settings: GlobusComputeSettings): EndpointOption[] {
  const configured = settings.endpoints.map((e): EndpointOption => ({ kind: "cloud", name: e.name, id: e.id }));
  const tutorial: EndpointOption[] = configured.some((e) => e.id === TUTORIAL_ENDPOINT_ID)
    ? []
    : [{ kind: "cloud", name: "tutorial (public)", id: TUTORIAL_ENDPOINT_ID }];
  const options: EndpointOption[] = [{ kind: "local", name: "local", id: LOCAL_ENDPOINT_ID }, ...configured, ...tutorial];
  // `defaultEndpoint` may be a bare UUID that is not configured by name.
  const wanted = settings.defaultEndpoint.toLowerCase();
  if (isEndpointId(wanted) && !options.some((o) => o.id === wanted)) options.push({ kind: "cloud", name: wanted, id: wanted });
  return options;
}

/** An option by id (any case) or by name. */
export function findEndpoint(options: readonly EndpointOption[], wanted: string | undefined): EndpointOption | undefined {
  if (!wanted) return undefined;
  const lower = wanted.toLowerCase();
  return options.find((o) => o.id === lower) ?? options.find((o) => o.name === wanted);
}

export class EndpointSelection implements Disposable {
  private readonly changed = new Emitter<EndpointOption>();
  readonly onDidChange: Event<EndpointOption> = this.changed.event;
  private readonly disposables = new DisposableStore();
  private last: EndpointOption;

  constructor(
    private readonly settings: Settings,
    private readonly storage: StateStorage,
    /** Endpoints the service lists for the signed-in identity (by display name). */
    private readonly listed: () => readonly EndpointOption[] = () => [],
  ) {
    this.last = this.current;
    this.disposables.add(this.changed);
    this.disposables.add(settings.onDidChange(() => this.fireIfChanged()));
  }

  get options(): EndpointOption[] {
    const options = endpointOptions(this.settings.current);
    const known = new Set(options.map((o) => o.id));
    return [...options, ...this.listed().filter((o) => !known.has(o.id))];
  }

  get current(): EndpointOption {
    const options = this.options;
    const remembered = this.storage.get(SELECTED_ENDPOINT_KEY);
    const id = typeof remembered === "string" ? remembered : undefined;
    const name = this.storage.get(SELECTED_ENDPOINT_NAME_KEY);
    return (
      findEndpoint(options, id) ??
      (id !== undefined && isEndpointId(id) && typeof name === "string" ? { kind: "cloud", id, name } : undefined) ??
      findEndpoint(options, this.settings.current.defaultEndpoint) ??
      options[0]
    );
  }

  /** The list of the service changed: the current endpoint's name may have. */
  listChanged(): void {
    this.fireIfChanged();
  }

  /** A `defaultEndpoint` that names nothing offered, described for the log; undefined when fine. */
  get defaultProblem(): string | undefined {
    const wanted = this.settings.current.defaultEndpoint;
    if (findEndpoint(this.options, wanted)) return undefined;
    return (
      `Setting globusCompute.defaultEndpoint: "${wanted}" is not "local", a name in globusCompute.endpoints, ` +
      "or an endpoint id; using the local endpoint"
    );
  }

  /** Remembers the choice for this workspace. */
  async select(id: string): Promise<void> {
    const option = findEndpoint(this.options, id);
    if (option === undefined) throw new RangeError(`no endpoint "${id}" is offered`);
    await this.storage.update(SELECTED_ENDPOINT_KEY, option.id);
    // Only a listed endpoint is kept by name; one from the settings falls back once removed from them.
    const fromSettings = endpointOptions(this.settings.current).some((o) => o.id === option.id);
    await this.storage.update(SELECTED_ENDPOINT_NAME_KEY, fromSettings ? undefined : option.name);
    this.fireIfChanged();
  }

  dispose(): void {
    this.disposables.dispose();
  }

  private fireIfChanged(): void {
    const now = this.current;
    if (now.id === this.last.id && now.name === this.last.name) return;
    this.last = now;
    this.changed.fire(now);
  }
}

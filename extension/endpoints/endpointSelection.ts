/**
 * Which endpoint submissions go to: the choice remembered for this workspace if it is still offered,
 * else the `defaultEndpoint` setting, else the built-in local endpoint. Offered: local, the configured
 * endpoints, and the public tutorial endpoint.
 */
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import { isEndpointId, type GlobusComputeSettings, type Settings } from "../state/settings";
import type { StateStorage } from "../state/taskGroupStore";

export const LOCAL_ENDPOINT_ID = "local";
/** The public endpoint of Globus Compute's tutorial (seed-executor.md). */
export const TUTORIAL_ENDPOINT_ID = "4b116d3c-1703-4f8f-9f6f-39921e5864df";
export const SELECTED_ENDPOINT_KEY = "globusCompute.selectedEndpoint";

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
  ) {
    this.last = this.current;
    this.disposables.add(this.changed);
    this.disposables.add(settings.onDidChange(() => this.fireIfChanged()));
  }

  get options(): EndpointOption[] {
    return endpointOptions(this.settings.current);
  }

  get current(): EndpointOption {
    const options = this.options;
    const remembered = this.storage.get(SELECTED_ENDPOINT_KEY);
    return (
      findEndpoint(options, typeof remembered === "string" ? remembered : undefined) ??
      findEndpoint(options, this.settings.current.defaultEndpoint) ??
      options[0]
    );
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

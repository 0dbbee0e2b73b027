/**
 * EndpointDirectory: what the signed-in identity can see of Globus Compute endpoints — the list
 * (`GET /v2/endpoints?role=any`), each endpoint's status and metadata — cached with their time.
 * Statuses are fetched only for the ids the caller says are visible, through a RequestPacer (bounded
 * concurrency, a request budget under the service's rate limit); a 429 pauses everything for its
 * Retry-After and is announced (`onDidBackOff`). Changes are announced in batches, so a thousand statuses
 * arriving do not cause a thousand re-renders.
 */
import type { EndpointStatus } from "../service/computeService";
import { Emitter, type Event } from "../util/event";
import { DisposableStore, type Disposable } from "../util/disposable";
import { endpointProblem, type EndpointProblem } from "./endpointProblem";
import type { EndpointMetadata, EndpointSummary } from "./endpointRecords";
import { RequestPacer, type PacerOptions } from "./requestPacer";

/** What the directory asks of a Compute web service. */
export interface EndpointApi {
  listEndpoints(role: "owner" | "any"): Promise<EndpointSummary[]>;
  getEndpointStatus(id: string): Promise<EndpointStatus>;
  getEndpointMetadata(id: string): Promise<EndpointMetadata>;
  /** A request was answered 429 (or 503) and will be retried after `delayMs`. */
  readonly onDidBackOff?: Event<BackOff>;
}

export interface BackOff {
  delayMs: number;
  status?: number;
}

export interface Timed<T> {
  value: T;
  /** Epoch ms of the answer. */
  at: number;
}

export interface EndpointEntry {
  status?: Timed<EndpointStatus>;
  statusProblem?: EndpointProblem;
  /** Epoch ms of the last answer, a status or a problem (a failing endpoint is not asked every time either). */
  statusCheckedAt?: number;
  metadata?: Timed<EndpointMetadata>;
  metadataProblem?: EndpointProblem;
}

export interface EndpointDirectoryOptions {
  /** The service of the current settings (it may change: the directory follows). */
  api: () => Promise<EndpointApi>;
  /** A status younger than this is not fetched again unless forced (default 30 s). */
  statusTtlMs?: number;
  /** Metadata changes rarely (default 10 min). */
  metadataTtlMs?: number;
  /** The list (default 5 min). */
  listTtlMs?: number;
  /** Default: 4 in flight, 15 requests per 10 s (three quarters of the service's limit: submissions need the rest). */
  pacing?: Omit<PacerOptions, "now">;
  /** Coalescing delay of change events (default 100 ms). */
  changeDelayMs?: number;
  now?: () => number;
}

export class EndpointDirectory implements Disposable {
  private readonly changed = new Emitter<void>();
  /** Fires (batched) when the list, a status or metadata changed. */
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly backedOff = new Emitter<BackOff>();
  readonly onDidBackOff: Event<BackOff> = this.backedOff.event;
  private readonly disposables = new DisposableStore();
  private readonly pacer: RequestPacer;
  private readonly entries = new Map<string, EndpointEntry>();
  private readonly statusInFlight = new Map<string, Promise<void>>();
  private readonly metadataInFlight = new Map<string, Promise<EndpointMetadata>>();
  private listed: Timed<EndpointSummary[]> | undefined;
  private ownedIds = new Set<string>();
  /** The listed endpoints by id (rendering asks per row). */
  private byId = new Map<string, EndpointSummary>();
  private listing: Promise<readonly EndpointSummary[]> | undefined;
  private problem: EndpointProblem | undefined;
  private generation = 0;
  private changeTimer: NodeJS.Timeout | undefined;
  private backOffUntil = 0;
  private subscribedApi: EndpointApi | undefined;
  private readonly now: () => number;

  constructor(private readonly options: EndpointDirectoryOptions) {
    this.now = options.now ?? Date.now;
    this.pacer = this.disposables.add(new RequestPacer(options.pacing ?? { concurrency: 4, requests: 15, windowMs: 10_000 }));
    this.disposables.add(this.changed);
    this.disposables.add(this.backedOff);
  }

  /** The last list fetched (empty before the first). */
  get endpoints(): readonly EndpointSummary[] {
    return this.listed?.value ?? [];
  }

  get listedAt(): number | undefined {
    return this.listed?.at;
  }

  /** Why the last listing failed; undefined after a success. */
  get listProblem(): EndpointProblem | undefined {
    return this.problem;
  }

  /** Epoch ms until which requests are held back after a 429; 0 when not backing off. */
  get backingOffUntil(): number {
    return this.backOffUntil > this.now() ? this.backOffUntil : 0;
  }

  entry(id: string): EndpointEntry {
    return this.entries.get(id.toLowerCase()) ?? {};
  }

  /** Whether the signed-in identity owns the endpoint (it is in `?role=owner`). */
  owned(id: string): boolean {
    return this.ownedIds.has(id.toLowerCase());
  }

  summary(id: string): EndpointSummary | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /**
   * Lists the endpoints the identity may use, and which it owns (cached for `listTtlMs` unless forced);
   * never rejects: a failure is `listProblem`.
   */
  list(force = false): Promise<readonly EndpointSummary[]> {
    const fresh = this.listed && this.now() - this.listed.at < (this.options.listTtlMs ?? 300_000);
    if (!force && fresh) return Promise.resolve(this.endpoints);
    if (this.listing) return this.listing;
    const generation = this.generation;
    const listing: Promise<readonly EndpointSummary[]> = Promise.all([
      this.request((api) => api.listEndpoints("any")),
      this.request((api) => api.listEndpoints("owner")),
    ]).then(
      ([value, owned]) => {
        if (generation === this.generation) {
          this.listed = { value, at: this.now() };
          this.byId = new Map(value.map((e) => [e.id, e]));
          this.ownedIds = new Set(owned.map((e) => e.id));
          this.problem = undefined;
          this.changedSoon();
        }
        return value;
      },
      (err: unknown) => {
        if (generation === this.generation) {
          this.problem = endpointProblem(err);
          this.changedSoon();
        }
        return this.endpoints;
      },
    );
    this.listing = listing;
    void listing.finally(() => {
      if (this.listing === listing) this.listing = undefined;
    });
    return listing;
  }

  /**
   * Fetches the statuses of `ids` (those on screen) that are older than the TTL, or all of them when forced;
   * resolves when they are in. Ids already being fetched are not asked twice.
   */
  async refreshStatuses(ids: Iterable<string>, force = false): Promise<void> {
    const ttl = this.options.statusTtlMs ?? 30_000;
    const waits: Promise<void>[] = [];
    for (const raw of ids) {
      const id = raw.toLowerCase();
      const inFlight = this.statusInFlight.get(id);
      if (inFlight) {
        waits.push(inFlight);
        continue;
      }
      const checked = this.entries.get(id)?.statusCheckedAt;
      if (!force && checked !== undefined && this.now() - checked < ttl) continue;
      waits.push(this.fetchStatus(id));
    }
    await Promise.all(waits);
  }

  /** The endpoint's metadata, cached for `metadataTtlMs` unless forced. */
  metadata(id: string, force = false): Promise<EndpointMetadata> {
    const lower = id.toLowerCase();
    const cached = this.entries.get(lower)?.metadata;
    if (!force && cached && this.now() - cached.at < (this.options.metadataTtlMs ?? 600_000)) return Promise.resolve(cached.value);
    const inFlight = this.metadataInFlight.get(lower);
    if (inFlight) return inFlight;
    const generation = this.generation;
    const p = this.request((api) => api.getEndpointMetadata(lower));
    this.metadataInFlight.set(lower, p);
    p.then(
      (value) => this.update(generation, lower, { metadata: { value, at: this.now() }, metadataProblem: undefined }),
      (err: unknown) => this.update(generation, lower, { metadataProblem: endpointProblem(err) }),
    ).finally(() => this.metadataInFlight.delete(lower));
    return p;
  }

  /** Forgets everything (sign-out, another service): answers still in flight are dropped. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.statusInFlight.clear();
    this.metadataInFlight.clear();
    this.listed = undefined;
    this.ownedIds = new Set();
    this.byId = new Map();
    this.listing = undefined;
    this.problem = undefined;
    this.changedSoon();
  }

  dispose(): void {
    clearTimeout(this.changeTimer);
    this.backOffSubscription?.dispose();
    this.disposables.dispose();
  }

  private fetchStatus(id: string): Promise<void> {
    const generation = this.generation;
    const p = this.request((api) => api.getEndpointStatus(id)).then(
      (value) => this.update(generation, id, { status: { value, at: this.now() }, statusProblem: undefined, statusCheckedAt: this.now() }),
      (err: unknown) => this.update(generation, id, { statusProblem: endpointProblem(err), statusCheckedAt: this.now() }),
    );
    const tracked = p.finally(() => {
      if (this.statusInFlight.get(id) === tracked) this.statusInFlight.delete(id);
    });
    this.statusInFlight.set(id, tracked);
    return tracked;
  }

  private update(generation: number, id: string, change: Partial<EndpointEntry>): void {
    if (generation !== this.generation) return;
    const entry = { ...this.entries.get(id), ...change };
    for (const k of Object.keys(change) as (keyof EndpointEntry)[]) if (change[k] === undefined) delete entry[k];
    this.entries.set(id, entry);
    this.changedSoon();
  }

  private backOffSubscription: Disposable | undefined;

  /** The current service, subscribed to its back-off notices once. */
  private async api(): Promise<EndpointApi> {
    const api = await this.options.api();
    if (api !== this.subscribedApi) {
      this.backOffSubscription?.dispose();
      this.subscribedApi = api;
      this.backOffSubscription = api.onDidBackOff?.((b) => {
        this.backOffUntil = Math.max(this.backOffUntil, this.now() + b.delayMs);
        this.pacer.pause(b.delayMs);
        this.backedOff.fire(b);
        this.changedSoon();
      });
    }
    return api;
  }

  private request<T>(fn: (api: EndpointApi) => Promise<T>): Promise<T> {
    return this.pacer.run(async () => fn(await this.api()));
  }

  private changedSoon(): void {
    if (this.changeTimer !== undefined) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.changed.fire();
    }, this.options.changeDelayMs ?? 100);
  }
}

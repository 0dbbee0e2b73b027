/**
 * The rows of the Endpoints view: the local endpoint, the configured ones and those the service lists
 * for the signed-in identity, by display name, ordered (local, selected, those the settings offer, owned,
 * the rest by name), filtered by the person's search text and shown a page at a time, so that only what is on screen
 * asks the service for a status.
 */
import type { EndpointDirectory } from "../../core/endpoints/endpointDirectory";
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";
import type { Settings } from "../state/settings";
import type { EndpointOption, EndpointSelection } from "./endpointSelection";

export interface EndpointRow extends EndpointOption {
  /** The signed-in identity owns it. */
  owned: boolean;
  /** Named in `globusCompute.endpoints`. */
  configured: boolean;
  /** In the service's list for the signed-in identity. */
  listed: boolean;
  selected: boolean;
}

export interface EndpointPage {
  rows: EndpointRow[];
  /** Rows matching the filter (all rows when there is none). */
  matching: number;
  total: number;
}

/** About a screenful: each row on screen costs a status request, and the service allows ~20 per 10 s. */
export const ENDPOINT_PAGE_SIZE = 25;

const byName = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

export class EndpointViewModel implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly disposables = new DisposableStore();
  private filterText = "";
  private shown = ENDPOINT_PAGE_SIZE;

  constructor(
    private readonly settings: Settings,
    private readonly selection: EndpointSelection,
    private readonly directory: Pick<EndpointDirectory, "owned" | "summary" | "onDidChange">,
    private readonly pageSize = ENDPOINT_PAGE_SIZE,
  ) {
    this.shown = pageSize;
    this.disposables.add(this.changed);
    this.disposables.add(settings.onDidChange(() => this.changed.fire()));
    this.disposables.add(selection.onDidChange(() => this.changed.fire()));
    this.disposables.add(directory.onDidChange(() => this.changed.fire()));
  }

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    const trimmed = text.trim();
    if (trimmed === this.filterText) return;
    this.filterText = trimmed;
    this.shown = this.pageSize;
    this.changed.fire();
  }

  showMore(): void {
    this.shown += this.pageSize;
    this.changed.fire();
  }

  /** Every row, in view order, unfiltered. */
  allRows(): EndpointRow[] {
    const current = this.selection.current.id;
    const configured = new Set(this.settings.current.endpoints.map((e) => e.id.toLowerCase()));
    const rows = this.selection.options.map((o, index) => ({
      index,
      row: {
        ...o,
        owned: o.kind === "cloud" && this.directory.owned(o.id),
        configured: configured.has(o.id),
        listed: o.kind === "cloud" && this.directory.summary(o.id) !== undefined,
        selected: o.id === current,
      },
    }));
    // Offered by the settings (configured, the tutorial, a default id) keep their order; listed ones go by name.
    const rank = (r: EndpointRow) => (r.kind === "local" ? 0 : r.selected ? 1 : r.configured || !r.listed ? 2 : r.owned ? 3 : 4);
    rows.sort(
      (a, b) =>
        rank(a.row) - rank(b.row) ||
        (rank(a.row) <= 2 ? a.index - b.index : byName.compare(a.row.name, b.row.name)),
    );
    return rows.map((r) => r.row);
  }

  page(): EndpointPage {
    const all = this.allRows();
    const matching = this.filterText ? all.filter((r) => this.matches(r)) : all;
    return { rows: matching.slice(0, this.shown), matching: matching.length, total: all.length };
  }

  dispose(): void {
    this.disposables.dispose();
  }

  private matches(row: EndpointRow): boolean {
    const needle = this.filterText.toLowerCase();
    const summary = row.kind === "cloud" ? this.directory.summary(row.id) : undefined;
    return [row.name, row.id, summary?.name ?? ""].some((s) => s.toLowerCase().includes(needle));
  }
}

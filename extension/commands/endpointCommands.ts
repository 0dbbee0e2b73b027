/**
 * Handlers for the Endpoints view and the endpoint picker: choose the endpoint for this workspace (a quick
 * pick with names and live statuses, or a row's action), copy an id, open an endpoint in the Globus web
 * app, filter the view, show more rows; create a multi-user endpoint configuration with the guided form,
 * open the configurations file, change the configuration a function runs with.
 */
import type { EndpointDirectory } from "../../core/endpoints/endpointDirectory";
import { describeProbe } from "../../core/endpoints/environmentProbe";
import { userConfigSchemaOf } from "../../core/endpoints/userConfigSchema";
import { askConfiguration } from "../endpoints/configurationForm";
import type { ChosenConfiguration } from "../endpoints/configurationChooser";
import type { EndpointConfigurations } from "../endpoints/endpointConfigurations";
import type { EnvironmentProbes } from "../endpoints/environmentProbes";
import { problemLabel, statusSummary } from "../endpoints/endpointItems";
import type { EndpointOption, EndpointSelection } from "../endpoints/endpointSelection";
import type { EndpointNode } from "../endpoints/endpointTreeDataProvider";
import type { EndpointRow, EndpointViewModel } from "../endpoints/endpointViewModel";
import type { UserInterface } from "../vscode/window";

/** The Globus web app's page of an endpoint. */
export const WEB_APP_ENDPOINT_URL = "https://app.globus.org/compute/endpoints/";

export interface EndpointCommandDeps {
  selection: EndpointSelection;
  model: EndpointViewModel;
  directory: Pick<EndpointDirectory, "entry" | "refreshStatuses" | "list" | "metadata">;
  ui: Pick<UserInterface, "pickOne" | "inputText" | "copyToClipboard" | "showInformation" | "showWarning" | "withProgress">;
  openExternal(url: string): Promise<unknown>;
  configurations: Pick<EndpointConfigurations, "ready" | "forEndpoint" | "add">;
  /** Opens the configurations file in an editor (created with an empty "endpoints" object if missing). */
  openConfigurationFile(): Promise<void>;
  probes: Pick<EnvironmentProbes, "inspect">;
  /** The configuration to probe a multi-user endpoint with (as a submission would choose it; `name` when known). */
  chooseConfiguration(endpoint: EndpointOption, name?: string): Promise<ChosenConfiguration | null | undefined>;
  /** The function under the cursor: its key for remembered choices (`uri#qualifiedName`) and name. */
  functionAtCursor(): Promise<{ key: string; name: string } | undefined>;
  /** Lets the person change the configuration remembered for the function (ConfigurationChooser.changeRemembered). */
  changeConfigurationChoice(endpoint: EndpointOption, functionKey: string, functionName: string): Promise<boolean>;
  /** How long the picker waits for fresh statuses before it opens (default 1.5 s). */
  statusWaitMs?: number;
}

export class EndpointCommands {
  constructor(private readonly deps: EndpointCommandDeps) {}

  async selectEndpoint(): Promise<void> {
    const { selection, model, directory, ui } = this.deps;
    await directory.list();
    const rows = model.allRows();
    // Statuses of the first rows (what the picker shows first), briefly awaited so the list opens fresh.
    const cloud = rows.filter((r) => r.kind === "cloud").slice(0, 50).map((r) => r.id);
    await Promise.race([directory.refreshStatuses(cloud), new Promise((r) => setTimeout(r, this.deps.statusWaitMs ?? 1500).unref?.())]);
    const picked = await ui.pickOne(
      rows.map((r) => {
        const entry = directory.entry(r.id);
        const status = entry.statusProblem ? problemLabel(entry.statusProblem) : entry.status ? statusSummary(entry.status.value) : undefined;
        return {
          label: r.name,
          description: r.kind === "local" ? "runs on this machine" : [r.owned ? "yours" : undefined, status].filter(Boolean).join(" · "),
          detail: [r.kind === "cloud" ? r.id : undefined, r.selected ? "selected" : undefined].filter(Boolean).join(" · ") || undefined,
          value: r.id,
        };
      }),
      "Endpoint for submissions from this workspace (type to search by name or id)",
    );
    if (picked !== undefined) await selection.select(picked);
  }

  async useForWorkspace(node: unknown): Promise<void> {
    await this.deps.selection.select(rowOf(node).id);
  }

  async copyId(node: unknown): Promise<void> {
    const row = rowOf(node);
    await this.deps.ui.copyToClipboard(row.id);
    this.deps.ui.showInformation(`Copied the id of ${row.name}: ${row.id}`);
  }

  async openInWebApp(node: unknown): Promise<void> {
    const row = rowOf(node);
    if (row.kind !== "cloud") throw new TypeError("the local endpoint has no page in the Globus web app");
    await this.deps.openExternal(WEB_APP_ENDPOINT_URL + row.id);
  }

  async filter(): Promise<void> {
    const text = await this.deps.ui.inputText({
      title: "Filter Endpoints",
      prompt: "Show endpoints whose name or id contains this text (empty: all)",
      value: this.deps.model.filter,
      placeHolder: "e.g. polaris",
      validate: () => undefined,
    });
    if (text !== undefined) this.deps.model.setFilter(text);
  }

  /** The guided form; `arg`: an endpoint row, an endpoint id, or nothing (the selected endpoint, else a pick). */
  async createConfiguration(arg?: unknown): Promise<void> {
    const { directory, ui, configurations } = this.deps;
    const endpoint = await this.configurableEndpoint(arg);
    if (endpoint === undefined) return;
    const metadata = await directory.metadata(endpoint.id);
    if (!metadata.multiUser) {
      ui.showWarning(`"${endpoint.name}" is not a multi-user endpoint: it takes no user_endpoint_config.`);
      return;
    }
    await configurations.ready();
    const existing = configurations.forEndpoint(endpoint.id).map((c) => c.name);
    const configuration = await askConfiguration(ui, endpoint, userConfigSchemaOf(metadata), existing);
    if (configuration === undefined) return;
    await configurations.add(metadata.displayName, configuration);
    await this.deps.openConfigurationFile();
    ui.showInformation(`Configuration "${configuration.name}" of ${endpoint.name} saved; submissions to it will offer it.`);
  }

  /**
   * Runs the environment probe on an endpoint row's endpoint (with a configuration row's configuration;
   * else the selected endpoint) and shows what it found.
   */
  async inspectEnvironment(node?: unknown): Promise<void> {
    const named = configurationOf(node);
    const endpoint: EndpointOption = named?.row ?? (node === undefined ? this.deps.selection.current : rowOf(node));
    const configuration = await this.deps.chooseConfiguration(endpoint, named?.name);
    if (configuration === null) return;
    const entry = await this.deps.ui.withProgress(`Inspecting the environment of ${endpoint.name}…`, () =>
      this.deps.probes.inspect(endpoint, configuration),
    );
    this.deps.ui.showInformation(`${endpoint.name}${configuration ? ` (${configuration.name})` : ""}: ${describeProbe(entry.probe)}.`);
  }

  /** "Choose Configuration…": which configuration of the selected endpoint the function under the cursor runs with. */
  async chooseConfiguration(): Promise<void> {
    const { ui, selection } = this.deps;
    const fn = await this.deps.functionAtCursor();
    if (fn === undefined) {
      ui.showWarning("Put the cursor inside a function of a Python file to choose the configuration it runs with.");
      return;
    }
    const endpoint = selection.current;
    if (endpoint.kind !== "cloud") {
      ui.showWarning(`The selected endpoint, ${endpoint.name}, takes no configuration: select a multi-user endpoint first.`);
      return;
    }
    if (await this.deps.changeConfigurationChoice(endpoint, fn.key, fn.name)) ui.showInformation(`${fn.name} on ${endpoint.name}: the choice is saved for its next submissions.`);
  }

  openConfigurations(): Promise<void> {
    return this.deps.openConfigurationFile();
  }

  clearFilter(): void {
    this.deps.model.setFilter("");
  }

  showMore(): void {
    this.deps.model.showMore();
  }

  private async configurableEndpoint(arg: unknown): Promise<{ id: string; name: string } | undefined> {
    const { model, selection, ui } = this.deps;
    const rows = model.allRows().filter((r) => r.kind === "cloud");
    if (typeof arg === "string") return rows.find((r) => r.id === arg.toLowerCase()) ?? { id: arg.toLowerCase(), name: arg };
    if (arg !== undefined) return rowOf(arg);
    if (selection.current.kind === "cloud") return selection.current;
    const id = await ui.pickOne(
      rows.map((r) => ({ label: r.name, description: r.id, value: r.id })),
      "Multi-user endpoint to configure",
    );
    return rows.find((r) => r.id === id);
  }
}

/** A configuration row's endpoint and configuration name; undefined for any other node. */
function configurationOf(node: unknown): { row: EndpointRow; name: string } | undefined {
  const n = node as Partial<EndpointNode> | undefined;
  return n?.kind === "configuration" && n.row && n.checked ? { row: n.row, name: n.checked.configuration.name } : undefined;
}

function rowOf(node: unknown) {
  const n = node as Partial<EndpointNode> | undefined;
  if (n?.kind !== "endpoint" || typeof n.row?.id !== "string") throw new TypeError("this command acts on an endpoint of the Endpoints view");
  return n.row;
}

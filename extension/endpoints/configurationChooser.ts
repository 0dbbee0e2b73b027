/**
 * At submission: which configuration of a multi-user endpoint the tasks run with. One configuration is
 * used as is; among several the person picks, and the pick is remembered per function (a Re-run names its
 * own). The configuration is validated against the endpoint's schema before anything is sent: an
 * invalid one is refused with each field and the reason, and a multi-user endpoint whose schema requires
 * values cannot be used without a configuration. What a template (no schema) seems to need is asked about,
 * never refused: the scan may be wrong, the endpoint is the judge, and the person decides.
 */
import type { EndpointConfiguration } from "../../core/endpoints/configurationFile";
import type { EndpointMetadata } from "../../core/endpoints/endpointRecords";
import { describeIssue, templateNeeds, userConfigSchemaOf, validateConfiguration } from "../../core/endpoints/userConfigSchema";
import type { StateStorage } from "../state/taskGroupStore";
import type { UserInterface } from "../vscode/window";
import type { EndpointConfigurations } from "./endpointConfigurations";
import type { EndpointOption } from "./endpointSelection";

export interface ChosenConfiguration {
  name: string;
  userEndpointConfig: Record<string, unknown>;
  resourceSpecification?: Record<string, unknown>;
}

const REMEMBERED_KEY = "globusCompute.configurationChoices";

export const OPEN_CONFIGURATIONS = { title: "Open Configurations", command: "globusCompute.openEndpointConfigurations" };
export const NEW_CONFIGURATION = { title: "New Configuration…", command: "globusCompute.createEndpointConfiguration" };

export interface ConfigurationChooserDeps {
  configurations: Pick<EndpointConfigurations, "ready" | "forEndpoint">;
  metadata(endpointId: string): Promise<EndpointMetadata>;
  ui: Pick<UserInterface, "pickOne" | "showError">;
  storage: StateStorage;
}

export class ConfigurationChooser {
  constructor(private readonly deps: ConfigurationChooserDeps) {}

  /**
   * The configuration to submit with: undefined when none applies (local, or a plain endpoint), null
   * when the submission must not go (dismissed, or refused and the person told why).
   */
  async choose(endpoint: Pick<EndpointOption, "kind" | "id" | "name">, functionKey: string, preferred?: string): Promise<ChosenConfiguration | null | undefined> {
    if (endpoint.kind !== "cloud") return undefined;
    const { deps } = this;
    await deps.configurations.ready();
    const list = deps.configurations.forEndpoint(endpoint.id);
    // Metadata is best-effort: without it (offline service) the file's configurations still apply.
    const metadata = await deps.metadata(endpoint.id).catch(() => undefined);
    const schema = metadata?.multiUser ? userConfigSchemaOf(metadata) : undefined;
    const newConfiguration = { ...NEW_CONFIGURATION, arguments: [endpoint.id] };
    if (list.length === 0) {
      const required = (schema?.required as string[] | undefined) ?? [];
      if (metadata?.multiUser && required.length > 0) {
        deps.ui.showError(
          `"${endpoint.name}" is a multi-user endpoint: it runs tasks only with a configuration that sets ${required.join(", ")}. Create one first.`,
          [newConfiguration],
        );
        return null;
      }
      const go = await this.confirmTemplateNeeds(endpoint, templateNeeds(schema), "no configuration", newConfiguration);
      return go ? undefined : null;
    }
    const picked = await this.pick(endpoint, functionKey, list, preferred);
    if (picked === undefined) return null;
    const issues = validateConfiguration(schema, picked.userEndpointConfig, picked.resourceSpecification);
    if (issues.length > 0) {
      deps.ui.showError(
        `Configuration "${picked.name}" of "${endpoint.name}" is not valid, so nothing was sent: ${issues.map(describeIssue).join("; ")}.`,
        [OPEN_CONFIGURATIONS],
      );
      return null;
    }
    const missing = templateNeeds(schema).filter((name) => !(name in picked.userEndpointConfig));
    return (await this.confirmTemplateNeeds(endpoint, missing, `configuration "${picked.name}"`, OPEN_CONFIGURATIONS)) ? chosenOf(picked) : null;
  }

  /**
   * True to submit although the endpoint's template seems to need `missing`, which `what` does not set:
   * the endpoint renders it with every variable required unless guarded, so it would most likely fail
   * there; but a scan can be wrong, so the person decides. Declining shows `fix` (nothing is sent).
   */
  private async confirmTemplateNeeds(
    endpoint: Pick<EndpointOption, "name">,
    missing: readonly string[],
    what: string,
    fix: { title: string; command: string; arguments?: unknown[] },
  ): Promise<boolean> {
    if (missing.length === 0) return true;
    const names = missing.join(", ");
    const go = await this.deps.ui.pickOne(
      [
        { label: `Submit with ${what}`, description: "the endpoint decides whether its template renders without them", value: true },
        { label: "Don't submit", description: `then: ${fix.title}`, value: false },
      ],
      `The template of "${endpoint.name}" seems to need ${names}, which ${what} does not set`,
    );
    if (go === true) return true;
    if (go === false) this.deps.ui.showError(`Nothing was sent to "${endpoint.name}": its template seems to need ${names}.`, [fix]);
    return false;
  }

  private async pick(
    endpoint: Pick<EndpointOption, "id" | "name">,
    functionKey: string,
    list: readonly EndpointConfiguration[],
    preferred: string | undefined,
  ): Promise<EndpointConfiguration | undefined> {
    const byName = (name: unknown) => list.find((c) => c.name === name);
    const preferredOne = byName(preferred);
    if (preferredOne) return preferredOne;
    if (list.length === 1) return list[0];
    const key = rememberedKey(endpoint.id, functionKey);
    const remembered = this.remembered();
    const alwaysAsk = remembered[key] === ALWAYS_ASK;
    const again = alwaysAsk ? undefined : byName(remembered[key]);
    if (again) return again;
    const name = await this.deps.ui.pickOne(
      list.map((c) => ({ label: c.name, description: summary(c), detail: c.description, value: c.name })),
      `Configuration of ${endpoint.name} for this function (${alwaysAsk ? "asked each time" : "remembered for it"}; "Choose Configuration…" changes that)`,
    );
    if (name === undefined) return undefined;
    if (!alwaysAsk) await this.deps.storage.update(REMEMBERED_KEY, { ...remembered, [key]: name });
    return byName(name);
  }

  /**
   * "Choose Configuration…": the configuration a function's submissions to the endpoint use from now on,
   * or "Always ask"; false when the endpoint has none to choose from or the person dismissed the pick.
   */
  async changeRemembered(endpoint: Pick<EndpointOption, "id" | "name">, functionKey: string, functionName: string): Promise<boolean> {
    await this.deps.configurations.ready();
    const list = this.deps.configurations.forEndpoint(endpoint.id);
    if (list.length === 0) {
      this.deps.ui.showError(`"${endpoint.name}" has no configurations to choose from.`, [{ ...NEW_CONFIGURATION, arguments: [endpoint.id] }]);
      return false;
    }
    const key = rememberedKey(endpoint.id, functionKey);
    const remembered = this.remembered();
    const now = (yes: boolean) => (yes ? "current choice · " : "");
    const picked = await this.deps.ui.pickOne<{ name: string } | typeof ALWAYS_ASK>(
      [
        ...list.map((c) => ({ label: c.name, description: `${now(remembered[key] === c.name)}${summary(c)}`, detail: c.description, value: { name: c.name } })),
        { label: "Always ask", description: `${now(remembered[key] === ALWAYS_ASK)}pick a configuration at each submission`, value: ALWAYS_ASK },
      ],
      `Configuration of ${endpoint.name} for ${functionName}`,
    );
    if (picked === undefined) return false;
    await this.deps.storage.update(REMEMBERED_KEY, { ...remembered, [key]: picked === ALWAYS_ASK ? ALWAYS_ASK : picked.name });
    return true;
  }

  /** endpoint id and function → a configuration name, or ALWAYS_ASK. */
  private remembered(): Record<string, string | null> {
    return (this.deps.storage.get(REMEMBERED_KEY) ?? {}) as Record<string, string | null>;
  }
}

/** Remembered for a function that asks at each submission (no configuration name is null). */
const ALWAYS_ASK = null;

function rememberedKey(endpointId: string, functionKey: string): string {
  return `${endpointId} ${functionKey}`;
}

/** What a submission sends of a configuration from the file. */
export function chosenOf(c: EndpointConfiguration): ChosenConfiguration {
  return { name: c.name, userEndpointConfig: c.userEndpointConfig, ...(c.resourceSpecification ? { resourceSpecification: c.resourceSpecification } : {}) };
}

/** `account=abc, partition=debug · 2 nodes`. */
export function summary(c: EndpointConfiguration): string {
  const values = Object.entries(c.userEndpointConfig)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
  const mpi = c.resourceSpecification ? ` · MPI ${JSON.stringify(c.resourceSpecification)}` : "";
  return values.length > 80 ? `${values.slice(0, 79)}…${mpi}` : `${values}${mpi}`;
}

/**
 * When an endpoint and configuration is first used, its environment is probed in the background (so the
 * editor can warn about what it cannot run before the next submission): on selecting an endpoint, and on
 * a submission. At selection, a multi-user endpoint is probed only when its configuration is not in doubt
 * (exactly one; none for a plain endpoint); its submission names the one it ran with. A configuration
 * comes from the workspace's file, and its values fill the site's job template (`worker_init` runs as
 * shell commands there): from an untrusted workspace it goes only with a submission the person allowed.
 */
import type { EndpointConfiguration } from "../../core/endpoints/configurationFile";
import type { EndpointMetadata } from "../../core/endpoints/endpointRecords";
import { templateNeeds, userConfigSchemaOf, validateConfiguration } from "../../core/endpoints/userConfigSchema";
import { chosenOf } from "./configurationChooser";
import type { EndpointConfigurations } from "./endpointConfigurations";
import { LOCAL_ENDPOINT_ID, type EndpointOption } from "./endpointSelection";
import type { EnvironmentProbes } from "./environmentProbes";

export interface AutoProbeDeps {
  probes: Pick<EnvironmentProbes, "ensure">;
  configurations: Pick<EndpointConfigurations, "ready" | "forEndpoint" | "find">;
  metadata(endpointId: string): Promise<EndpointMetadata>;
  /** Whether the workspace is trusted (its configurations may be sent unasked). */
  trusted(): boolean;
}

export class AutoProbe {
  constructor(private readonly deps: AutoProbeDeps) {}

  async selected(endpoint: EndpointOption): Promise<void> {
    if (endpoint.kind === "local") return this.deps.probes.ensure(endpoint);
    await this.deps.configurations.ready();
    const configurations = this.deps.configurations.forEndpoint(endpoint.id);
    if (configurations.length > 1) return;
    // Without metadata it is unknown whether the endpoint needs a configuration, or what makes one valid.
    const metadata = await this.deps.metadata(endpoint.id).catch(() => undefined);
    if (!metadata) return;
    if (configurations.length === 1) {
      if (this.deps.trusted()) this.ensureValid(endpoint, metadata, configurations[0]);
    }
    else if (!metadata.multiUser) this.deps.probes.ensure(endpoint);
  }

  /** A task group was submitted (to `endpoint`, with the configuration named). */
  async submitted(endpoint: { id: string; name: string }, configurationName: string | undefined): Promise<void> {
    const kind = endpoint.id === LOCAL_ENDPOINT_ID ? "local" : "cloud";
    if (configurationName === undefined) return this.deps.probes.ensure({ ...endpoint, kind });
    await this.deps.configurations.ready();
    const configuration = this.deps.configurations.find(endpoint.id, configurationName);
    const metadata = configuration && (await this.deps.metadata(endpoint.id).catch(() => undefined));
    if (configuration && metadata) this.ensureValid({ ...endpoint, kind }, metadata, configuration);
  }

  private ensureValid(endpoint: EndpointOption, metadata: EndpointMetadata, configuration: EndpointConfiguration): void {
    const schema = metadata.multiUser ? userConfigSchemaOf(metadata) : undefined;
    // Unasked, nothing goes that the template seems unable to render (a probe may start a batch job).
    const complete = templateNeeds(schema).every((name) => name in configuration.userEndpointConfig);
    if (complete && validateConfiguration(schema, configuration.userEndpointConfig, configuration.resourceSpecification).length === 0)
      this.deps.probes.ensure(endpoint, chosenOf(configuration));
  }
}

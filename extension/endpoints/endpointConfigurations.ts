/**
 * The workspace's named configurations of multi-user endpoints (`.globus-compute/endpoints.json`), re-read
 * when the file changes on disk or in an editor, and added to by the guided form.
 */
import {
  parseConfigurationFile,
  withConfiguration,
  type ConfigurationFileContent,
  type EndpointConfiguration,
} from "../../core/endpoints/configurationFile";
import type { EndpointDirectory } from "../../core/endpoints/endpointDirectory";
import { describeIssue, userConfigSchemaOf, validateConfiguration, type JsonSchema } from "../../core/endpoints/userConfigSchema";
import { Emitter, type Event } from "../../core/util/event";
import { DisposableStore, type Disposable } from "../../core/util/disposable";

/** The file, through the workspace (extension/vscode/configurationFileAccess.ts). */
export interface ConfigurationFileAccess {
  /** The file's text; undefined when it does not exist (or there is no workspace folder). */
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
  readonly onDidChange: Event<void>;
}

export class EndpointConfigurations implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly disposables = new DisposableStore();
  private content: ConfigurationFileContent = parseConfigurationFile(undefined);
  private loading: Promise<void> | undefined;

  constructor(private readonly file: ConfigurationFileAccess) {
    this.disposables.add(this.changed);
    this.disposables.add(file.onDidChange(() => void this.reload()));
  }

  /** Resolves once the file has been read at least once. */
  ready(): Promise<void> {
    return (this.loading ??= this.reload());
  }

  async reload(): Promise<void> {
    this.content = parseConfigurationFile(await this.file.read());
    this.changed.fire();
  }

  forEndpoint(endpointId: string): readonly EndpointConfiguration[] {
    return this.content.configurations.get(endpointId.toLowerCase()) ?? [];
  }

  find(endpointId: string, name: string): EndpointConfiguration | undefined {
    return this.forEndpoint(endpointId).find((c) => c.name === name);
  }

  /** Endpoint ids the file configures. */
  get endpointIds(): string[] {
    return [...this.content.configurations.keys()];
  }

  get problems(): readonly string[] {
    return this.content.problems;
  }

  /** Adds (or replaces, by name) a configuration and writes the file. */
  async add(endpointName: string, configuration: EndpointConfiguration): Promise<void> {
    const text = withConfiguration(await this.file.read(), endpointName, configuration);
    await this.file.write(text);
    await this.reload();
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

/** The endpoints the file names, with the schema of each whose metadata is known (for the file's schema). */
export function configuredSchemas(
  configurations: Pick<EndpointConfigurations, "endpointIds">,
  directory: Pick<EndpointDirectory, "entry" | "summary">,
): Map<string, { name: string; schema?: JsonSchema }> {
  const out = new Map<string, { name: string; schema?: JsonSchema }>();
  for (const id of configurations.endpointIds) {
    const metadata = directory.entry(id).metadata?.value;
    const schema = metadata && userConfigSchemaOf(metadata);
    out.set(id, { name: metadata?.displayName ?? directory.summary(id)?.displayName ?? id, ...(schema ? { schema } : {}) });
  }
  return out;
}

/** A configuration of the file with its problems by the endpoint's schema; `issues` undefined until the metadata is known. */
export interface CheckedConfiguration {
  configuration: EndpointConfiguration;
  issues?: string[];
}

/** The endpoint's configurations, each checked as a submission would check it. */
export function checkedConfigurations(
  configurations: Pick<EndpointConfigurations, "forEndpoint">,
  directory: Pick<EndpointDirectory, "entry">,
  endpointId: string,
): CheckedConfiguration[] {
  const metadata = directory.entry(endpointId).metadata?.value;
  const schema = metadata?.multiUser ? userConfigSchemaOf(metadata) : undefined;
  return configurations.forEndpoint(endpointId).map((configuration) => ({
    configuration,
    ...(metadata ? { issues: validateConfiguration(schema, configuration.userEndpointConfig, configuration.resourceSpecification).map(describeIssue) } : {}),
  }));
}

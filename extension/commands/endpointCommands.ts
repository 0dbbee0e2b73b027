/** Handlers for choosing the endpoint: a quick pick over EndpointSelection's options. */
import type { EndpointSelection } from "../endpoints/endpointSelection";
import type { UserInterface } from "../vscode/window";

export class EndpointCommands {
  constructor(
    private readonly selection: EndpointSelection,
    private readonly ui: Pick<UserInterface, "pickOne">,
  ) {}

  async selectEndpoint(): Promise<void> {
    const current = this.selection.current;
    const picked = await this.ui.pickOne(
      this.selection.options.map((o) => ({
        label: o.name,
        description: o.kind === "local" ? "runs on this machine" : o.id,
        detail: o.id === current.id ? "selected" : undefined,
        value: o.id,
      })),
      "Endpoint for submissions from this workspace",
    );
    if (picked !== undefined) await this.selection.select(picked);
  }
}

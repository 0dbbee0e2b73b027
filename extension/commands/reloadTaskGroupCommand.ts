/** "Reload Task Group…": brings in a task group by id (one created elsewhere, e.g. by a Python script). */
import { isEndpointId } from "../state/settings";
import type { EndpointOption } from "../endpoints/endpointSelection";
import { describeFailure } from "../submit/failureMessages";
import type { TaskGroupReloader } from "../tasks/taskGroupReloader";
import type { UserInterface } from "../vscode/window";

export interface ReloadDeps {
  reloader: Pick<TaskGroupReloader, "reloadById">;
  endpoints: { readonly current: EndpointOption };
  serviceKeyFor(endpoint: Pick<EndpointOption, "kind">): string;
  ensureSignedIn(): Promise<void>;
  ui: Pick<UserInterface, "inputText" | "showError" | "showInformation">;
}

export async function reloadTaskGroup(deps: ReloadDeps, id?: unknown): Promise<void> {
  const endpoint = deps.endpoints.current;
  const service = deps.serviceKeyFor(endpoint);
  const text =
    typeof id === "string"
      ? id
      : await deps.ui.inputText({
          title: "Reload Task Group",
          prompt: `Task group id (a UUID, e.g. executor.task_group_id in Python), from ${endpoint.kind === "local" ? "the local endpoint" : service}`,
          placeHolder: "00000000-0000-0000-0000-000000000000",
          validate: (t) => (isEndpointId(t.trim()) ? undefined : "A task group id is a UUID such as 4b116d3c-1703-4f8f-9f6f-39921e5864df."),
        });
  if (text === undefined) return;
  const taskGroupId = text.trim().toLowerCase();
  try {
    if (endpoint.kind === "cloud") await deps.ensureSignedIn();
    await deps.reloader.reloadById(taskGroupId, endpoint, service);
  } catch (err) {
    if ((err as { code?: unknown }).code === "SIGN_IN_CANCELLED") return;
    const { message, actions } = describeFailure(err, endpoint.name);
    deps.ui.showError(`Task group ${taskGroupId} could not be reloaded: ${message}`, actions);
  }
}

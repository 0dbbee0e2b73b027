/** What the Compute API routes share. */
import { ApiError } from "./apiError";
import type { BrokerAccounts } from "./brokerAccounts";
import type { EmulatedEndpoint } from "./emulatedEndpoint";
import type { ResultDelivery } from "./resultDelivery";
import type { EmulatorState, User } from "./state";

export interface EmulatorContext {
  state: EmulatorState;
  endpoints: Map<string, EmulatedEndpoint>;
  delivery: ResultDelivery;
  accounts: BrokerAccounts;
}

/** An endpoint the user may use (public or owned), or may administer when `owner` is set. */
export function endpointFor(ctx: EmulatorContext, id: string, user: User, owner = false): EmulatedEndpoint {
  const ep = ctx.endpoints.get(id);
  if (!ep) throw new ApiError(404, "ENDPOINT_NOT_FOUND", `Endpoint ${id} could not be resolved`, [id]);
  const isOwner = ep.config.ownerId === user.id;
  if (!isOwner && (owner || !ep.config.public)) {
    throw new ApiError(403, "ENDPOINT_ACCESS_FORBIDDEN", `Unauthorized access to endpoint ${id}`, [id]);
  }
  return ep;
}

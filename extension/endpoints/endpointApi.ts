/** The endpoint routes of a compute service, when it has them (the cloud one does; the local one does not). */
import type { EndpointApi } from "../../core/endpoints/endpointDirectory";
import type { ComputeService } from "../../core/service/computeService";

export function endpointApiOf(service: ComputeService): EndpointApi {
  const api = service as Partial<EndpointApi> & ComputeService;
  if (typeof api.listEndpoints !== "function" || typeof api.getEndpointMetadata !== "function")
    throw new TypeError(`the ${service.kind} service does not list endpoints`);
  return api as EndpointApi;
}

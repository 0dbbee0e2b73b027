/**
 * The endpoint information routes' answers (protocol.md §3.10; shapes as globus-sdk's testing data for
 * `ComputeClientV2.get_endpoints` / `get_endpoint` / `get_endpoint_status`), read defensively: a field of
 * the wrong type is dropped rather than trusted, a body that is not the route's shape is an error.
 */
import { ComputeApiError } from "../protocol/apiError";
import type { EndpointStatus } from "../service/computeService";

/** One row of `GET /v2/endpoints?role=…`. */
export interface EndpointSummary {
  /** Lower case. */
  id: string;
  name: string;
  /** What people read; falls back to `name`. */
  displayName: string;
  /** Identity id of the owner, when the service says. */
  owner?: string;
}

/** `GET /v2/endpoints/{id}`: what the tooltip and the multi-user configuration need. */
export interface EndpointMetadata {
  id: string;
  name: string;
  displayName: string;
  multiUser: boolean;
  highAssurance: boolean;
  public: boolean;
  description?: string;
  hostname?: string;
  localUser?: string;
  ipAddress?: string;
  endpointVersion?: string;
  sdkVersion?: string;
  pythonVersion?: string;
  /** The site's Jinja YAML template for `user_endpoint_config` (multi-user endpoints). */
  userConfigTemplate?: string;
  /** JSON Schema (2020-12) of `user_endpoint_config`; absent when the site has none. */
  userConfigSchema?: Record<string, unknown>;
  subscriptionId?: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseEndpointList(body: unknown, where = "GET /v2/endpoints"): EndpointSummary[] {
  if (!Array.isArray(body)) throw malformed(where, "not a list");
  const out: EndpointSummary[] = [];
  for (const row of body) {
    if (!isRecord(row) || typeof row.uuid !== "string" || !UUID_RE.test(row.uuid)) continue;
    const name = str(row.name) ?? row.uuid;
    out.push({
      id: row.uuid.toLowerCase(),
      name,
      displayName: str(row.display_name) || name,
      ...(str(row.owner) ? { owner: str(row.owner) } : {}),
    });
  }
  return out;
}

export function parseEndpointMetadata(body: unknown, id: string): EndpointMetadata {
  const where = `GET /v2/endpoints/${id}`;
  if (!isRecord(body)) throw malformed(where, "not an object");
  const uuid = str(body.uuid);
  if (uuid !== undefined && uuid.toLowerCase() !== id.toLowerCase()) throw malformed(where, `it describes endpoint ${uuid}`);
  const name = str(body.name) ?? id;
  const schema = parseSchemaField(body.user_config_schema);
  const optional = {
    description: str(body.description),
    hostname: str(body.hostname),
    localUser: str(body.local_user),
    ipAddress: str(body.ip_address),
    endpointVersion: str(body.endpoint_version),
    sdkVersion: str(body.sdk_version),
    pythonVersion: str(body.python_version),
    userConfigTemplate: str(body.user_config_template),
    subscriptionId: str(body.subscription_uuid),
  };
  return {
    id: id.toLowerCase(),
    name,
    displayName: str(body.display_name) || name,
    multiUser: body.multi_user === true,
    highAssurance: body.high_assurance === true,
    public: body.public === true,
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined && v !== "")) as Partial<EndpointMetadata>),
    ...(schema ? { userConfigSchema: schema } : {}),
  };
}

export function parseEndpointStatus(body: unknown, id: string): EndpointStatus {
  if (!isRecord(body) || typeof body.status !== "string") throw malformed(`GET /v2/endpoints/${id}/status`, "no status");
  const details = isRecord(body.details) ? body.details : undefined;
  const counts: NonNullable<EndpointStatus["details"]> = {};
  for (const key of ["total_workers", "idle_workers", "pending_tasks", "outstanding_tasks", "managers"] as const) {
    const v = details?.[key];
    if (typeof v === "number" && Number.isFinite(v)) counts[key] = v;
  }
  return { status: body.status.toLowerCase(), ...(Object.keys(counts).length ? { details: counts } : {}) };
}

/** The schema arrives as an object, or (some deployments) as its JSON text. */
function parseSchemaField(v: unknown): Record<string, unknown> | undefined {
  if (isRecord(v)) return v;
  if (typeof v === "string" && v.trim().startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(v);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function malformed(where: string, what: string): ComputeApiError {
  return new ComputeApiError({
    httpStatus: 200,
    code: "MALFORMED_RESPONSE",
    detail: `${where} answered with an unexpected body: ${what}`,
    retryable: false,
  });
}

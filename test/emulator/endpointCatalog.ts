/**
 * A directory of endpoints as a real Globus Compute user sees it: one of their own, a colleague's
 * shared one, an offline one, a multi-user endpoint at an HPC site with its schema and template, one
 * without a schema (template only), a high-assurance one, and a colleague's private one (not visible).
 * Ids are fixed so tests and demos can name them.
 */
import type { EndpointSpec } from "./emulator";

export const CATALOG_IDS = {
  laptop: "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0001",
  shared: "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0002",
  offline: "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0003",
  mep: "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0004",
  mepTemplateOnly: "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0005",
  highAssurance: "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0006",
  hidden: "0b7d4bd1-8e6a-4b63-9e0c-2f0d5a1c0007",
} as const;

/** A site schema in the style of upstream's examples (account, partition, walltime, nodes). */
export const MEP_SCHEMA: Record<string, unknown> = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {
    account: { type: "string", minLength: 1, description: "The allocation to charge (sbank)." },
    partition: { type: "string", enum: ["debug", "compute", "gpu"], description: "The Slurm partition." },
    walltime: { type: "string", pattern: "^\\d{2}:\\d{2}:\\d{2}$", description: "HH:MM:SS per block." },
    nodes_per_block: { type: "integer", minimum: 1, maximum: 16, default: 1, description: "Nodes per block." },
    worker_init: { type: "string", description: "Shell commands run before workers start." },
  },
  required: ["account", "partition"],
  additionalProperties: false,
};

export const MEP_TEMPLATE = `endpoint_setup: {{ endpoint_setup|default() }}
engine:
  type: GlobusComputeEngine
  provider:
    type: SlurmProvider
    account: {{ account }}
    partition: {{ partition }}
    walltime: {{ walltime|default("00:30:00") }}
    nodes_per_block: {{ nodes_per_block|default(1) }}
    worker_init: {{ worker_init|default('') }}
idle_heartbeats_soft: 10
`;

const TEMPLATE_ONLY = `engine:
  type: GlobusComputeEngine
  provider:
    type: PBSProProvider
    account: {{ account }}
    queue: {{ queue|default("workq") }}
{% if scheduler_options %}
    scheduler_options: {{ scheduler_options }}
{% endif %}
    worker_init: {{ worker_init|default('') }}
`;

export function catalogEndpoints(): EndpointSpec[] {
  return [
    { id: CATALOG_IDS.laptop, name: "my-laptop", displayName: "My Laptop", workers: 2 },
    { id: CATALOG_IDS.shared, name: "group-cluster", displayName: "Group Cluster (shared)", shared: true, public: true, workers: 2 },
    { id: CATALOG_IDS.offline, name: "lab-workstation", displayName: "Lab Workstation", online: false, workers: 1 },
    {
      id: CATALOG_IDS.mep,
      name: "polaris-mep",
      displayName: "Polaris (multi-user)",
      multiUser: true,
      userConfigSchema: MEP_SCHEMA,
      userConfigTemplate: MEP_TEMPLATE,
      description: "Multi-user endpoint at an HPC site",
      workers: 2,
    },
    {
      id: CATALOG_IDS.mepTemplateOnly,
      name: "campus-pbs",
      displayName: "Campus PBS (template only)",
      multiUser: true,
      userConfigTemplate: TEMPLATE_ONLY,
      workers: 1,
      lazy: true,
    },
    { id: CATALOG_IDS.highAssurance, name: "secure-enclave", displayName: "Secure Enclave", highAssurance: true, workers: 1, lazy: true },
    { id: CATALOG_IDS.hidden, name: "private-box", displayName: "Someone's Private Box", shared: true, public: false, workers: 1, lazy: true },
  ];
}

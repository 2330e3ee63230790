/**
 * Synthesized Terraform JSON as the tests read and edit it: the kubernetes provider's blocks in snake_case, as
 * cdktf writes them (ports and quantities as strings, nested blocks as lists where the provider has lists).
 * Only the fields the tests touch are named; what the renderer writes for some objects only is optional.
 */
import { must } from './fixtures.js';

export interface Metadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  value_from?: unknown;
}

export interface Probe {
  http_get?: { path: string };
  tcp_socket?: { port: string }[];
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env: EnvVar[];
  env_from?: unknown[];
  port: unknown[];
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  liveness_probe?: Probe;
  readiness_probe?: Probe;
  startup_probe?: Probe;
  security_context: {
    allow_privilege_escalation?: boolean;
    read_only_root_filesystem?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
  };
  volume_mount: unknown[];
  restart_policy?: string;
}

export interface PodSpec {
  container: Container[];
  init_container?: Container[];
  volume?: unknown[];
  security_context?: Record<string, unknown>;
  automount_service_account_token?: boolean;
  topology_spread_constraint?: unknown[];
  affinity?: {
    node_affinity: {
      required_during_scheduling_ignored_during_execution: {
        node_selector_term: { match_expressions: { key: string; operator: string; values: string[] }[] }[];
      };
    };
  };
}

/** A Deployment or a StatefulSet. */
export interface Workload {
  metadata: Metadata;
  spec: { replicas?: string; service_name?: string; template: { spec: PodSpec } };
}

export interface CronJob {
  metadata: Metadata;
  spec: { schedule: string; suspend: boolean; job_template: { spec: { template: { spec: PodSpec } } } };
}

export interface KubeService {
  metadata: Metadata;
  spec: { selector: Record<string, string>; cluster_ip?: string; port: unknown[] };
}

export interface NetworkPolicyRule {
  from?: { namespace_selector?: unknown; pod_selector?: unknown }[];
  ports?: { port: string; protocol: string }[];
}

export interface NetworkPolicy {
  metadata: Metadata;
  spec: { pod_selector: unknown; policy_types: string[]; ingress?: NetworkPolicyRule[] };
}

export interface ConfigMap {
  metadata: Metadata;
  data: Record<string, string>;
}

export interface Secret {
  metadata: Metadata;
  type: string;
  data: Record<string, string>;
}

export interface Namespace {
  metadata: Metadata;
}

/** A `kubernetes_manifest`: the object it applies, as given. */
export interface Manifest {
  manifest: { apiVersion: string; kind: string; metadata: Metadata; spec?: unknown };
}

/** The shape of each resource type the tests read. */
export interface ResourceTypes {
  kubernetes_config_map_v1: ConfigMap;
  kubernetes_cron_job_v1: CronJob;
  kubernetes_deployment_v1: Workload;
  kubernetes_manifest: Manifest;
  kubernetes_namespace_v1: Namespace;
  kubernetes_network_policy_v1: NetworkPolicy;
  kubernetes_secret_v1: Secret;
  kubernetes_service_v1: KubeService;
  kubernetes_stateful_set_v1: Workload;
}

export type ResourceType = keyof ResourceTypes;

/** Terraform JSON as a stack renders it (`RenderedStack.config`), or as cdktf's `Testing.synthScope` writes it once parsed. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, unknown>>;
}

/**
 * The resources of `type` by their Terraform name, the very objects of `json` (edits reach it); none when it
 * has none of that type. JSON without a `resource` block fails the test.
 */
export function resourcesOf<T extends ResourceType>(json: TerraformJson, type: T): Record<string, ResourceTypes[T]> {
  return (must(json.resource, 'the resource block')[type] ?? {}) as Record<string, ResourceTypes[T]>;
}

import type { Environment, Replication, Service } from '@cios/platform-spec';
import type { DeploymentV1SpecTemplateSpec, DeploymentV1SpecTemplateSpecContainer as Container } from '../../k8s.js';

type PodSpec = DeploymentV1SpecTemplateSpec;
export type Volume = Extract<PodSpec['volume'], readonly unknown[]>[number];
export type InitContainer = Extract<PodSpec['initContainer'], readonly unknown[]>[number];
export type EnvVar = Extract<Container['env'], readonly unknown[]>[number];
export type VolumeMount = Extract<Container['volumeMount'], readonly unknown[]>[number];

/**
 * `primary`: one pod takes writes and the others follow it, so clients reach only that pod.
 * `peers`: every pod serves reads and writes (a consensus cluster), so clients may reach any.
 */
export type ReplicationMode = 'primary' | 'peers';

/** Where one store's pods are and which of them leads: what every engine's plan is built from. */
export interface ReplicationContext {
  readonly service: Service;
  readonly replication: Replication;
  readonly namespace: string;
  /** The governing (headless) Service: pods resolve as `<service>-<ordinal>.<headless>.<namespace>.svc`. */
  readonly headless: string;
  readonly replicas: number;
  readonly primaryOrdinal: number;
  /** The main container as podSpec renders it: init containers reuse its image, settings, security and mounts. */
  readonly main: Container;
}

/** What an engine adds to the StatefulSet's pods so its replicas follow the primary. */
export interface ReplicationPlan {
  readonly engine: Replication['engine'];
  readonly mode: ReplicationMode;
  /** Ports the store's own pods open to each other (the NetworkPolicy admits them between those pods only). */
  readonly peerPorts: readonly number[];
  /** Extra named ports of the main container and of the headless Service. */
  readonly extraPorts: readonly { readonly name: string; readonly port: number }[];
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: readonly EnvVar[];
  readonly volumeMounts: readonly VolumeMount[];
  readonly volumes: readonly Volume[];
  readonly initContainers: readonly InitContainer[];
  /** Files rendered into the ConfigMap `<service>-replication-config` (scripts, pg_hba.conf): never a secret. */
  readonly files: Readonly<Record<string, string>>;
}

export const REPLICATION_CONFIG_MAP_SUFFIX = '-replication-config';

/**
 * Shell for the engines' start-up scripts. They end up in Terraform JSON, where `${` and `%{` start
 * template expressions, so the scripts use neither (hence `sed` rather than `${VAR##*-}`).
 */
export const ORDINAL_FROM_POD_NAME = `ordinal=$(printf '%s' "$POD_NAME" | sed 's/.*-//')`;

export function podHost(context: Pick<ReplicationContext, 'service' | 'headless' | 'namespace'>, ordinal: number): string {
  return `${context.service.name}-${ordinal}.${context.headless}.${context.namespace}.svc`;
}

/** The environment variables every engine's scripts read: which pod this is and which one leads. */
export function identityEnv(context: ReplicationContext): EnvVar[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'PRIMARY_ORDINAL', value: String(context.primaryOrdinal) },
    { name: 'PRIMARY_HOST', value: podHost(context, context.primaryOrdinal) },
    { name: 'PEER_DOMAIN', value: `${context.headless}.${context.namespace}.svc` },
  ];
}

/**
 * The primary's ordinal in an environment: `replication.primaryOrdinal[<env name>]`, else `[<env kind>]`, else 0;
 * refused when the StatefulSet has no pod with that ordinal.
 */
export function primaryOrdinalIn(service: Service, replication: Replication, env: Environment, replicas: number): number {
  const byName = replication.primaryOrdinal[env.name];
  const key = byName !== undefined ? env.name : env.kind;
  const ordinal = replication.primaryOrdinal[key] ?? 0;
  if (ordinal >= replicas) {
    throw new Error(
      `services.${service.name}.replication.primaryOrdinal.${key}: ${ordinal} names no pod; ${service.name} runs ${replicas} replica${replicas === 1 ? '' : 's'} in ${env.name} (ordinals 0–${replicas - 1})`,
    );
  }
  return ordinal;
}

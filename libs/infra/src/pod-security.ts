import { nodeExporterNamespaceFor, type Environment } from '@cios/platform-spec';

/** Why the node exporter's namespace enforces Pod Security `privileged`. */
export const NODE_EXPORTER_PRIVILEGE_REASON =
  "kube-prometheus-stack's node exporter DaemonSet reads each node's metrics through hostNetwork, hostPID and " +
  'hostPath mounts of the root filesystem, which Pod Security baseline refuses. It alone runs in this namespace, ' +
  'which only the monitoring namespace may reach (port 9100), so the monitoring namespace itself stays at baseline.';

/**
 * The namespaces of `env` that may enforce Pod Security `privileged`, each with its reason. Policy rule
 * CIOS-PSA-001 refuses `privileged` on every other namespace: widening it means adding an entry here, in a
 * reviewed change with a reason, never a namespace-wide switch.
 */
export function privilegedNamespaces(env: Environment): ReadonlyMap<string, string> {
  return new Map([[nodeExporterNamespaceFor(env), NODE_EXPORTER_PRIVILEGE_REASON]]);
}

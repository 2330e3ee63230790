import { TerraformVariable } from './cdktf.js';
import type { Construct } from './cdktf.js';
import type { Cluster } from '@cios/platform-spec';
import { KubernetesProvider } from './k8s.js';

/**
 * The kubernetes provider for one cluster: kubeconfig path from a Terraform variable (set it with
 * TF_VAR_kubeconfig_path, like KUBECONFIG) and the cluster's context from the spec; no credentials.
 */
export function kubernetesProvider(scope: Construct, cluster: Cluster): KubernetesProvider {
  const path = new TerraformVariable(scope, 'kubeconfig_path', {
    type: 'string',
    default: '~/.kube/config',
    description: `kubeconfig holding the context "${cluster.context}" (like KUBECONFIG; set TF_VAR_kubeconfig_path)`,
  });
  path.overrideLogicalId('kubeconfig_path');
  return new KubernetesProvider(scope, 'kubernetes', {
    configPath: path.stringValue,
    configContext: cluster.context,
  });
}

import { App, type TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer.js';
import type { Environment, Platform, Release } from '@cios/platform-spec';
import { normalizeTerraform } from './normalize.js';
import { platformStack, servicesStack, standbyStack } from './stacks/cluster-stacks.js';

/** One stack's Terraform JSON, normalised (no cdktf metadata, sorted keys). */
export interface RenderedStack {
  readonly name: string;
  /** The cluster the stack's provider points at. */
  readonly cluster: string;
  readonly config: TerraformConfig;
}

/** The parts of Terraform JSON the policy and summaries read. */
export interface TerraformConfig {
  readonly terraform?: { readonly backend?: Record<string, Record<string, unknown>> };
  readonly provider?: Record<string, unknown>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface RenderOptions {
  readonly platform: Platform;
  readonly environment: Environment;
  readonly release?: Release;
}

/**
 * Stacks of one environment, in apply order: `platform` then `services` on the primary cluster,
 * and `standby-<cluster>` (namespaces and services together) for each secondary cluster.
 */
export function renderStacks(options: RenderOptions): RenderedStack[] {
  const { platform, environment, release } = options;
  // skipValidation: cdktf's validations only check provider version constraints we pin in package.json.
  const app = new App({ skipValidation: true, stackTraces: false, context: { excludeStackIdFromLogicalIds: 'true' } });
  const built: { name: string; cluster: string; stack: TerraformStack }[] = [];
  for (const cluster of environment.clusters) {
    const base = { platform, environment, cluster, ...(release ? { release } : {}) };
    if (cluster.role === 'primary') {
      built.push({ name: 'platform', cluster: cluster.name, stack: platformStack(app, { ...base, stackName: 'platform' }) });
      built.push({ name: 'services', cluster: cluster.name, stack: servicesStack(app, { ...base, stackName: 'services' }) });
    } else {
      const name = `standby-${cluster.name}`;
      built.push({ name, cluster: cluster.name, stack: standbyStack(app, { ...base, stackName: name }) });
    }
  }
  return built.map(({ name, cluster, stack }) => {
    invokeAspects(stack);
    return { name, cluster, config: normalizeTerraform(stack.toTerraform()) as TerraformConfig };
  });
}

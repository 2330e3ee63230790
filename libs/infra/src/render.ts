import { Construct, invokeAspects, withoutCreationStacks, type TerraformStack } from './cdktf.js';
import type { Environment, Platform, Release } from '@cios/platform-spec';
import { normalizeTerraform } from './normalize.js';
import { platformStack, servicesStack, standbyStack } from './stacks/cluster-stacks.js';

/** cdktf's context key (annotations.ts) that keeps stack traces out of construct metadata. */
const DISABLE_STACK_TRACE_IN_METADATA = '@cdktf/disable_stack_trace_in_metadata';

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

/** A stack built under `renderBuilt`'s root, with its name and the cluster its provider points at. */
export interface BuiltStack {
  readonly name: string;
  readonly cluster: string;
  readonly stack: TerraformStack;
}

/**
 * Builds stacks under one root and renders each to normalised Terraform JSON: the one path every stack
 * of this library takes, so all get the same metadata settings, aspects and normalisation.
 */
export function renderBuilt(build: (root: Construct) => BuiltStack[]): RenderedStack[] {
  return withoutCreationStacks(() => {
    // The root is a bare construct, not a cdktf App: an App creates `cdktf.out/stacks` in the working
    // directory even when nothing is written there, and its only other job here (App.synth, validations
    // of provider version constraints we pin in package.json) is unused: stacks render with toTerraform().
    const root = new Construct(undefined as unknown as Construct, '');
    root.node.setContext(DISABLE_STACK_TRACE_IN_METADATA, true);
    return build(root).map(({ name, cluster, stack }) => {
      invokeAspects(stack);
      return { name, cluster, config: normalizeTerraform(stack.toTerraform()) as TerraformConfig };
    });
  });
}

/**
 * Stacks of one environment, in apply order: `platform` then `services` on the primary cluster,
 * and `standby-<cluster>` (namespaces and services together) for each secondary cluster.
 */
export function renderStacks(options: RenderOptions): RenderedStack[] {
  const { platform, environment, release } = options;
  return renderBuilt((root) => {
    const built: BuiltStack[] = [];
    for (const cluster of environment.clusters) {
      const base = { platform, environment, cluster, ...(release ? { release } : {}) };
      if (cluster.role === 'primary') {
        built.push({ name: 'platform', cluster: cluster.name, stack: platformStack(root, { ...base, stackName: 'platform' }) });
        built.push({ name: 'services', cluster: cluster.name, stack: servicesStack(root, { ...base, stackName: 'services' }) });
      } else {
        const name = `standby-${cluster.name}`;
        built.push({ name, cluster: cluster.name, stack: standbyStack(root, { ...base, stackName: name }) });
      }
    }
    return built;
  });
}

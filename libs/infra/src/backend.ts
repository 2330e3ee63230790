import { TerraformBackend, TerraformRemoteState, type DataTerraformRemoteStateConfig } from './cdktf.js';
import type { Construct } from './cdktf.js';
import type { Environment } from '@cios/platform-spec';

/**
 * A Terraform backend block rendered from the environment spec. cdktf 0.21 has no kubernetes backend
 * and its S3 backend lacks `use_lockfile`, so one small class renders all three; every attribute is
 * spec data (no credentials: those come from the runner's environment, e.g. KUBE_CONFIG_PATH, AWS_PROFILE).
 */
export class SpecBackend extends TerraformBackend {
  constructor(
    scope: Construct,
    private readonly backendType: string,
    private readonly attributes: Readonly<Record<string, string | boolean>>,
  ) {
    super(scope, 'backend', backendType);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { ...this.attributes };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(this.attributes).map(([k, v]) => [k, { value: v, type: 'simple', storageClassType: typeof v }]),
    );
  }

  override getRemoteStateDataSource(scope: Construct, name: string, _fromStack: string): TerraformRemoteState {
    return new SpecRemoteState(scope, name, this.backendType, { ...this.attributes });
  }
}

class SpecRemoteState extends TerraformRemoteState {
  constructor(scope: Construct, id: string, backend: string, config: DataTerraformRemoteStateConfig & Record<string, unknown>) {
    super(scope, id, backend, config);
  }
}

/** Backend attributes for one stack: each stack keeps its own state (own key, secret or file). */
export function backendAttributes(env: Environment, stackName: string): { type: string; attributes: Record<string, string | boolean> } {
  const b = env.backend;
  switch (b.type) {
    case 'local':
      return { type: 'local', attributes: { path: b.path.replace(/(\.tfstate)?$/, `.${stackName}.tfstate`).replace(/^\/+/, '') } };
    case 'kubernetes':
      return {
        type: 'kubernetes',
        attributes: {
          secret_suffix: `${b.secretSuffix}-${stackName}`,
          namespace: b.namespace,
          ...(b.configContext ? { config_context: b.configContext } : {}),
        },
      };
    case 's3':
      return {
        type: 's3',
        attributes: {
          bucket: b.bucket,
          key: `${b.key.replace(/\/+$/, '')}/${stackName}.tfstate`,
          region: b.region,
          encrypt: b.encrypt,
          use_lockfile: b.useLockfile,
        },
      };
  }
}

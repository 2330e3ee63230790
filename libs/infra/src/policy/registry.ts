import type { PolicyRule } from './types.js';
import { backupsRule } from './rules/backups.js';
import { hpaRule } from './rules/hpa.js';
import { imageDigestRule } from './rules/image-digest.js';
import { imageTagRule } from './rules/image-tag.js';
import { imageUnreleasedRule } from './rules/image-unreleased.js';
import { namespacePodSecurityRule } from './rules/namespace-pod-security.js';
import { networkPolicyRule } from './rules/network-policy.js';
import { pdbRule } from './rules/pdb.js';
import { podSecurityRule } from './rules/pod-security.js';
import { probesRule } from './rules/probes.js';
import { regionRule } from './rules/region.js';
import { replicasRule } from './rules/replicas.js';
import { replicationRule } from './rules/replication.js';
import { resourcesRule } from './rules/resources.js';
import { secretDataRule } from './rules/secret-data.js';
import { secretsRule } from './rules/secrets.js';
import { serviceAccountTokenRule } from './rules/service-account-token.js';
import { zoneSpreadRule } from './rules/zone-spread.js';

/** Every rule the synth runs. Adding a rule: one file in rules/ and one line here. */
export const POLICY_RULES: readonly PolicyRule[] = [
  podSecurityRule,
  namespacePodSecurityRule,
  resourcesRule,
  probesRule,
  serviceAccountTokenRule,
  imageTagRule,
  imageUnreleasedRule,
  imageDigestRule,
  pdbRule,
  hpaRule,
  replicasRule,
  zoneSpreadRule,
  networkPolicyRule,
  secretsRule,
  secretDataRule,
  regionRule,
  backupsRule,
  replicationRule,
];

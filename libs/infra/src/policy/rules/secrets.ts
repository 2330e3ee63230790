import { SECRET_NAME_PATTERN, credentialShapeOf } from '@cios/platform-spec';
import { block, blocks, stringRecord, violationAt, type K8sObject } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

function looksSecret(name: string, value: string): string | undefined {
  if (SECRET_NAME_PATTERN.test(name) && value.length > 0) return `${name} holds a value but its name says it is a secret`;
  const shape = credentialShapeOf(value);
  return shape === undefined ? undefined : `${name} holds what looks like ${shape}`;
}

export const secretsRule: PolicyRule = {
  id: 'CIOS-SEC-001',
  title: 'No secret values in environment variables or ConfigMaps',
  severity: 'error',
  reason: 'Terraform JSON, state and ConfigMaps are readable by many; a secret written there is leaked. Secrets come by reference (secretKeyRef) only.',
  fix: 'Move the value into a Kubernetes Secret managed outside this repository and reference it in config.secrets (or backup.secrets).',
  check({ model }) {
    const out: RuleViolation[] = [];
    const report = (o: K8sObject, problem: string | undefined) => {
      if (problem) out.push(violationAt(o, problem));
    };
    for (const w of model.workloads) {
      for (const c of w.containers) {
        for (const env of blocks(c['env'])) {
          if (typeof env['value'] === 'string') report(w, looksSecret(String(env['name']), env['value']));
        }
      }
    }
    for (const cm of model.byKind('ConfigMap')) {
      for (const [key, value] of Object.entries(stringRecord(block(cm.body)?.['data']))) report(cm, looksSecret(key, value));
    }
    return out;
  },
};

import { SECRET_NAME_PATTERN } from '@cios/platform-spec';
import { block, blocks, stringRecord, violationAt, type K8sObject } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

/** Values that are credentials whatever their name: URLs with a password, private keys, well-known token shapes. */
const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s]+@/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bAKIA[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{36}\b/,
  /\bsk-[A-Za-z0-9]{20,}\b/,
  /\bxox[abp]-[A-Za-z0-9-]{10,}/,
];

function looksSecret(name: string, value: string): string | undefined {
  if (SECRET_NAME_PATTERN.test(name) && value.length > 0) return `${name} holds a value but its name says it is a secret`;
  if (SECRET_VALUE_PATTERNS.some((p) => p.test(value))) return `${name} holds what looks like a credential`;
  return undefined;
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

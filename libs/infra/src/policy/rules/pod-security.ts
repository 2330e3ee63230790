import { block, blocks, violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

/** The restricted Pod Security Standard, checked before the API server's admission would refuse the pod. */
export const podSecurityRule: PolicyRule = {
  id: 'CIOS-K8S-001',
  title: 'Pods meet the restricted Pod Security Standard',
  severity: 'error',
  reason: 'Namespaces enforce PSA "restricted"; a pod that breaks it is refused at deploy time, and privileges widen a breach.',
  fix: 'Run as a non-root UID ≥ 1000, set allowPrivilegeEscalation false, drop ALL capabilities, seccomp RuntimeDefault, a read-only root filesystem, and no host namespaces or hostPath.',
  check({ model }) {
    const out: RuleViolation[] = [];
    for (const w of model.workloads) {
      const pod = w.podSpec;
      const problems: string[] = [];
      for (const key of ['host_network', 'host_pid', 'host_ipc']) if (pod[key] === true) problems.push(`${key} is true`);
      if (blocks(pod['volume']).some((v) => v['host_path'] !== undefined)) problems.push('mounts a hostPath volume');
      const podSec = block(pod['security_context']) ?? {};
      for (const c of w.containers) {
        const sec = block(c['security_context']) ?? {};
        const name = String(c['name']);
        const nonRoot = sec['run_as_non_root'] ?? podSec['run_as_non_root'];
        const user = Number(sec['run_as_user'] ?? podSec['run_as_user'] ?? NaN);
        const seccomp = block(sec['seccomp_profile'])?.['type'] ?? block(podSec['seccomp_profile'])?.['type'];
        const drop = (block(sec['capabilities'])?.['drop'] as unknown[] | undefined) ?? [];
        const add = (block(sec['capabilities'])?.['add'] as unknown[] | undefined) ?? [];
        if (nonRoot !== true) problems.push(`container ${name}: runAsNonRoot is not true`);
        if (!(user >= 1000)) problems.push(`container ${name}: runAsUser must be a UID ≥ 1000`);
        if (sec['allow_privilege_escalation'] !== false) problems.push(`container ${name}: allowPrivilegeEscalation is not false`);
        if (sec['privileged'] === true) problems.push(`container ${name}: privileged`);
        if (!drop.includes('ALL')) problems.push(`container ${name}: capabilities do not drop ALL`);
        if (add.length > 0) problems.push(`container ${name}: adds capabilities ${add.join(', ')}`);
        if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`container ${name}: seccomp profile is not RuntimeDefault`);
        if (sec['read_only_root_filesystem'] !== true) problems.push(`container ${name}: root filesystem is writable`);
      }
      if (problems.length > 0) out.push(violationAt(w, problems.join('; ')));
    }
    return out;
  },
};

import { describe, expect, it } from 'vitest';
import { rollbackTargetGate } from './gates.js';
import type { KbDeployment, KbView } from './kb-view.js';

function deployment(id: string, release: string, fields: Partial<KbDeployment> & Record<string, unknown> = {}): KbDeployment {
  return { id, environment: 'dev', release_id: release, deployed_by: 'DevOps Agent', status: 'succeeded', started_at: '2026-01-01T00:00:00Z', ...fields };
}

describe('rollbackTargetGate', () => {
  it('returns to the last release that succeeded and stayed healthy, not one whose analysis failed in shadow mode', () => {
    const kb: KbView = {
      deployments: [
        deployment('D1', 'r1', { analysis: { verdict: 'pass' } }),
        deployment('D2', 'r2', { analysis: { verdict: 'inconclusive' } }),
        deployment('D3', 'r3', { analysis: { verdict: 'fail' }, analysis_mode: 'shadow' }),
      ],
    };
    const gate = rollbackTargetGate(kb, 'dev', () => true, false);
    expect(gate).toMatchObject({ status: 'passed', target: { deploymentId: 'D2', releaseId: 'r2' } });
  });

  it('refuses when the only succeeded deploys failed their analysis', () => {
    const kb: KbView = { deployments: [deployment('D1', 'r1', { analysis: { verdict: 'fail' } })] };
    const gate = rollbackTargetGate(kb, 'dev', () => true, false);
    expect(gate.status).toBe('failed');
    expect(gate.details).toContain('succeeded and stayed healthy');
  });
});

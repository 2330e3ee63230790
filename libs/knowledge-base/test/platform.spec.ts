import { describe, expect, it } from 'vitest';
import {
  approve,
  countJunitXml,
  countTestReport,
  DEFAULT_APPROVAL_POLICY,
  findValidApproval,
  KbError,
  latestDeployment,
  loadKb,
  logInfrastructureChange,
  problemsOf,
  recordDeployment,
  recordTestRun,
  requestApproval,
  updateDeployment,
  type KnowledgeBase,
} from '../src/index.js';
import { FIXTURE } from './helpers.js';

const fresh = (): KnowledgeBase => loadKb(FIXTURE).kb;
const T0 = '2025-11-21T10:00:00.000Z';
const T1 = '2025-11-21T10:05:00.000Z';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KbError);
    return (error as KbError).message;
  }
  throw new Error('expected a refusal');
}

describe('deployments', () => {
  it('record, update, metrics.last_deployment and status transitions', () => {
    const kb = fresh();
    const d = recordDeployment(kb, { environment: 'staging', release_id: 'rel-1', deployed_by: 'DevOps Agent', commit: 'abc123', plan_summary: '2 services', gates: [{ name: 'tests', status: 'passed' }] }, T0);
    expect(d).toMatchObject({ id: 'DEPLOY_001', status: 'in_progress', finished_at: null });
    expect(kb.metrics?.last_deployment).toMatchObject({ id: 'DEPLOY_001', status: 'in_progress', environment: 'staging' });
    updateDeployment(kb, 'DEPLOY_001', { status: 'succeeded', gates: [{ name: 'smoke', status: 'passed' }], timings: { apply: 3000 }, evidence_ref: 'ci://run/1' }, T1);
    expect(kb.deployments?.[0]).toMatchObject({ status: 'succeeded', finished_at: T1, duration_ms: 300_000, evidence_ref: 'ci://run/1' });
    expect(kb.deployments?.[0]?.gates?.map((g) => g.name)).toEqual(['tests', 'smoke']);
    expect(kb.metrics?.last_deployment).toMatchObject({ id: 'DEPLOY_001', status: 'succeeded', finished_at: T1 });
    expect(refusal(() => updateDeployment(kb, 'DEPLOY_001', { status: 'in_progress' }, T1))).toMatch(/succeeded; it cannot become in_progress/);
    updateDeployment(kb, 'DEPLOY_001', { status: 'rolled_back', rollback_ref: 'DEPLOY_000' }, T1);
    expect(latestDeployment(kb, 'staging')?.status).toBe('rolled_back');
    expect(problemsOf(kb)).toEqual([]);
    // other metrics untouched
    expect(kb.metrics?.['code_coverage']).toBe(70);
  });
});

describe('approvals', () => {
  it('the requester cannot approve; prod only by the Product Manager/CTO Agent; hashes are bound', () => {
    const kb = fresh();
    const a = requestApproval(kb, { environment: 'prod', release_id: 'rel-1', requested_by: 'DevOps Agent', plan_hash: 'p1' }, T0);
    expect(a).toMatchObject({ id: 'APPROVAL_001', status: 'pending' });
    expect(refusal(() => approve(kb, { id: a.id, approved_by: 'DevOps Agent' }, T1))).toMatch(/cannot approve/);
    expect(refusal(() => approve(kb, { id: a.id, approved_by: 'QA Agent' }, T1))).toMatch(/only Product Manager\/CTO Agent may approve prod/);
    expect(refusal(() => approve(kb, { id: a.id, approved_by: 'Product Manager/CTO Agent', plan_hash: 'other' }, T1))).toMatch(/does not match/);
    approve(kb, { id: a.id, approved_by: 'Product Manager/CTO Agent', plan_hash: 'p1', release_hash: 'r1' }, T1);
    expect(findValidApproval(kb, { environment: 'prod', release_id: 'rel-1', plan_hash: 'p1', release_hash: 'r1' })?.id).toBe('APPROVAL_001');
    expect(findValidApproval(kb, { environment: 'prod', release_id: 'rel-1', plan_hash: 'p2', release_hash: 'r1' })).toBeUndefined();
    // the approver rule is a parameter
    const b = requestApproval(kb, { environment: 'prod', release_id: 'rel-2', requested_by: 'DevOps Agent' }, T0);
    approve(kb, { id: b.id, approved_by: 'QA Agent' }, T1, { ...DEFAULT_APPROVAL_POLICY, restrictedApprovers: ['QA Agent'] });
    // staging: anyone but the requester
    const c = requestApproval(kb, { environment: 'staging', release_id: 'rel-2', requested_by: 'DevOps Agent' }, T0);
    expect(approve(kb, { id: c.id, approved_by: 'QA Agent' }, T1).status).toBe('approved');
    expect(problemsOf(kb)).toEqual([]);
  });
});

describe('infrastructure changes and test results', () => {
  it('logs an infrastructure change', () => {
    const kb = fresh();
    const c = logInfrastructureChange(kb, { by: 'DevOps Agent', what: 'new VPC', why: 'isolation', files: ['infra/vpc.ts'], stacks: ['network-staging'] }, T0);
    expect(c).toMatchObject({ id: 'INFRA_001', by: 'DevOps Agent', files: ['infra/vpc.ts'], stacks: ['network-staging'] });
    expect(problemsOf(kb)).toEqual([]);
  });

  it('records test runs into the existing test_results shape', () => {
    const kb = fresh();
    recordTestRun(kb, { commit: 'abc', passed: 10, failed: 1, skipped: 2, source: 'vitest-json:report.json' }, T0);
    expect(kb.test_results).toMatchObject({ last_run: T0, total_tests: 13, passing_tests: 10, failing_tests: 1, skipped_tests: 2, last_commit: 'abc', overall_coverage: 70 });
    expect(kb.test_results?.recent_runs?.length).toBe(2);
    expect(problemsOf(kb)).toEqual([]);
  });

  it('counts Vitest JSON and JUnit XML reports', () => {
    expect(countTestReport(JSON.stringify({ numTotalTests: 5, numPassedTests: 3, numFailedTests: 1, numPendingTests: 1, numTodoTests: 0 }))).toMatchObject({ passed: 3, failed: 1, skipped: 1 });
    const xml = `<?xml version="1.0"?><testsuites><testsuite name="a" tests="4">
      <testcase name="ok"/><testcase name="ok2"></testcase>
      <testcase name="bad"><failure message="x">boom</failure></testcase>
      <testcase name="skip"><skipped/></testcase></testsuite></testsuites>`;
    expect(countJunitXml(xml)).toMatchObject({ passed: 2, failed: 1, skipped: 1 });
    expect(() => countTestReport('hello')).toThrow(/neither a Vitest JSON report nor JUnit XML/);
  });
});

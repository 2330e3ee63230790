import { describe, expect, it } from 'vitest';
import { Environment, Service } from '@cios/platform-spec';
import { type Check, checksFor, combine, evaluateCheck, finalVerdict, initialRoundState, nextRoundState, worstCaseRollbackSeconds } from './analysis.js';

const envInput = {
  name: 'dev',
  kind: 'dev',
  clusters: [{ name: 'c', context: 'ctx', region: 'canadacentral' }],
  requiresApproval: false,
  prometheusUrl: 'http://127.0.0.1:9090',
  analysis: { intervalSeconds: 10, bakeSeconds: 60, failuresAllowed: 1, minRequests: 20 },
};
const env = Environment.parse(envInput);
const service = Service.parse({
  name: 'case-service',
  tier: 'core',
  image: 'ghcr.io/cios/case-service',
  port: 8080,
  replicas: { dev: 1 },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  health: { liveness: '/healthz', readiness: '/readyz' },
  dataClassification: 'confidential',
  slos: [
    { name: 'availability', sli: 'availability', objective: 99.5 },
    { name: 'latency', sli: 'latency', objective: 99, thresholdMs: 300 },
  ],
});

describe('checksFor', () => {
  const checks = checksFor(env, [service]);
  const byName = (n: string): Check => checks.find((c) => c.name === n) as Check;

  it('derives thresholds from the SLOs and the namespace from the tier', () => {
    expect(checks.map((c) => c.name)).toEqual([
      'availability:case-service',
      'error_ratio:case-service',
      'burn_rate:case-service:availability',
      'burn_rate:case-service:latency',
    ]);
    expect(byName('error_ratio:case-service').threshold).toBeCloseTo(0.005);
    expect(byName('error_ratio:case-service').query).toContain('namespace="dev-core"');
    expect(byName('burn_rate:case-service:latency').query).toContain('le="0.3"');
    expect(byName('error_ratio:case-service').window).toBe('20s');
  });

  it('waits on idle services and fails dead ones', () => {
    expect(evaluateCheck(byName('error_ratio:case-service'), { value: null, requests: 0 }).verdict).toBe('inconclusive');
    expect(evaluateCheck(byName('error_ratio:case-service'), { value: 0.5, requests: 5 }).verdict).toBe('inconclusive');
    expect(evaluateCheck(byName('error_ratio:case-service'), { value: null, requests: null }).verdict).toBe('inconclusive');
    expect(evaluateCheck(byName('availability:case-service'), { value: null, requests: null }).verdict).toBe('fail');
    expect(evaluateCheck(byName('availability:case-service'), { value: 0, requests: null }).verdict).toBe('fail');
    expect(evaluateCheck(byName('availability:case-service'), { value: 1, requests: null }).verdict).toBe('pass');
  });

  it('judges values against thresholds once traffic suffices', () => {
    const c = byName('error_ratio:case-service');
    expect(evaluateCheck(c, { value: 0.001, requests: 100 }).verdict).toBe('pass');
    const bad = evaluateCheck(c, { value: 0.2, requests: 100 });
    expect(bad.verdict).toBe('fail');
    expect(bad.reason).toContain('0.2 not ≤ 0.005');
  });

  it('judges a query error as no data, by the check\'s no-data policy', () => {
    const down = { value: null, requests: null, error: 'Prometheus at http://127.0.0.1:9 unreachable' };
    const availability = evaluateCheck(byName('availability:case-service'), down);
    expect(availability.verdict).toBe('fail');
    expect(availability.reason).toContain('query failed, judged as no data (on no data: fail): Prometheus at http://127.0.0.1:9 unreachable');
    expect(evaluateCheck(byName('error_ratio:case-service'), down).verdict).toBe('inconclusive');
  });

  it('lets the environment choose what absence means', () => {
    const strict = checksFor(env, [service], { onLowTraffic: { error_ratio: 'fail' } });
    const c = strict.find((x) => x.name === 'error_ratio:case-service') as Check;
    expect(evaluateCheck(c, { value: 0, requests: 1 }).verdict).toBe('fail');
  });
});

describe('checksFor with the environment\'s analysis.checks', () => {
  const withChecks = (checks: unknown): Environment => Environment.parse({ ...envInput, analysis: { ...envInput.analysis, checks } });
  const find = (checks: readonly Check[], n: string): Check => checks.find((c) => c.name === n) as Check;

  it('defaults to the behaviour from before the checks were configurable', () => {
    const checks = checksFor(env, [service]);
    expect(find(checks, 'availability:case-service')).toMatchObject({ threshold: 1, minRequests: 0, onNoData: 'fail' });
    expect(find(checks, 'availability:case-service').requestsQuery).toBeUndefined();
    expect(find(checks, 'burn_rate:case-service:latency')).toMatchObject({ threshold: 14.4, minRequests: 20, onNoData: 'wait', onLowTraffic: 'wait' });
    expect(find(checks, 'error_ratio:case-service').basis).toBe('error budget of SLO availability (99.5%); no data: wait; below 20 requests: wait (analysis.checks.error_ratio)');
  });

  it('a configured burn-rate threshold changes the verdict', () => {
    const burn = { value: 6, requests: 100 };
    expect(evaluateCheck(find(checksFor(env, [service]), 'burn_rate:case-service:availability'), burn).verdict).toBe('pass');
    const strict = find(checksFor(withChecks({ burn_rate: { threshold: 2 } }), [service]), 'burn_rate:case-service:availability');
    expect(strict.threshold).toBe(2);
    expect(strict.basis).toContain('burn-rate threshold 2 (analysis.checks.burn_rate.threshold)');
    expect(evaluateCheck(strict, burn)).toEqual({ verdict: 'fail', reason: 'burn_rate 6 not ≤ 2' });
  });

  it('a configured error-ratio threshold replaces the SLO budget', () => {
    const c = find(checksFor(withChecks({ error_ratio: { threshold: 0.05 } }), [service]), 'error_ratio:case-service');
    expect(c.threshold).toBe(0.05);
    expect(c.basis).toMatch(/^analysis\.checks\.error_ratio\.threshold 0\.05;/);
    expect(evaluateCheck(c, { value: 0.02, requests: 100 }).verdict).toBe('pass');
    expect(evaluateCheck(find(checksFor(env, [service]), 'error_ratio:case-service'), { value: 0.02, requests: 100 }).verdict).toBe('fail');
  });

  it('a configured availability threshold tolerates some targets down', () => {
    const halfUp = { value: 0.5, requests: null };
    expect(evaluateCheck(find(checksFor(env, [service]), 'availability:case-service'), halfUp).verdict).toBe('fail');
    const c = find(checksFor(withChecks({ availability: { threshold: 0.5 } }), [service]), 'availability:case-service');
    expect(c.query).toBe('avg(up{service="case-service",namespace="dev-core"})');
    expect(c.basis).toContain('at least 50% of the scrape targets');
    expect(evaluateCheck(c, halfUp).verdict).toBe('pass');
  });

  it('takes the no-data and low-traffic policy and the request guard per check', () => {
    const checks = checksFor(withChecks({ error_ratio: { onNoData: 'fail', onLowTraffic: 'pass', minRequests: 500 }, availability: { minRequests: 10, onLowTraffic: 'wait' } }), [service]);
    const ratio = find(checks, 'error_ratio:case-service');
    expect(ratio.minRequests).toBe(500);
    expect(evaluateCheck(ratio, { value: 0.9, requests: 499 })).toEqual({ verdict: 'pass', reason: '499 requests in 20s, fewer than the 500 needed (on low traffic: pass)' });
    expect(evaluateCheck(ratio, { value: null, requests: null }).verdict).toBe('fail');
    // The burn-rate checks keep the environment-wide guard.
    expect(find(checks, 'burn_rate:case-service:latency').minRequests).toBe(20);
    const up = find(checks, 'availability:case-service');
    expect(up.requestsQuery).toContain('http_requests_total');
    expect(evaluateCheck(up, { value: 0, requests: 3 }).verdict).toBe('inconclusive');
  });

  it('code overrides still win over the environment', () => {
    const c = find(checksFor(withChecks({ error_ratio: { onLowTraffic: 'pass' } }), [service], { onLowTraffic: { error_ratio: 'fail' } }), 'error_ratio:case-service');
    expect(evaluateCheck(c, { value: 0, requests: 1 }).verdict).toBe('fail');
  });
});

describe('rounds', () => {
  it('rolls back once failures exceed the allowance', () => {
    const policy = env.analysis;
    let s = initialRoundState;
    let r = nextRoundState(s, 'fail', policy);
    expect(r.rollback).toBe(false);
    s = r.state;
    r = nextRoundState(s, 'inconclusive', policy);
    expect(r.rollback).toBe(false);
    r = nextRoundState(r.state, 'fail', policy);
    expect(r.rollback).toBe(true);
  });

  it('a pass resets the streak; all-inconclusive stays inconclusive', () => {
    const policy = env.analysis;
    let r = nextRoundState(initialRoundState, 'fail', policy);
    r = nextRoundState(r.state, 'pass', policy);
    r = nextRoundState(r.state, 'fail', policy);
    expect(r.rollback).toBe(false);
    let idle = initialRoundState;
    for (let i = 0; i < 3; i++) idle = nextRoundState(idle, 'inconclusive', policy).state;
    expect(finalVerdict(idle)).toBe('inconclusive');
    expect(combine(['pass', 'inconclusive'])).toBe('inconclusive');
    expect(combine(['pass', 'fail'])).toBe('fail');
    expect(combine(['pass', 'pass'])).toBe('pass');
  });

  it('states the worst case from breach to rollback', () => {
    expect(worstCaseRollbackSeconds(env.analysis, 45)).toBe(10 * 2 + 45);
  });
});

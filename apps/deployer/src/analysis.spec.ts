import { describe, expect, it } from 'vitest';
import { Environment, Service } from '@cios/platform-spec';
import { type Check, checksFor, combine, evaluateCheck, finalVerdict, initialRoundState, nextRoundState, worstCaseRollbackSeconds } from './analysis.js';

const env = Environment.parse({
  name: 'dev',
  kind: 'dev',
  clusters: [{ name: 'c', context: 'ctx', region: 'canadacentral' }],
  requiresApproval: false,
  prometheusUrl: 'http://127.0.0.1:9090',
  analysis: { intervalSeconds: 10, bakeSeconds: 60, failuresAllowed: 1, minRequests: 20 },
});
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

  it('never passes or fails on a query error', () => {
    expect(evaluateCheck(byName('availability:case-service'), { value: null, requests: null, error: 'down' }).verdict).toBe('inconclusive');
  });

  it('lets the environment choose what absence means', () => {
    const strict = checksFor(env, [service], { onLowTraffic: { error_ratio: 'fail' } });
    const c = strict.find((x) => x.name === 'error_ratio:case-service') as Check;
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

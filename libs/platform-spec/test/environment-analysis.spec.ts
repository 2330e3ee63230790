import { describe, expect, it } from 'vitest';
import { Environment, FAST_BURN_RATE, SpecError, parseSpec, type EnvironmentInput } from '../src/index.js';

const env: EnvironmentInput = {
  name: 'dev',
  kind: 'dev',
  clusters: [{ name: 'dev-toronto', context: 'dev', region: 'canadacentral' }],
  requiresApproval: false,
  prometheusUrl: 'http://127.0.0.1:9090',
};

function problems(analysis: unknown): string[] {
  try {
    parseSpec(Environment, { ...env, analysis }, 'environments.json');
  } catch (error) {
    if (error instanceof SpecError) {
      expect(error.message).toMatch(/^environments\.json is invalid:/);
      return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('environment analysis.checks', () => {
  it('defaults to the deployer behaviour from before the checks were configurable', () => {
    const parsed = parseSpec(Environment, env, 'x');
    expect(parsed.analysis).toEqual({
      intervalSeconds: 60,
      bakeSeconds: 600,
      failuresAllowed: 1,
      minRequests: 100,
      checks: {
        availability: { threshold: 1, onNoData: 'fail', onLowTraffic: 'fail', minRequests: 0 },
        error_ratio: { onNoData: 'wait', onLowTraffic: 'wait' },
        burn_rate: { threshold: FAST_BURN_RATE, onNoData: 'wait', onLowTraffic: 'wait' },
      },
    });
    // A partial analysis section keeps the check defaults too.
    expect(parseSpec(Environment, { ...env, analysis: { minRequests: 5 } }, 'x').analysis.checks.burn_rate.threshold).toBe(14.4);
  });

  it('accepts per-check thresholds, absence policies and request guards', () => {
    const parsed = parseSpec(
      Environment,
      { ...env, analysis: { checks: { availability: { threshold: 0.5 }, error_ratio: { threshold: 0.02, onNoData: 'fail', minRequests: 10 }, burn_rate: { threshold: 6, onLowTraffic: 'pass' } } } },
      'x',
    );
    expect(parsed.analysis.checks).toEqual({
      availability: { threshold: 0.5, onNoData: 'fail', onLowTraffic: 'fail', minRequests: 0 },
      error_ratio: { threshold: 0.02, onNoData: 'fail', onLowTraffic: 'wait', minRequests: 10 },
      burn_rate: { threshold: 6, onNoData: 'wait', onLowTraffic: 'pass' },
    });
  });

  it('rejects an availability threshold outside (0, 1]', () => {
    const message = 'availability threshold is the fraction of scrape targets up: it must be in (0, 1]';
    expect(problems({ checks: { availability: { threshold: 1.5 } } })).toEqual([`analysis.checks.availability.threshold: ${message}`]);
    expect(problems({ checks: { availability: { threshold: 0 } } })).toEqual([`analysis.checks.availability.threshold: ${message}`]);
  });

  it('rejects a burn-rate threshold of 0 or below and an error ratio outside (0, 1)', () => {
    expect(problems({ checks: { burn_rate: { threshold: 0 } } })).toEqual(['analysis.checks.burn_rate.threshold: burn_rate threshold must be above 0 (14.4 is the fast burn that pages)']);
    expect(problems({ checks: { burn_rate: { threshold: -1 } } })).toHaveLength(1);
    expect(problems({ checks: { error_ratio: { threshold: 1 } } })).toEqual(['analysis.checks.error_ratio.threshold: error_ratio threshold is a ratio of failed requests: it must be in (0, 1)']);
  });

  it('rejects an unknown absence policy, a bad request guard and unknown keys, naming each field', () => {
    expect(problems({ checks: { error_ratio: { onNoData: 'skip' }, burn_rate: { onLowTraffic: 'ignore' } } })).toEqual([
      'analysis.checks.error_ratio.onNoData: must be "fail", "wait" or "pass", got "skip"',
      'analysis.checks.burn_rate.onLowTraffic: must be "fail", "wait" or "pass", got "ignore"',
    ]);
    expect(problems({ checks: { availability: { minRequests: -1 } } })).toEqual(['analysis.checks.availability.minRequests: minRequests must be a whole number ≥ 0']);
    expect(problems({ checks: { latency: {} } })[0]).toMatch(/^analysis\.checks: Unrecognized key: "latency"/);
    expect(problems({ checks: { burn_rate: { threshold: '14.4' } } })).toEqual(['analysis.checks.burn_rate.threshold: burn_rate threshold must be a number']);
  });
});

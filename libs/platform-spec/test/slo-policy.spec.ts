import { describe, expect, it } from 'vitest';
import { DEFAULT_BURN_TIERS, Platform, SpecError, parseSpec, type PlatformInput } from '../src/index.js';

const base: PlatformInput = {
  services: [],
  environments: [{ name: 'dev', kind: 'dev', clusters: [{ name: 'dev-1', context: 'cios-dev', region: 'canadacentral' }], requiresApproval: false, prometheusUrl: 'http://127.0.0.1:9090' }],
};

function refusal(input: PlatformInput): string {
  try {
    parseSpec(Platform, input, 'platform.json');
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message;
  }
  throw new Error('expected a SpecError');
}

describe('the platform SLO policy', () => {
  it('is optional: left out, the generator applies the SloPolicy defaults', () => {
    expect(parseSpec(Platform, base, 'platform.json').sloPolicy).toBeUndefined();
  });

  it('fills what it leaves out with the defaults', () => {
    const platform = parseSpec(Platform, { ...base, sloPolicy: { period: '28d', minRequests: 20 } }, 'platform.json');
    expect(platform.sloPolicy).toMatchObject({ period: '28d', minRequests: 20, alertOnAbsent: false, scrapeInterval: '30s' });
    expect(platform.sloPolicy?.tiers).toEqual(DEFAULT_BURN_TIERS);
  });

  it('is refused with the JSON path of the bad field', () => {
    const tier = { name: 'fast', factor: 0, longWindow: '1h', shortWindow: '5m', severity: 'page' as const };
    const tiers = [tier];
    expect(refusal({ ...base, sloPolicy: { tiers } })).toContain('sloPolicy.tiers[0].factor: must be above 0');
    expect(refusal({ ...base, sloPolicy: { period: '1d' } })).toContain('sloPolicy.tiers[3].longWindow: must not be longer than the SLO period 1d');
    expect(refusal({ ...base, sloPolicy: { period: 'a month' } })).toContain('sloPolicy.period: must be a Prometheus duration');
    expect(refusal({ ...base, sloPolicy: { tiers: 'fast' as never } })).toMatch(/sloPolicy\.tiers: Invalid input: expected array/);
    expect(refusal({ ...base, sloPolicy: { tiers: [null as never] } })).toMatch(/sloPolicy\.tiers\[0\]: Invalid input: expected object/);
    expect(refusal({ ...base, sloPolicy: { tiers: [{ ...tier, factor: 1, shortWindow: '5 min' }] } })).toContain(
      'sloPolicy.tiers[0].shortWindow: must be a Prometheus duration',
    );
  });
});

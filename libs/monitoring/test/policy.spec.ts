import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { platform as catalog } from '@cios/catalog';
import type { SloPolicyInput } from '@cios/platform-spec';
import { LAYOUT, effectivePolicy, generateMonitoring, resolveModel, runTool, writeFilesAtomically } from '../src/index.js';
import { api, smallPlatform, specErrorMessage } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'cios-monitoring-policy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const availabilityRules = LAYOUT.rules('case-service.slo-availability');

function testNames(files: Record<string, string>): string[] {
  return Object.keys(files)
    .filter((p) => p.startsWith('prometheus/tests/case-service.availability.'))
    .map((p) => p.replace('prometheus/tests/case-service.availability.', '').replace('.test.yml', ''))
    .sort();
}

const refusal = specErrorMessage;

const oneTier: SloPolicyInput = {
  period: '28d',
  tiers: [{ name: 'fast', factor: 10, longWindow: '2h', shortWindow: '10m', severity: 'page', for: '5m' }],
};

describe('the SLO policy comes from the platform spec', () => {
  it('sets the period and the tiers of the generated rules and tests', () => {
    const defaults = generateMonitoring({ platform: smallPlatform(), environment: 'prod', format: 'files' }).files;
    expect(defaults[availabilityRules]).toContain('[30d]');
    expect(defaults[availabilityRules]).toContain('alert: SloBurnRatePageFast');

    const files = generateMonitoring({ platform: smallPlatform(undefined, oneTier), environment: 'prod', format: 'files' }).files;
    const rules = files[availabilityRules] as string;
    expect(rules).toContain('/ 0.001'); // the budget of 99.9 %
    expect(rules).toContain('[28d]');
    expect(rules).not.toContain('[30d]');
    expect(rules).toContain('alert: SloBurnRateFast');
    expect(rules).toContain('slo:sli_error:ratio_rate2h{service="case-service",slo="availability"} > 0.01');
    expect(rules).not.toMatch(/SloBurnRate(PageFast|PageSlow|TicketFast|TicketSlow)/);
    expect([...rules.matchAll(/record: (slo:sli_error:ratio_rate\w+)/g)].map((m) => m[1])).toEqual([
      'slo:sli_error:ratio_rate10m',
      'slo:sli_error:ratio_rate2h',
    ]);
    expect(rules).toContain('the 28d budget');
    expect(testNames(files)).toEqual(['budget', 'fast', 'fast.windows']);
  });

  it('the catalog declares one equal to the defaults, so declaring it changed no generated file', () => {
    expect(catalog.sloPolicy?.period).toBe('30d');
    const { sloPolicy: _declared, ...undeclared } = catalog;
    const withPolicy = generateMonitoring({ platform: catalog, environment: 'prod', format: 'files' }).files;
    expect(generateMonitoring({ platform: undeclared, environment: 'prod', format: 'files' }).files).toEqual(withPolicy);
  });

  it('a policy handed to the generator wins field by field over the spec, which wins over the defaults', () => {
    const platform = smallPlatform(undefined, { ...oneTier, minRequests: 50 });
    expect(effectivePolicy(smallPlatform()).period).toBe('30d');
    const fromSpec = effectivePolicy(platform);
    expect(fromSpec).toMatchObject({ period: '28d', minRequests: 50, scrapeInterval: '30s' });
    const overridden = effectivePolicy(platform, { period: '7d', alertOnAbsent: true }, 'policy.json');
    expect(overridden).toMatchObject({ period: '7d', minRequests: 50, alertOnAbsent: true });
    expect(overridden.tiers.map((t) => t.name)).toEqual(['fast']);

    const files = generateMonitoring({ platform, environment: 'prod', format: 'files', policy: { period: '7d' } }).files;
    expect(files[availabilityRules]).toContain('[7d]');
    expect(files[LAYOUT.rules('case-service.traffic')]).toContain('service:http_requests:increase2h');
  });

  it('validates the merged policy and names the override in errors', () => {
    // The override alone is valid; with the spec's 2h window it is not.
    const message = refusal(() => effectivePolicy(smallPlatform(undefined, oneTier), { period: '1h' }, 'policy.json'));
    expect(message).toContain("policy.json (applied over the platform's sloPolicy) is invalid");
    expect(message).toContain('tiers[0].longWindow: must not be longer than the SLO period 1h');
    expect(refusal(() => effectivePolicy(smallPlatform(), [] as never, 'list.json'))).toContain('list.json is invalid:\n  - (root): must be an object');
  });
});

describe('a disabled tier', () => {
  const disabled = (policy: SloPolicyInput | undefined, slos = api.slos) =>
    generateMonitoring({ platform: smallPlatform([{ ...api, slos }], policy), environment: 'prod', format: 'files' });

  it('produces no alert, no recording of its windows and no promtool test, whether disabled in the policy or for one SLO', async () => {
    const inPolicy = disabled({
      tiers: [
        { name: 'page-fast', factor: 14.4, longWindow: '1h', shortWindow: '5m', severity: 'page', for: '2m' },
        { name: 'ticket-slow', factor: 1, longWindow: '3d', shortWindow: '6h', severity: 'ticket', for: '3h', enabled: false },
      ],
    });
    const perSlo = disabled(undefined, [
      { name: 'availability', sli: 'availability', objective: 99.9, alerting: { tiers: { 'ticket-slow': { enabled: false }, 'page-slow': { severity: 'ticket', for: '20m' } } } },
    ]);
    for (const { files } of [inPolicy, perSlo]) {
      const rules = files[availabilityRules] as string;
      expect(rules).toContain('alert: SloBurnRatePageFast');
      expect(rules).not.toContain('SloBurnRateTicketSlow');
      expect(rules).not.toContain('ticket-slow');
      expect(rules).not.toContain('record: slo:sli_error:ratio_rate3d\n'); // only ticket-slow reads 3d
      expect(testNames(files)).not.toContain('ticket-slow');
      expect(testNames(files)).toContain('page-fast');
    }
    expect(testNames(perSlo.files)).toEqual([
      'budget',
      'page-fast',
      'page-fast.windows',
      'page-slow',
      'page-slow.windows',
      'ticket-fast',
      'ticket-fast.windows',
    ]);
    expect(perSlo.files[availabilityRules]).toMatch(/alert: SloBurnRatePageSlow\n(.*\n)*?\s+for: 20m\n\s+labels:\n\s+severity: ticket/);

    // The tests left prove the tiers left, overrides included.
    const dir = join(tmp, 'disabled');
    await writeFilesAtomically(dir, perSlo.files);
    const tests = testNames(perSlo.files).map((t) => `case-service.availability.${t}.test.yml`);
    const result = await runTool('promtool', ['test', 'rules', ...tests], join(dir, 'prometheus/tests'));
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect({ code: result.code, output: result.stdout + result.stderr }).toMatchObject({ code: 0 });
  });
});

describe('a tier that could never fire (factor × (1 − objective) ≥ 1) is refused', () => {
  const availability = { name: 'availability', sli: 'availability' as const, objective: 90 };
  const low = [availability];

  it('names the SLO, the service, the tier and the arithmetic', () => {
    const message = refusal(() => resolveModel(smallPlatform([{ ...api, slos: low }]), 'dev'));
    expect(message).toContain('services[0].slos[0].objective: SLO "availability" of case-service: burn tier "page-fast" could never fire');
    expect(message).toContain('factor 14.4 × (1 − objective 0.9) = 1.44');
    // 6 × 0.1 = 0.6 can fire: only page-fast is refused.
    expect(message).not.toContain('"page-slow"');
  });

  it('refuses exactly 1 too: an error ratio never exceeds 1', () => {
    const policy = { tiers: [{ name: 'ten', factor: 10, longWindow: '1h', shortWindow: '5m', severity: 'page' as const }] };
    expect(refusal(() => resolveModel(smallPlatform([{ ...api, slos: low }], policy), 'dev'))).toContain('= 1, and an error ratio is at most 1');
  });

  it('checks against the policy in force, not the spec alone', () => {
    const gentle: SloPolicyInput = { tiers: [{ name: 'slow', factor: 3, longWindow: '1d', shortWindow: '2h', severity: 'ticket' }] };
    const platform = smallPlatform([{ ...api, slos: low }], gentle);
    expect(resolveModel(platform, 'dev').services[0]?.slos[0]?.tiers.map((t) => t.name)).toEqual(['slow']);
    const override = { tiers: [...gentle.tiers ?? [], { name: 'fast', factor: 14.4, longWindow: '1h', shortWindow: '5m', severity: 'page' as const }] };
    const message = refusal(() => resolveModel(platform, 'dev', override, 'policy.json'));
    expect(message).toContain('(under the SLO policy in force, from policy.json)');
    expect(message).toContain('burn tier "fast" could never fire');
    // Disabled for that SLO, the tier is no longer checked.
    const disabled = smallPlatform([{ ...api, slos: [{ ...availability, alerting: { tiers: { fast: { enabled: false } } } }] }], gentle);
    expect(resolveModel(disabled, 'dev', override).services[0]?.slos[0]?.tiers.map((t) => t.name)).toEqual(['slow']);
  });
});

describe('an evaluation interval the alerts cannot keep up with is refused', () => {
  it('longer than the shortest alert window', () => {
    const message = refusal(() => resolveModel(smallPlatform(), 'dev', { evaluationInterval: '10m' }, 'policy.json'));
    expect(message).toContain('evaluationInterval: 10m is longer than the shortest alert window, tiers[0].shortWindow 5m ("page-fast")');
  });

  it('longer than the smallest for:, the absent-metric alert\'s included', () => {
    const fast = { name: 'fast', factor: 14.4, longWindow: '1h', shortWindow: '10m', severity: 'page' as const, for: '2m' };
    const tiers = [fast];
    expect(refusal(() => resolveModel(smallPlatform(), 'dev', { tiers, evaluationInterval: '3m' }))).toContain(
      'evaluationInterval: 3m is longer than the smallest for:, tiers[0].for 2m ("fast")',
    );
    expect(refusal(() => resolveModel(smallPlatform(), 'dev', { tiers: [{ ...fast, for: '0s' }], absentFor: '4m', evaluationInterval: '5m' }))).toContain(
      'evaluationInterval: 5m is longer than the smallest for:, absentFor 4m',
    );
    // A zero for: fires at the first evaluation whatever the interval.
    expect(resolveModel(smallPlatform(), 'dev', { tiers: [{ ...fast, for: '0s' }], evaluationInterval: '5m' }).policy.evaluationInterval).toBe('5m');
  });

  it('an SLO\'s own for: shorter than the interval', () => {
    const slos = [{ name: 'availability', sli: 'availability' as const, objective: 99.9, alerting: { tiers: { 'page-fast': { for: '10s' } } } }];
    expect(refusal(() => resolveModel(smallPlatform([{ ...api, slos }]), 'dev'))).toContain(
      'services[0].slos[0].alerting.tiers.page-fast.for: 10s is shorter than the SLO policy\'s evaluationInterval 30s',
    );
  });

  it('the generated unit tests evaluate at the policy\'s interval', () => {
    const files = generateMonitoring({ platform: smallPlatform(), environment: 'dev', format: 'files', policy: { evaluationInterval: '15s' } }).files;
    const timing = files['prometheus/tests/case-service.availability.page-fast.test.yml'] as string;
    expect(timing).toMatch(/^evaluation_interval: 15s$/m);
    expect(files['prometheus/tests/case-service.kubernetes.test.yml']).toMatch(/^evaluation_interval: 15s$/m);
    expect(files['prometheus/tests/case-service.availability.budget.test.yml']).toMatch(/^evaluation_interval: 15s$/m);
  });
});

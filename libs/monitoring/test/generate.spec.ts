import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { platform as catalog } from '@cios/catalog';
import { DEFAULT_BURN_TIERS, byCodePoint, type ServiceInput } from '@cios/platform-spec';
import { LAYOUT, generateMonitoring, resolveModel, runTool, validateDirectory, writeFilesAtomically } from '../src/index.js';
import { api, smallPlatform, specErrorMessage } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'cios-monitoring-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function generated(environment: string, dir: string, platform = smallPlatform()): Promise<string> {
  const out = join(tmp, dir);
  await writeFilesAtomically(out, generateMonitoring({ platform, environment, format: 'files' }).files);
  return out;
}

/** Rewrites one generated rule file in place. */
function mutate(out: string, ruleFile: string, change: (text: string) => string): void {
  const path = join(out, LAYOUT.rules(ruleFile));
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
}

/** promtool's output for one generated test file, which must fail. */
async function promtoolFailure(out: string, test: string): Promise<string> {
  const result = await runTool('promtool', ['test', 'rules', `${test}.test.yml`], join(out, 'prometheus/tests'));
  expect(result.code, `${test} passed against the mutated rules`).not.toBe(0);
  return `${result.stdout}${result.stderr}`;
}

function failures(report: Awaited<ReturnType<typeof validateDirectory>>): string[] {
  return report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.output.slice(0, 2000)}`);
}

describe('generated monitoring passes promtool and amtool', () => {
  it('prod: rules lint clean, every promtool unit test passes, Alertmanager config and routes check', async () => {
    const report = await validateDirectory(await generated('prod', 'prod'));
    expect(failures(report)).toEqual([]);
    const names = report.checks.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['promtool check rules', 'promtool test rules', 'amtool check-config']),
    );
    expect(names.filter((n) => n.startsWith('route '))).toContain('route environment=prod severity=page alertname=SloBurnRatePageFast → pager');
  });

  it('the promtool tests can fail: a page alert with a doubled threshold no longer fires when it should', async () => {
    const out = await generated('prod', 'broken-threshold');
    const rules = join(out, LAYOUT.rules('case-service.slo-availability'));
    const source = readFileSync(rules, 'utf8');
    expect(source).toContain('> 0.0144');
    writeFileSync(rules, source.replaceAll('> 0.0144', '> 0.0288'));
    const report = await validateDirectory(out);
    const testRun = report.checks.find((c) => c.name === 'promtool test rules');
    expect(testRun?.ok).toBe(false);
    expect(testRun?.output).toMatch(/SloBurnRatePageFast/);
  });

  it('the promtool tests can fail: a page-fast threshold 4 % too high (0.0150 for 0.0144) never fires at 1.02×', async () => {
    const out = await generated('prod', 'threshold-4-percent');
    mutate(out, 'case-service.slo-availability', (text) => text.replaceAll('> 0.0144', '> 0.015'));
    expect(await promtoolFailure(out, 'case-service.availability.page-fast')).toMatch(/SloBurnRatePageFast/);
  });

  it('the promtool tests can fail: without the short-window clause page-fast does not clear when the burn stops', async () => {
    const out = await generated('prod', 'no-short-window');
    const clause = '\n          and\n          slo:sli_error:ratio_rate5m{service="case-service",slo="availability"} > 0.0144';
    mutate(out, 'case-service.slo-availability', (text) => {
      expect(text).toContain(clause);
      return text.replace(clause, '');
    });
    expect(await promtoolFailure(out, 'case-service.availability.page-fast.windows')).toMatch(/clears within the 5m window/);
  });

  it('the promtool tests can fail: page-fast with for: 4m instead of 2m fires too late', async () => {
    const tiers = DEFAULT_BURN_TIERS.map((t) => (t.name === 'page-fast' ? { ...t, for: '2m' } : t));
    const out = await generated('prod', 'for-4m', smallPlatform(undefined, { tiers }));
    mutate(out, 'case-service.slo-availability', (text) => {
      const rule = text.indexOf('alert: SloBurnRatePageFast');
      const at = text.indexOf('for: 2m', rule);
      expect(at).toBeGreaterThan(rule);
      return `${text.slice(0, at)}for: 4m${text.slice(at + 'for: 2m'.length)}`;
    });
    expect(await promtoolFailure(out, 'case-service.availability.page-fast')).toMatch(/for: 2m has passed/);
  });

  it('the promtool tests can fail: page-fast without its for: 2m fires too early', async () => {
    const tiers = DEFAULT_BURN_TIERS.map((t) => (t.name === 'page-fast' ? { ...t, for: '2m' } : t));
    const out = await generated('prod', 'for-dropped', smallPlatform(undefined, { tiers }));
    mutate(out, 'case-service.slo-availability', (text) => text.replace(/(alert: SloBurnRatePageFast[\s\S]*?)\n\s+for: 2m/, '$1'));
    expect(await promtoolFailure(out, 'case-service.availability.page-fast')).toMatch(/not one evaluation sooner/);
  });

  it('the promtool tests can fail: an error budget divided by the wrong number', async () => {
    const out = await generated('prod', 'budget');
    mutate(out, 'case-service.slo-availability', (text) => {
      expect(text).toContain('/ 0.001');
      return text.replace('/ 0.001', '/ 0.5');
    });
    expect(await promtoolFailure(out, 'case-service.availability.budget')).toMatch(/round\(slo:error_budget:remaining_ratio.*\n.*exp: .* 5E-01/);
  });

  it('the promtool tests can fail: a Kubernetes alert that waits longer than its for:', async () => {
    const out = await generated('prod', 'kubernetes-for');
    mutate(out, 'case-service.kubernetes', (text) => text.replace(/(alert: KubeReplicasUnavailable[\s\S]*?for: )5m/, '$110m'));
    expect(await promtoolFailure(out, 'case-service.kubernetes')).toMatch(/KubeReplicasUnavailable/);
  });

  it('the promtool tests can fail: KubeReplicasUnavailable reading $value from the available side ("wants 0 replicas")', async () => {
    const out = await generated('prod', 'kubernetes-value');
    mutate(out, 'case-service.kubernetes', (text) =>
      text.replace(/(kube_deployment_spec_replicas\{[^}]*\}) > 0 and (kube_deployment_status_replicas_available\{[^}]*\}) == 0/, '$2 == 0 and $1 > 0'),
    );
    const output = await promtoolFailure(out, 'case-service.kubernetes');
    expect(output).toMatch(/wants 3 replicas and none is available/);
    expect(output).toMatch(/wants 0 replicas/);
  });

  it('the promtool tests can fail: a broken SLI expression', async () => {
    const out = await generated('dev', 'broken-expr');
    const rules = join(out, LAYOUT.rules('case-service.slo-availability'));
    const source = readFileSync(rules, 'utf8');
    writeFileSync(rules, source.replaceAll('code=~"5.."', 'code=~"4.."'));
    const report = await validateDirectory(out);
    expect(report.checks.find((c) => c.name === 'promtool test rules')?.ok).toBe(false);
  });
});

describe('only the services that run in an environment are monitored there', () => {
  const probe: ServiceInput = { ...api, name: 'probe', environments: ['dev'], replicas: { dev: 1 } };
  const platform = smallPlatform([api, probe]);
  const mentionsProbe = (files: Record<string, string>) =>
    Object.entries(files)
      .filter(([path, text]) => path.includes('probe') || text.includes('"probe"') || text.includes('probe-'))
      .map(([path]) => path);

  it('dev: the dev-only service gets its rules, promtool tests, ServiceMonitor and dashboard, and they pass', async () => {
    const files = generateMonitoring({ platform, environment: 'dev', format: 'files' }).files;
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        LAYOUT.rules('probe.slo-availability'),
        LAYOUT.rules('probe.slo-latency-p95'),
        LAYOUT.rules('probe.kubernetes'),
        LAYOUT.tests('probe.availability.page-fast'),
        LAYOUT.dashboard('probe'),
      ]),
    );
    const operator = generateMonitoring({ platform, environment: 'dev', format: 'operator' }).files;
    expect(Object.keys(operator)).toContain(LAYOUT.serviceMonitor('probe'));
    const report = await validateDirectory(await generated('dev', 'dev-only-service', platform));
    expect(failures(report)).toEqual([]);
  });

  it('prod, primary and standby: nothing of it, in no rule, test, dashboard, ServiceMonitor or overview', () => {
    for (const cluster of ['prod-toronto', 'prod-montreal']) {
      for (const format of ['files', 'operator'] as const) {
        const generatedProd = generateMonitoring({ platform, environment: 'prod', format, cluster });
        expect(generatedProd.model.services.map((s) => s.service.name), `${cluster} ${format}`).toEqual(['case-service']);
        expect(mentionsProbe(generatedProd.files), `${cluster} ${format}`).toEqual([]);
      }
    }
  });

  it('the catalog: sample-api is watched in dev and nowhere else', () => {
    const paths = (environment: string) => Object.keys(generateMonitoring({ platform: catalog, environment, format: 'operator' }).files);
    expect(paths('dev')).toEqual(
      expect.arrayContaining([LAYOUT.serviceMonitor('sample-api'), LAYOUT.prometheusRule('sample-api.slo-availability'), LAYOUT.dashboard('sample-api')]),
    );
    for (const environment of ['staging', 'prod']) expect(paths(environment).filter((p) => p.includes('sample-api')), environment).toEqual([]);
  });
});

describe('validation without unit tests', () => {
  it('fails when prometheus/tests is missing or empty, unless the tests are skipped on purpose', async () => {
    const out = await generated('dev', 'untested');
    rmSync(join(out, 'prometheus/tests'), { recursive: true });
    const missing = await validateDirectory(out);
    expect(missing.ok).toBe(false);
    expect(missing.checks.find((c) => c.name === 'promtool test rules')).toMatchObject({ ok: false, output: expect.stringContaining('nothing proves the alerts fire') });
    mkdirSync(join(out, 'prometheus/tests'));
    expect((await validateDirectory(out)).ok).toBe(false);
    const skipped = await validateDirectory(out, { skipTests: true });
    expect(failures(skipped)).toEqual([]);
    expect(skipped.checks.find((c) => c.name === 'promtool test rules')?.skipped).toMatch(/skipped on request/);
  });
});

describe('generated content', () => {
  const prod = generateMonitoring({ platform: catalog, environment: 'prod', format: 'files' });

  it('is deterministic', () => {
    expect(generateMonitoring({ platform: catalog, environment: 'prod', format: 'files' }).files).toEqual(prod.files);
  });

  it('has no floating-point artifacts such as 0.9990000000000001 anywhere', () => {
    const artifacts = Object.entries(prod.files).flatMap(([file, content]) =>
      [...content.matchAll(/\d\.\d*(0{6,}[1-9]|9{6,}\d)/g)].map((m) => `${file}: ${m[0]}`),
    );
    expect(artifacts).toEqual([]);
  });

  it('writes no credentials into the Alertmanager config, only files', () => {
    const am = prod.files[LAYOUT.alertmanager] as string;
    expect(am).toMatch(/_file:/);
    expect(am).not.toMatch(/(routing_key|api_url|password|token):\s*[^\s]/i);
  });

  it('gives every page and ticket alert a runbook, a dashboard link, a summary and a description', () => {
    const alerts = prod.rules.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r) => 'alert' in r);
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const annotations = (alert as { annotations?: Record<string, string> }).annotations ?? {};
      expect(Object.keys(annotations), JSON.stringify(alert).slice(0, 120)).toEqual(
        expect.arrayContaining(['summary', 'description', 'runbook_url']),
      );
    }
  });

  it('renders prometheus-operator resources with --format operator', () => {
    const operator = generateMonitoring({ platform: catalog, environment: 'prod', format: 'operator' });
    const paths = Object.keys(operator.files);
    expect(paths.some((p) => p.startsWith('operator/servicemonitors/'))).toBe(true);
    expect(paths.some((p) => p.startsWith('operator/prometheusrules/'))).toBe(true);
    expect(paths).not.toContain(LAYOUT.prometheusConfig);
  });

  it('hands over the operator objects themselves, exactly what its operator/ files hold', () => {
    const operator = generateMonitoring({ platform: catalog, environment: 'prod', format: 'operator' });
    const fromFiles = Object.entries(operator.files)
      .filter(([p]) => p.startsWith('operator/'))
      .map(([, text]) => parse(text) as { kind: string; metadata: { name: string } });
    const key = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;
    expect(operator.objects).toHaveLength(fromFiles.length);
    expect([...operator.objects].sort((a, b) => byCodePoint(key(a as never), key(b as never)))).toEqual(
      fromFiles.sort((a, b) => byCodePoint(key(a), key(b))),
    );
    expect(operator.objects.map((o) => (o as { kind: string }).kind)).toContain('ServiceMonitor');
    expect(generateMonitoring({ platform: catalog, environment: 'prod', format: 'files' }).objects).toEqual([]);
  });
});

describe('bad specs are refused with the field and a reason', () => {
  const problem = specErrorMessage;

  it('an SLO target of 100%', () => {
    expect(problem(() => smallPlatform([{ ...api, slos: [{ name: 'a', sli: 'availability', objective: 100 }] }]))).toMatch(
      /slos\[0\]\.objective: must be below 100%/,
    );
  });

  it('a latency SLO without a threshold', () => {
    expect(problem(() => smallPlatform([{ ...api, slos: [{ name: 'l', sli: 'latency', objective: 99 } as never] }]))).toMatch(
      /thresholdMs: a latency SLO needs thresholdMs/,
    );
  });

  it('a window shorter than two scrape intervals', () => {
    const policy = { scrapeInterval: '1m', tiers: [{ name: 'fast', factor: 14.4, longWindow: '1h', shortWindow: '1m', severity: 'page' as const }] };
    expect(problem(() => resolveModel(smallPlatform(), 'dev', policy))).toMatch(/tiers\[0\]\.shortWindow: 1m is shorter than two scrape intervals/);
  });

  it('a tier that could never fire for the objective', () => {
    const lowObjective = smallPlatform([{ ...api, slos: [{ name: 'availability', sli: 'availability', objective: 90 }] }]);
    expect(problem(() => resolveModel(lowObjective, 'dev'))).toMatch(/could never fire|never fire/);
  });
});

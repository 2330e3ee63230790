import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = resolve(import.meta.dirname, '../dist/cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'cios-monitoring-cli-'));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: tmp });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the project first (nx run @cios/monitoring-config:build)`);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('cios-monitoring', () => {
  it('generates every kind of file for an environment', () => {
    const result = run('generate', '--env', 'dev', '--out', 'dev', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { written: { environment: string; files: number }[] };
    expect(report.written[0]?.environment).toBe('dev');
    for (const file of ['prometheus/prometheus.yml', 'prometheus/rules/case-service.slo-availability.rules.yml', 'alertmanager/alertmanager.yml', 'grafana/dashboards/overview.json']) {
      expect(existsSync(join(tmp, 'dev', file)), file).toBe(true);
    }
  });

  it('refuses to replace a directory it did not generate, touching nothing (--out . would have wiped it)', () => {
    writeFileSync(join(tmp, 'keep.txt'), 'user data');
    const here = run('generate', '--env', 'dev', '--out', '.');
    expect(here.code).toBe(1);
    expect(here.stderr).toContain(`refusing to replace ${tmp}: it is not empty`);
    expect(here.stderr).toContain('has no .cios-monitoring file');
    expect(readFileSync(join(tmp, 'keep.txt'), 'utf8')).toBe('user data');
    // Its own output carries the marker and is replaced, again and again.
    expect(existsSync(join(tmp, 'dev/.cios-monitoring'))).toBe(true);
    expect(run('generate', '--env', 'dev', '--out', 'dev').code).toBe(0);
  });

  it('validates with promtool and amtool, and fails on a broken rule file', () => {
    // Unit tests of the whole catalog take minutes; libs/monitoring runs them on a small platform.
    run('generate', '--env', 'staging', '--out', 'staging');
    rmSync(join(tmp, 'staging/prometheus/tests'), { recursive: true });
    // Without unit tests nothing proves the alerts fire: a failure unless skipped on purpose.
    const untested = run('validate', 'staging');
    expect(untested.code).toBe(1);
    expect(untested.stdout).toContain('✗ promtool test rules');
    expect(untested.stdout).toContain('nothing proves the alerts fire');
    const ok = run('validate', 'staging', '--skip-tests');
    expect(ok.stdout).toContain('✓ promtool check rules');
    expect(ok.stdout).toContain('✓ amtool check-config');
    expect(ok.stdout).toContain('- promtool test rules: skipped, unit tests skipped on request (--skip-tests)');
    expect(ok.code).toBe(0);

    const rules = join(tmp, 'staging/prometheus/rules/case-service.slo-availability.rules.yml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('expr: |-', 'expr: sum(rate(x[5m]) by (\n        #'));
    const broken = run('validate', '--dir', 'staging', '--skip-tests');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('✗ promtool check rules');
  });

  it('--policy FILE overrides the catalog\'s SLO policy field by field', () => {
    writeFileSync(join(tmp, 'policy.json'), JSON.stringify({ period: '28d', minRequests: 100 }, null, 2));
    const result = run('generate', '--env', 'dev', '--out', 'policy', '--policy', 'policy.json');
    expect(result.stdout).toMatch(/^dev: \d+ files in /);
    expect(result.code).toBe(0);
    const rules = readFileSync(join(tmp, 'policy/prometheus/rules/case-service.slo-availability.rules.yml'), 'utf8');
    expect(rules).toContain('[28d]');
    expect(rules).toContain('service:http_requests:increase1h{service="case-service"} >= 100');
    // The catalog's tiers are kept: only the fields the file holds change.
    expect(rules).toContain('alert: SloBurnRateTicketSlow');
  });

  it('refuses a bad --policy file with the file, the JSON path and line:column', () => {
    writeFileSync(join(tmp, 'syntax.json'), '{\n  "period": "28d",\n  "tiers": [tru]\n}\n');
    expect(run('generate', '--env', 'dev', '--out', 'x', '--policy', 'syntax.json')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('syntax.json:3:13: not valid JSON at "tru]"'),
    });
    writeFileSync(
      join(tmp, 'schema.json'),
      JSON.stringify({ period: '28d', tiers: [{ name: 'fast', factor: 0, longWindow: '1h', shortWindow: '5m', severity: 'page' }], color: 'red' }, null, 2),
    );
    const schema = run('generate', '--env', 'dev', '--out', 'x', '--policy', 'schema.json');
    expect(schema.code).toBe(1);
    expect(schema.stderr).toContain("schema.json (applied over the platform's sloPolicy) is invalid");
    expect(schema.stderr).toContain('tiers[0].factor (schema.json:6:17): must be above 0');
    expect(schema.stderr).toContain('(root) (schema.json:12:3): Unrecognized key: "color"');
    writeFileSync(join(tmp, 'never.json'), JSON.stringify({ tiers: [{ name: 'huge', factor: 2000, longWindow: '1h', shortWindow: '5m', severity: 'page' }] }));
    const never = run('generate', '--env', 'dev', '--out', 'x', '--policy', 'never.json');
    expect(never.code).toBe(1);
    expect(never.stderr).toContain('from never.json');
    expect(never.stderr).toContain('SLO "availability" of case-service: burn tier "huge" could never fire');
    expect(run('generate', '--env', 'dev', '--policy', 'missing.json')).toMatchObject({ code: 1, stderr: expect.stringContaining('missing.json: cannot read the SLO policy (ENOENT)') });
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });

  it('--cluster writes a standby cluster\'s config: alerts labelled with it, no pager receiver', () => {
    const result = run('generate', '--env', 'prod', '--cluster', 'prod-montreal', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { written: { environment: string; cluster: string; dir: string }[] };
    expect(report.written).toEqual([{ environment: 'prod', cluster: 'prod-montreal', dir: join(tmp, 'dist/monitoring/prod-montreal'), files: expect.any(Number) }]);
    const rules = readFileSync(join(tmp, 'dist/monitoring/prod-montreal/prometheus/rules/platform.rules.yml'), 'utf8');
    expect(rules).toContain('cluster: prod-montreal');
    expect(readFileSync(join(tmp, 'dist/monitoring/prod-montreal/alertmanager/alertmanager.yml'), 'utf8')).not.toContain('name: pager');
    expect(run('generate', '--cluster', 'prod-montreal')).toMatchObject({ code: 2, stderr: expect.stringContaining('--cluster needs --env') });
    expect(run('generate', '--env', 'dev', '--cluster', 'prod-montreal')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown cluster "prod-montreal" of dev; its clusters: dev-toronto'),
    });
  });

  it('refuses bad usage with exit 2 and a sentence', () => {
    expect(run('generate', '--env', 'moon')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown environment "moon"; known: dev, staging, prod') });
    expect(run('generate', '--env', 'dev', '--format', 'xml')).toMatchObject({ code: 2, stderr: expect.stringContaining('--format must be one of files, operator') });
    expect(run('validate', 'nowhere')).toMatchObject({ code: 2, stderr: expect.stringContaining('does not exist') });
    expect(run('frobnicate').code).toBe(2);
    expect(run('generate', '--bogus').code).toBe(2);
  });

  it('prints help', () => {
    const help = run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('cios-monitoring generate');
  });
});

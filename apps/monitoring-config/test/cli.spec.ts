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

  it('validates with promtool and amtool, and fails on a broken rule file', () => {
    // Unit tests of the whole catalog take minutes; libs/monitoring runs them on a small platform.
    run('generate', '--env', 'staging', '--out', 'staging');
    rmSync(join(tmp, 'staging/prometheus/tests'), { recursive: true });
    const ok = run('validate', 'staging');
    expect(ok.stdout).toContain('✓ promtool check rules');
    expect(ok.stdout).toContain('✓ amtool check-config');
    expect(ok.code).toBe(0);

    const rules = join(tmp, 'staging/prometheus/rules/case-service.slo-availability.rules.yml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('expr: |-', 'expr: sum(rate(x[5m]) by (\n        #'));
    const broken = run('validate', '--dir', 'staging');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('✗ promtool check rules');
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

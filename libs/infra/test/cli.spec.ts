import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { must } from './fixtures.js';

const cli = join(import.meta.dirname, '..', 'dist', 'synth-cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'cios-synth-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]) {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build @cios/infra first (nx run @cios/infra:build)`);
  return spawnSync(process.execPath, [cli, ...args], { cwd: tmp, encoding: 'utf8' });
}

describe('cios-synth', () => {
  it('prints help and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage:');
  });

  it('exits 2 on a usage error', () => {
    const r = run('--env', 'dev', '--all');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('give either --env <name> or --all');
    expect(run('--env', 'qa').stderr).toContain('unknown environment "qa" (known: dev, staging, prod)');
  });

  it('refuses a malformed release with file, line and column, no stack trace, nothing written', () => {
    writeFileSync(join(tmp, 'bad.json'), '{\n  "environment": "dev",\n  "commit": oops\n}\n');
    const r = run('--env', 'dev', '--release', 'bad.json', '--out', 'out-bad');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.json:3:13: not valid JSON/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(tmp, 'out-bad'))).toBe(false);
  });

  it('refuses a release with an invalid field, naming it', () => {
    writeFileSync(join(tmp, 'rel.json'), JSON.stringify({ environment: 'dev', commit: 'xyz', createdBy: 'ci', createdAt: '2026-01-01T00:00:00Z', images: {} }, null, 2));
    const r = run('--env', 'dev', '--release', 'rel.json');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('rel.json is invalid:\n  - commit (rel.json:3:13): must be a git commit SHA');
  });

  it('refuses a release for another environment or naming an unknown service as bad input, in JSON with --json', () => {
    const release = (environment: string, images: Record<string, string>) =>
      JSON.stringify({ environment, commit: 'abcdef1', createdBy: 'ci', createdAt: '2026-01-01T00:00:00Z', images });
    writeFileSync(join(tmp, 'staging.json'), release('staging', {}));
    const wrong = run('--env', 'dev', '--release', 'staging.json', '--out', 'out-wrong', '--json');
    expect(wrong.status).toBe(1);
    expect(JSON.parse(wrong.stdout)).toEqual({ ok: false, error: 'staging.json: environment: the release is for environment "staging", not "dev"' });
    expect(existsSync(join(tmp, 'out-wrong'))).toBe(false);

    writeFileSync(join(tmp, 'typo.json'), release('dev', { 'case-servce': 'ghcr.io/cios/case-service:1.0.0', 'backup-tools': 'ghcr.io/cios/backup-tools:1.4.0' }));
    const typo = run('--env', 'dev', '--release', 'typo.json', '--out', 'out-typo');
    expect(typo.status).toBe(1);
    expect(typo.stderr).toMatch(/^cios-synth: typo\.json: images\.case-servce: not a service of dev nor a support image \(known: .*backup-tools.*case-service/);
    expect(existsSync(join(tmp, 'out-typo'))).toBe(false);
  });

  it('writes one environment and reports JSON', () => {
    const r = run('--env', 'dev', '--out', 'out-dev', '--json');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; environments: { stacks: { file: string }[]; findings: unknown[] }[] };
    expect(result.ok).toBe(true);
    expect(must(result.environments[0], 'the environment in the report').stacks.map((s) => s.file)).toEqual(['out-dev/platform/cdk.tf.json', 'out-dev/services/cdk.tf.json']);
    expect(existsSync(join(tmp, 'out-dev', 'summary.md'))).toBe(true);
  });

  it('fails prod without a release with exit 1, and --preview renders it as NOT DEPLOYABLE', () => {
    const refused = run('--env', 'prod', '--out', 'out-prod');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('ERROR CIOS-IMG-002');
    expect(existsSync(join(tmp, 'out-prod'))).toBe(false);
    const preview = run('--env', 'prod', '--out', 'out-prod', '--preview');
    expect(preview.status).toBe(0);
  });
});

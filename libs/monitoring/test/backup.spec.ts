import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LAYOUT, generateMonitoring, humanizeDuration, runTool, writeFilesAtomically, type PromtoolTestFile } from '../src/index.js';
import { smallPlatform } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'cios-monitoring-backup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const testFile = LAYOUT.tests('store.backup');
const ruleFile = LAYOUT.rules('store.kubernetes');

async function promtoolTest(dir: string): Promise<{ code: number; output: string }> {
  const result = await runTool('promtool', ['test', 'rules', 'store.backup.test.yml'], join(dir, 'prometheus/tests'));
  return { code: result.code, output: result.stdout + result.stderr };
}

describe('backup alerts', () => {
  const { files } = generateMonitoring({ platform: smallPlatform(), environment: 'prod', format: 'files' });

  it('BackupOverdue measures a CronJob that never succeeded from its creation', () => {
    const rules = files[ruleFile] as string;
    expect(rules).toContain('time() - kube_cronjob_status_last_successful_time{namespace="prod-data",cronjob="store-backup"} > 3600');
    expect(rules).toContain(
      '(time() - kube_cronjob_created{namespace="prod-data",cronjob="store-backup"} > 3600 unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{namespace="prod-data",cronjob="store-backup"})',
    );
    expect(rules).toContain(
      'kube_cronjob_spec_suspend{namespace="prod-data",cronjob="store-backup"} == 1 and on (namespace, cronjob) kube_cronjob_annotations{namespace="prod-data",cronjob="store-backup",annotation_cios_ca_suspended_because!=""}',
    );
  });

  it('has generated promtool tests for never succeeded (fires), stale (fires) and recent success (silent)', () => {
    const tests = parse(files[testFile] as string) as PromtoolTestFile;
    expect(tests.rule_files).toEqual(['../rules/store.kubernetes.rules.yml']);
    const byName = Object.fromEntries(tests.tests.map((t) => [t.name, t]));
    const never = byName['store: BackupOverdue fires when the backup CronJob never succeeded and is older than the 60-minute RPO'];
    expect(never?.input_series.map((s) => s.series)).toEqual(['kube_cronjob_created{namespace="prod-data",cronjob="store-backup"}']);
    expect(never?.alert_rule_test.at(-1)?.exp_alerts).toHaveLength(1);
    const recent = byName['store: BackupOverdue stays silent while backups succeed within the RPO'];
    expect(recent?.alert_rule_test.every((t) => t.exp_alerts.length === 0)).toBe(true);
    expect(Object.keys(files).filter((p) => p.endsWith('.backup.test.yml'))).toEqual([testFile]);
  });

  it('promtool passes them, and they fail against the old expression that ignored CronJobs that never succeeded', async () => {
    const dir = join(tmp, 'prod');
    await writeFilesAtomically(dir, files);
    const ok = await promtoolTest(dir);
    expect(ok.output).toContain('SUCCESS');
    expect(ok.code).toBe(0);

    const path = join(dir, ruleFile);
    const source = readFileSync(path, 'utf8');
    const broken = source.replace(/\n\s+or\n\s+\(time\(\) - kube_cronjob_created[^\n]*/, '');
    expect(broken).not.toBe(source);
    writeFileSync(path, broken);
    const failed = await promtoolTest(dir);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('never succeeded');
    expect(failed.output).not.toContain('stays silent while backups succeed');

    // Without the suspension clause, a standby cluster's suspended backup would page.
    const unsuspended = source.replace(/\n\s+unless on \(namespace, cronjob\)\n\s+\(kube_cronjob_spec_suspend[^\n]*/, '');
    expect(unsuspended).not.toBe(source);
    writeFileSync(path, unsuspended);
    const standby = await promtoolTest(dir);
    expect(standby.code).not.toBe(0);
    expect(standby.output).toContain('suspended with a reason');
  });

  it.each(['15s', '5m'])('promtool passes the backup and release-marker tests when rules are evaluated every %s', async (evaluationInterval) => {
    const generated = generateMonitoring({ platform: smallPlatform(), environment: 'prod', format: 'files', policy: { evaluationInterval } }).files;
    const release = LAYOUT.tests('platform.releases');
    for (const file of [testFile, release]) expect(generated[file]).toMatch(new RegExp(`^evaluation_interval: ${evaluationInterval}$`, 'm'));
    const dir = join(tmp, `every-${evaluationInterval}`);
    await writeFilesAtomically(dir, generated);
    const result = await runTool('promtool', ['test', 'rules', 'store.backup.test.yml', 'platform.releases.test.yml'], join(dir, 'prometheus/tests'));
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('renders humanizeDuration as Prometheus does', () => {
    expect(humanizeDuration(4080)).toBe('1h 8m 0s');
    expect(humanizeDuration(90_061)).toBe('1d 1h 1m 1s');
    expect(humanizeDuration(61)).toBe('1m 1s');
    expect(humanizeDuration(12.5)).toBe('12.5s');
  });
});

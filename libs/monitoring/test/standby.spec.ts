/** A standby (secondary) cluster's monitoring config: its alerts say which cluster, and nothing it sees pages. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { platform as catalog } from '@cios/catalog';
import { LAYOUT, RECEIVERS, generateMonitoring, isAlert, runTool, validateDirectory, writeFilesAtomically, type GeneratedMonitoring } from '../src/index.js';
import { smallPlatform } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'cios-monitoring-standby-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const alertsOf = (generated: GeneratedMonitoring) => generated.rules.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter(isAlert);

interface Route {
  receiver: string;
  matchers?: string[];
}
interface AlertmanagerYml {
  route: { receiver: string; routes: Route[] };
  receivers: { name: string }[];
}

describe('the standby cluster prod-montreal', () => {
  const standby = generateMonitoring({ platform: catalog, environment: 'prod', format: 'operator', cluster: 'prod-montreal' });
  const primary = generateMonitoring({ platform: catalog, environment: 'prod', format: 'operator' });

  it('labels every alert with the cluster; the primary\'s alerts stay without one', () => {
    expect(alertsOf(standby).length).toBeGreaterThan(0);
    for (const alert of alertsOf(standby)) expect(alert.labels, alert.alert).toMatchObject({ cluster: 'prod-montreal', environment: 'prod' });
    for (const alert of alertsOf(primary)) expect(Object.keys(alert.labels), alert.alert).not.toContain('cluster');
    // Only the label differs: the same alerts, expressions and severities.
    const unlabelled = alertsOf(standby).map(({ labels: { cluster: _cluster, ...labels }, ...alert }) => ({ ...alert, labels }));
    expect(unlabelled).toEqual(alertsOf(primary));
  });

  it('writes the label into the PrometheusRules it hands over, not only into the rule files', () => {
    const rules = standby.objects.filter((o) => (o as { kind: string }).kind === 'PrometheusRule') as { spec: { groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[] } }[];
    const alerts = rules.flatMap((r) => r.spec.groups.flatMap((g) => g.rules)).filter((r) => r.alert !== undefined);
    expect(alerts.length).toBe(alertsOf(standby).length);
    for (const alert of alerts) expect(alert.labels?.['cluster']).toBe('prod-montreal');
  });

  it('has an Alertmanager without the pager: production pages and tickets both go to the ticket receiver', () => {
    const am = parse(standby.files[LAYOUT.alertmanager] as string) as AlertmanagerYml;
    expect(am.receivers.map((r) => r.name)).toEqual([RECEIVERS.ticket, RECEIVERS.chat]);
    expect(am.route.routes.map((r) => r.receiver)).toEqual([RECEIVERS.ticket, RECEIVERS.chat]);
    expect(am.route.routes[0]?.matchers).toEqual(['environment=~"prod"', 'severity=~"page|ticket"']);
    expect(standby.files[LAYOUT.alertmanager]).not.toContain('pagerduty');
    const primaryAm = parse(primary.files[LAYOUT.alertmanager] as string) as AlertmanagerYml;
    expect(primaryAm.route.routes.map((r) => r.receiver)).toEqual([RECEIVERS.pager, RECEIVERS.ticket, RECEIVERS.chat]);
  });

  it('keeps the dashboards and the ServiceMonitors of the primary: the same services run there', () => {
    const dashboards = (g: GeneratedMonitoring) => Object.entries(g.files).filter(([f]) => f.startsWith('grafana/'));
    expect(dashboards(standby)).toEqual(dashboards(primary));
    const monitors = (g: GeneratedMonitoring) => g.objects.filter((o) => (o as { kind: string }).kind === 'ServiceMonitor');
    expect(monitors(standby)).toEqual(monitors(primary));
  });

  it('is deterministic', () => {
    expect(generateMonitoring({ platform: catalog, environment: 'prod', format: 'operator', cluster: 'prod-montreal' }).files).toEqual(standby.files);
  });

  it('naming the primary gives exactly the default output; an unknown cluster is refused with the known ones', () => {
    expect(generateMonitoring({ platform: catalog, environment: 'prod', format: 'operator', cluster: 'prod-toronto' }).files).toEqual(primary.files);
    expect(() => generateMonitoring({ platform: catalog, environment: 'prod', format: 'files', cluster: 'dev-toronto' })).toThrow(
      'cluster: "dev-toronto" is not a cluster of prod (prod-toronto, prod-montreal)',
    );
  });
});

describe('a standby passes promtool and amtool', () => {
  it('rules lint clean, the unit tests expect the cluster label, amtool routes its pages to tickets', async () => {
    const out = join(tmp, 'prod-montreal');
    await writeFilesAtomically(out, generateMonitoring({ platform: smallPlatform(), environment: 'prod', format: 'files', cluster: 'prod-montreal' }).files);
    const report = await validateDirectory(out);
    expect(report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.output.slice(0, 2000)}`)).toEqual([]);
    const routes = report.checks.map((c) => c.name).filter((n) => n.startsWith('route '));
    expect(routes).toContain('route environment=prod cluster=prod-montreal severity=page alertname=SloBurnRatePageFast → ticket');
    expect(routes).toContain('route environment=prod cluster=prod-montreal severity=ticket alertname=SloBurnRateTicketSlow → ticket');
    expect(routes.filter((n) => n.endsWith(`→ ${RECEIVERS.pager}`))).toEqual([]);
    expect(report.checks.map((c) => c.name)).toContain('promtool test rules');
  });

  it('the route check can fail: the primary\'s config sends the same page to the pager', async () => {
    const config = join(tmp, 'primary-alertmanager.yml');
    writeFileSync(config, generateMonitoring({ platform: smallPlatform(), environment: 'prod', format: 'files' }).files[LAYOUT.alertmanager] as string);
    const labels = ['environment=prod', 'cluster=prod-montreal', 'severity=page', 'alertname=SloBurnRatePageFast'];
    const asTicket = await runTool('amtool', ['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${RECEIVERS.ticket}`, ...labels]);
    expect(asTicket.code).not.toBe(0);
    expect(asTicket.stdout).toContain(RECEIVERS.pager);
  });
});

import { describe, expect, it } from 'vitest';
import { platform as catalog } from '@cios/catalog';
import { GRAFANA_UID_MAX_LENGTH, dashboardUid, generateMonitoring, isAlert, overviewDashboardUid } from '../src/index.js';

interface DashboardJson {
  readonly uid: string;
  readonly links?: readonly { readonly url?: string }[];
  readonly templating?: { readonly list?: readonly { readonly name: string }[] };
}

function dashboardsOf(environment: string): Map<string, DashboardJson> {
  const files = generateMonitoring({ platform: catalog, environment, format: 'files' }).files;
  const dashboards = Object.entries(files)
    .filter(([path]) => path.startsWith('grafana/dashboards/'))
    .map(([, text]) => JSON.parse(text) as DashboardJson);
  return new Map(dashboards.map((d) => [d.uid, d]));
}

describe('dashboards of every environment live side by side in one Grafana', () => {
  const environments = catalog.environments.map((e) => e.name);
  const byEnvironment = new Map(environments.map((e) => [e, dashboardsOf(e)]));

  it('no uid is shared between environments, and every uid fits Grafana\'s 40 characters', () => {
    const all = [...byEnvironment.values()].flatMap((m) => [...m.keys()]);
    expect(new Set(all).size).toBe(all.length);
    for (const uid of all) expect(uid.length, uid).toBeLessThanOrEqual(GRAFANA_UID_MAX_LENGTH);
  });

  it('every alert\'s dashboard_url and every dashboard link opens a dashboard of the same environment', () => {
    for (const environment of environments) {
      const dashboards = byEnvironment.get(environment) as Map<string, DashboardJson>;
      const rules = generateMonitoring({ platform: catalog, environment, format: 'files' }).rules;
      const urls = rules.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter(isAlert).map((a) => a.annotations['dashboard_url'] ?? '');
      const links = [...dashboards.values()].flatMap((d) => (d.links ?? []).map((l) => l.url ?? ''));
      expect(urls.length).toBeGreaterThan(0);
      for (const url of [...urls, ...links]) {
        // No query string: the dashboards have no environment variable, the uid alone names the environment.
        const uid = /\/d\/([^/?#]+)$/.exec(url)?.[1];
        expect(dashboards.has(uid ?? ''), `${environment}: ${url}`).toBe(true);
      }
    }
  });

  it('cuts a long uid and keeps it unique with a hash of the whole', () => {
    const long = 'a-service-with-a-very-long-name-indeed';
    const a = dashboardUid('production-canada', `${long}-one`);
    const b = dashboardUid('production-canada', `${long}-two`);
    expect(a).toHaveLength(GRAFANA_UID_MAX_LENGTH);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^ciosh[0-9a-f]{12}_production-canada_a-se/);
    expect(dashboardUid('prod', 'api')).toBe('cios_prod_api');
    expect(overviewDashboardUid('prod')).toBe('cios_prod');
  });

  it('never gives two dashboards one uid: environments that prefix each other, a service named overview, long names', () => {
    const uids = [
      dashboardUid('prod-eu', 'x'),
      dashboardUid('prod', 'eu-x'),
      dashboardUid('prod', 'overview'),
      overviewDashboardUid('prod'),
      overviewDashboardUid('prod-eu'),
      dashboardUid('prod', 'eu'),
      // A short uid that looks like a cut one stays in its own family.
      dashboardUid('h0123', 'x'),
      dashboardUid('production-canada-central', 'document-service-with-long-name'),
      dashboardUid('production-canada-central', 'document-service-with-long-name-2'),
    ];
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid.length).toBeLessThanOrEqual(GRAFANA_UID_MAX_LENGTH);
  });
});

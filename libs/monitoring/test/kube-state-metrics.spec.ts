import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { platform as catalog } from '@cios/catalog';
import { LAYOUT, generateMonitoring, kubeStateMetricsArgs, runTool, writeFilesAtomically } from '../src/index.js';
import { smallPlatform } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'cios-monitoring-ksm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `pods=[a,b]` entries of an allowlist → the Prometheus label names kube-state-metrics derives from them. */
function exposed(entries: readonly string[], kind: 'label' | 'annotation'): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const entry of entries) {
    const m = /^(\w+)=\[(.*)\]$/.exec(entry);
    if (!m) throw new Error(`not an allowlist entry: ${entry}`);
    const keys = (m[2] as string).split(',').map((k) => `${kind}_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`);
    out.set(m[1] as string, new Set(keys));
  }
  return out;
}

/** Resource → `label_*` / `annotation_*` names the rules read from kube_<resource>_labels / _annotations. */
function readByRules(rules: string, kind: 'labels' | 'annotations'): Map<string, Set<string>> {
  const plural: Record<string, string> = { pod: 'pods', cronjob: 'cronjobs', deployment: 'deployments', statefulset: 'statefulsets' };
  const out = new Map<string, Set<string>>();
  for (const m of rules.matchAll(new RegExp(`kube_(\\w+?)_${kind}\\{([^}]*)\\}`, 'g'))) {
    const resource = plural[m[1] as string] ?? `${m[1]}s`;
    const names = [...(m[2] as string).matchAll(/\b((?:label|annotation)_\w+)/g)].map((x) => x[1] as string);
    out.set(resource, new Set([...(out.get(resource) ?? []), ...names]));
  }
  return out;
}

describe('kube-state-metrics settings', () => {
  const { files } = generateMonitoring({ platform: catalog, environment: 'prod', format: 'files' });
  const values = parse(files[LAYOUT.kubeStateMetrics] as string) as { metricLabelsAllowlist: string[]; metricAnnotationsAllowList: string[] };

  it('are rendered as Helm values, with the flags in the header', () => {
    expect(values).toEqual({
      metricLabelsAllowlist: ['pods=[app.kubernetes.io/name,app.kubernetes.io/version]'],
      metricAnnotationsAllowList: ['cronjobs=[cios.ca/suspended-because]'],
    });
    expect(kubeStateMetricsArgs()).toEqual([
      '--metric-labels-allowlist=pods=[app.kubernetes.io/name,app.kubernetes.io/version]',
      '--metric-annotations-allowlist=cronjobs=[cios.ca/suspended-because]',
    ]);
    for (const arg of kubeStateMetricsArgs()) expect(files[LAYOUT.kubeStateMetrics]).toContain(`#   ${arg}\n`);
    const operator = generateMonitoring({ platform: catalog, environment: 'prod', format: 'operator' }).files;
    expect(operator[LAYOUT.kubeStateMetrics]).toBe(files[LAYOUT.kubeStateMetrics]);
  });

  it('allow every Kubernetes label and annotation the generated rules read, and nothing they do not', () => {
    const rules = Object.entries(files)
      .filter(([path]) => path.startsWith('prometheus/rules/'))
      .map(([, content]) => content)
      .join('\n');
    const labels = readByRules(rules, 'labels');
    const annotations = readByRules(rules, 'annotations');
    expect(labels.get('pods')).toEqual(new Set(['label_app_kubernetes_io_name', 'label_app_kubernetes_io_version']));
    expect(annotations.get('cronjobs')).toEqual(new Set(['annotation_cios_ca_suspended_because']));
    expect(exposed(values.metricLabelsAllowlist, 'label')).toEqual(labels);
    expect(exposed(values.metricAnnotationsAllowList, 'annotation')).toEqual(annotations);
  });
});

describe('release markers', () => {
  it('a generated promtool test records both releases mid-rollout and tells the new release\'s errors from the old', async () => {
    const { files } = generateMonitoring({ platform: smallPlatform(), environment: 'prod', format: 'files' });
    const test = files[LAYOUT.tests('platform.releases')] as string;
    expect(test).toContain('label_app_kubernetes_io_version="new-release"');
    const dir = join(tmp, 'prod');
    await writeFilesAtomically(dir, files);
    const cwd = join(dir, 'prometheus/tests');
    const ok = await runTool('promtool', ['test', 'rules', 'platform.releases.test.yml'], cwd);
    expect(ok.stdout + ok.stderr).toContain('SUCCESS');
    expect(ok.code).toBe(0);

    // Reading the release from another label than the allowlisted one loses every marker.
    const rules = join(dir, LAYOUT.rules('platform'));
    const source = readFileSync(rules, 'utf8');
    writeFileSync(rules, source.replaceAll('label_app_kubernetes_io_version', 'label_cios_ca_release'));
    const broken = await runTool('promtool', ['test', 'rules', 'platform.releases.test.yml'], cwd);
    expect(broken.code).not.toBe(0);
    expect(broken.stdout + broken.stderr).toContain('cios:release_info');
  });
});

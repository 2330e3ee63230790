import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Dashboard,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { dashboardUid, overviewDashboardUid } from './links.js';
import type { MonitoringModel, ResolvedService, ResolvedSlo } from './model.js';
import {
  ERROR_BUDGET_REMAINING,
  RELEASE_INFO,
  REQUESTS_TOTAL,
  errorRatioQuery,
  latencyQuantileQuery,
  requestRateQuery,
  selector,
  sloErrorRatioRecord,
} from './promql.js';
import { serviceNamespaces } from './scrape.js';

const DS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
const RATE_WINDOW = '5m';

function query(expr: string, legend: string, refId: string): DataqueryBuilder {
  return new DataqueryBuilder().datasource(DS).expr(expr).legendFormat(legend).refId(refId);
}

function series(title: string, unit: string, queries: readonly DataqueryBuilder[], description?: string): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder().title(title).datasource(DS).unit(unit).height(8).span(12);
  if (description) panel.description(description);
  for (const q of queries) panel.withTarget(q);
  return panel;
}

function thresholds(steps: readonly { value: number | null; color: string }[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map((s) => ({ value: s.value, color: s.color })));
}

/** Grafana annotations from the release markers: a marker wherever a release appears that was not there 2 minutes earlier. */
export function releaseAnnotation(serviceMatcher: Record<string, string> | string[]): AnnotationQueryBuilder {
  const sel = Array.isArray(serviceMatcher) ? selector({}, serviceMatcher) : selector(serviceMatcher);
  return new AnnotationQueryBuilder()
    .name('Releases')
    .datasource(DS)
    .enable(true)
    .iconColor('#8F3BB8')
    .expr(`${RELEASE_INFO}${sel} unless ${RELEASE_INFO}${sel} offset 2m`)
    .step('1m')
    .titleFormat('{{service}} {{release}}')
    .tagKeys('service,release');
}

function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');
}

function sloPanels(r: ResolvedSlo): (stat.PanelBuilder | timeseries.PanelBuilder)[] {
  const identity = selector({ service: r.service.name, slo: r.slo.name });
  const objective = `${r.objective.shiftLeft(-2).toString()}%`;
  const budget = new stat.PanelBuilder()
    .title(`${r.slo.name}: error budget left`)
    .description(`${r.slo.description ?? r.slo.name} — objective ${objective}`)
    .datasource(DS)
    .unit('percentunit')
    .min(0)
    .max(1)
    .height(8)
    .span(6)
    .graphMode(common.BigValueGraphMode.Area)
    .thresholds(
      thresholds([
        { value: null, color: 'red' },
        { value: 0.25, color: 'orange' },
        { value: 0.5, color: 'green' },
      ]),
    )
    .withTarget(query(`${ERROR_BUDGET_REMAINING}${identity}`, 'budget left', 'A'));
  const windows = r.windows.slice(0, 3);
  const ratio = series(
    `${r.slo.name}: error ratio against the budget (${objective})`,
    'percentunit',
    [
      ...windows.map((w, i) => query(`${sloErrorRatioRecord(w)}${identity}`, `error ratio ${w}`, String.fromCharCode(65 + i))),
      query(`vector(${r.budget.toString()})`, 'budget (1× burn)', 'Z'),
    ],
    r.slo.sli === 'latency' ? `Share of requests slower than ${r.slo.thresholdMs} ms` : 'Share of requests answered with a 5xx',
  ).span(18);
  return [budget, ratio];
}

/** The dashboard of one service: SLOs, traffic, errors, latency, saturation, release markers. */
export function serviceDashboard(model: MonitoringModel, s: ResolvedService): Dashboard {
  const name = s.service.name;
  const scope = { service: name, namespace: s.namespace };
  const pods = selector({ namespace: s.namespace, container: name });
  const builder = new DashboardBuilder(`${name} (${model.environment.name})`)
    .uid(dashboardUid(model.environment.name, name))
    .tags(['cios', `tier:${s.service.tier}`, `environment:${model.environment.name}`])
    .description(s.service.description ?? name)
    .editable()
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable())
    .annotation(releaseAnnotation({ service: name }))
    .link(new DashboardLinkBuilder('Overview').type(DashboardLinkType.Link).url(`/d/${overviewDashboardUid(model.environment.name)}`));

  if (s.slos.length > 0) {
    builder.withRow(new RowBuilder('Service level objectives'));
    for (const r of s.slos) for (const panel of sloPanels(r)) builder.withPanel(panel);
  }
  builder.withRow(new RowBuilder('Requests'));
  builder.withPanel(
    series('Request rate by status', 'reqps', [
      query(`sum by (code) (rate(${REQUESTS_TOTAL}${selector(scope)}[${RATE_WINDOW}]))`, '{{code}}', 'A'),
      query(requestRateQuery(scope, RATE_WINDOW), 'total', 'B'),
    ]),
  );
  builder.withPanel(series('Error ratio (5xx)', 'percentunit', [query(errorRatioQuery(scope, RATE_WINDOW), '5xx ratio', 'A')]));
  builder.withPanel(
    series(
      'Latency',
      's',
      ['0.5', '0.95', '0.99'].map((q, i) => query(latencyQuantileQuery(scope, q, RATE_WINDOW), `p${Number(q) * 100}`, String.fromCharCode(65 + i))),
    ),
  );
  builder.withPanel(
    series('Requests by route', 'reqps', [
      query(`sum by (route) (rate(${REQUESTS_TOTAL}${selector(scope)}[${RATE_WINDOW}]))`, '{{route}}', 'A'),
    ]),
  );
  builder.withRow(new RowBuilder('Saturation'));
  builder.withPanel(
    series('CPU used per pod (cores)', 'short', [
      query(`sum by (pod) (rate(container_cpu_usage_seconds_total${pods}[${RATE_WINDOW}]))`, '{{pod}}', 'A'),
      query(`max(kube_pod_container_resource_limits${selector({ namespace: s.namespace, container: name, resource: 'cpu' })})`, 'limit', 'B'),
    ]),
  );
  builder.withPanel(
    series('Memory working set per pod', 'bytes', [
      query(`sum by (pod) (container_memory_working_set_bytes${pods})`, '{{pod}}', 'A'),
      query(`max(kube_pod_container_resource_limits${selector({ namespace: s.namespace, container: name, resource: 'memory' })})`, 'limit', 'B'),
    ]),
  );
  const kind = s.service.workload === 'stateful' ? 'statefulset' : 'deployment';
  const w = selector({ namespace: s.namespace, [kind]: name });
  builder.withPanel(
    series('Replicas', 'short', [
      query(kind === 'deployment' ? `kube_deployment_status_replicas_available${w}` : `kube_statefulset_status_replicas_ready${w}`, 'available', 'A'),
      query(kind === 'deployment' ? `kube_deployment_spec_replicas${w}` : `kube_statefulset_replicas${w}`, 'desired', 'B'),
      ...(s.service.autoscaling
        ? [query(`kube_horizontalpodautoscaler_spec_max_replicas${selector({ namespace: s.namespace, horizontalpodautoscaler: name })}`, 'autoscaling max', 'C')]
        : []),
    ]),
  );
  if (s.service.storage) {
    const pvc = selector({ namespace: s.namespace }, [`persistentvolumeclaim=~${JSON.stringify(`data-${name}-[0-9]+`)}`]);
    builder.withPanel(
      series('Volume used', 'percentunit', [
        query(`1 - kubelet_volume_stats_available_bytes${pvc} / kubelet_volume_stats_capacity_bytes${pvc}`, '{{persistentvolumeclaim}}', 'A'),
      ]),
    );
  }
  builder.withPanel(
    series('Running release', 'short', [query(`${RELEASE_INFO}${selector({ service: name })}`, '{{release}}', 'A')]),
  );
  return builder.build();
}

/** One page for the environment: budgets, traffic and errors of every service, firing alerts, releases. */
export function overviewDashboard(model: MonitoringModel): Dashboard {
  const env = model.environment.name;
  const ns = `namespace=~${JSON.stringify(serviceNamespaces(model.environment).join('|'))}`;
  const builder = new DashboardBuilder(`CIOS overview (${env})`)
    .uid(overviewDashboardUid(model.environment.name))
    .tags(['cios', `environment:${env}`])
    .editable()
    .refresh('1m')
    .time({ from: 'now-24h', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable())
    .annotation(releaseAnnotation(['service!=""']));
  builder.withPanel(
    new stat.PanelBuilder()
      .title('Alerts firing')
      .datasource(DS)
      .height(6)
      .span(6)
      .thresholds(thresholds([{ value: null, color: 'green' }, { value: 1, color: 'red' }]))
      .withTarget(query(`count(ALERTS{alertstate="firing"}) or vector(0)`, 'firing', 'A')),
  );
  builder.withPanel(
    series('Error budget left by SLO', 'percentunit', [query(ERROR_BUDGET_REMAINING, '{{service}} / {{slo}}', 'A')]).span(18),
  );
  builder.withPanel(
    series('Requests by service', 'reqps', [
      query(`sum by (service) (rate(${REQUESTS_TOTAL}{${ns}}[${RATE_WINDOW}]))`, '{{service}}', 'A'),
    ]),
  );
  builder.withPanel(
    series('5xx ratio by service', 'percentunit', [
      query(
        `sum by (service) (rate(${REQUESTS_TOTAL}{${ns},code=~"5.."}[${RATE_WINDOW}])) / sum by (service) (rate(${REQUESTS_TOTAL}{${ns}}[${RATE_WINDOW}]))`,
        '{{service}}',
        'A',
      ),
    ]),
  );
  for (const s of model.services) {
    builder.link(
      new DashboardLinkBuilder(s.service.name).type(DashboardLinkType.Link).url(`/d/${dashboardUid(model.environment.name, s.service.name)}`),
    );
  }
  return builder.build();
}

import { DEFAULT_BURN_TIERS, type SloPolicyInput } from '@cios/platform-spec';

/**
 * How every CIOS SLO is alerted on, written out so it can be read and changed here: the SloPolicy defaults
 * (a 30-day period, the SRE workbook's four burn tiers: pages without `for:`, tickets with Pyrra's), no low-traffic guard and no
 * absent-metric alert yet. `cios-monitoring generate --policy FILE` overrides it field by field; an SLO's
 * `alerting` overrides tiers, `minRequests` and `alertOnAbsent` for that SLO.
 */
export const SLO_POLICY: SloPolicyInput = {
  period: '30d',
  tiers: DEFAULT_BURN_TIERS.map((tier) => ({ ...tier })),
  minRequests: 0,
  alertOnAbsent: false,
  absentFor: '10m',
  scrapeInterval: '30s',
  evaluationInterval: '30s',
  runbookBaseUrl: 'https://runbooks.cios.ca/slo',
  grafanaBaseUrl: 'https://grafana.cios.ca',
};

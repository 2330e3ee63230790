import { z } from 'zod';
import { Dns1123Label } from './names.js';

/** A Prometheus duration such as "5m", "1h30m" or "30d". */
export const PromDuration = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'must be a Prometheus duration such as "30s", "5m", "1h" or "30d"');

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Milliseconds in a Prometheus duration; throws on anything PromDuration would refuse. */
export function durationMs(duration: string): number {
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(duration)) throw new Error(`not a Prometheus duration: ${JSON.stringify(duration)}`);
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return total;
}

/** The shortest Prometheus spelling of a duration in milliseconds ("90m" → "1h30m"; weeks and years are avoided). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`not a whole number of milliseconds: ${ms}`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit] as number;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return out;
}

/**
 * Upper bounds (seconds) of the `http_request_duration_seconds` histogram every CIOS service exposes.
 * A latency SLO's threshold must be one of them: the SLI is read straight from a bucket, never interpolated.
 */
export const REQUEST_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10,
];

export const Severity = z.enum(['page', 'ticket', 'info']);
export type Severity = z.infer<typeof Severity>;

/** One multiwindow burn-rate alert: fires when both windows burn faster than `factor` times the sustainable rate. */
export const BurnTier = z.strictObject({
  /** Part of the alert's identity (`burn_tier` label, alert name); keep it stable. */
  name: Dns1123Label,
  /** Burn rate: 1 spends the whole budget in exactly one SLO period. */
  factor: z.number().positive('must be above 0'),
  longWindow: PromDuration,
  /** Makes the alert reset quickly once the burn stops. */
  shortWindow: PromDuration,
  severity: Severity,
  for: PromDuration.default('0s'),
  enabled: z.boolean().default(true),
});
export type BurnTier = z.infer<typeof BurnTier>;
export type BurnTierInput = z.input<typeof BurnTier>;

/**
 * The Google SRE workbook's table (chapter 5, "Alerting on SLOs"). The page tiers have no `for:`: their short
 * window already keeps a blip from paging, and Pyrra's 2m/15m made a 20× burn page 46 minutes in instead of
 * the workbook's ~43. The ticket tiers keep Pyrra's `for:` (an hour early or late is no matter for a ticket).
 */
export const DEFAULT_BURN_TIERS: readonly BurnTier[] = [
  { name: 'page-fast', factor: 14.4, longWindow: '1h', shortWindow: '5m', severity: 'page', for: '0s', enabled: true },
  { name: 'page-slow', factor: 6, longWindow: '6h', shortWindow: '30m', severity: 'page', for: '0s', enabled: true },
  { name: 'ticket-fast', factor: 3, longWindow: '1d', shortWindow: '2h', severity: 'ticket', for: '1h', enabled: true },
  { name: 'ticket-slow', factor: 1, longWindow: '3d', shortWindow: '6h', severity: 'ticket', for: '3h', enabled: true },
];

/** How every SLO of a platform is turned into rules and alerts; each SLO may override its alerting. */
export const SloPolicy = z
  .strictObject({
    /** The period the objective and the error budget are measured over. */
    period: PromDuration.default('30d'),
    tiers: z.array(BurnTier).min(1, 'needs at least one burn-rate tier').default([...DEFAULT_BURN_TIERS]),
    /** Below this many requests in a tier's long window its alert stays silent (0 turns the guard off). */
    minRequests: z.number().int().min(0).default(0),
    /** Alert when the SLI's metric disappears (a dead exporter otherwise looks like a perfect SLO). */
    alertOnAbsent: z.boolean().default(false),
    absentFor: PromDuration.default('10m'),
    /** Prometheus scrapes this often; every window must hold at least two scrapes for rate() to work. */
    scrapeInterval: PromDuration.default('30s'),
    evaluationInterval: PromDuration.default('30s'),
    latencyBucketsSeconds: z.array(z.number().positive()).min(1).default([...REQUEST_DURATION_BUCKETS_SECONDS]),
    runbookBaseUrl: z.url().default('https://runbooks.cios.ca/slo'),
    grafanaBaseUrl: z.url().default('https://grafana.cios.ca'),
  })
  .superRefine((p, ctx) => {
    // zod runs this refinement even when a field failed its own check; those fields are reported already.
    const tiers: unknown[] = Array.isArray(p.tiers) ? p.tiers : [];
    if (tiers.length !== p.tiers.length || !tiers.every((t) => typeof t === 'object' && t !== null)) return;
    const durations = [p.period, p.scrapeInterval, p.evaluationInterval, p.absentFor, ...p.tiers.flatMap((t) => [t.longWindow, t.shortWindow, t.for])];
    if (!durations.every((d) => PromDuration.safeParse(d).success)) return;
    const scrape = durationMs(p.scrapeInterval);
    const seen = new Set<string>();
    p.tiers.forEach((tier, i) => {
      if (seen.has(tier.name)) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'name'], message: `duplicate burn tier name "${tier.name}"` });
      }
      seen.add(tier.name);
      for (const key of ['longWindow', 'shortWindow'] as const) {
        if (durationMs(tier[key]) < 2 * scrape) {
          ctx.addIssue({
            code: 'custom',
            path: ['tiers', i, key],
            message: `${tier[key]} is shorter than two scrape intervals (scrapeInterval ${p.scrapeInterval}): rate() needs at least two samples in a window`,
          });
        }
      }
      if (durationMs(tier.shortWindow) >= durationMs(tier.longWindow)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'shortWindow'],
          message: `must be shorter than longWindow ${tier.longWindow}`,
        });
      }
      if (durationMs(tier.longWindow) > durationMs(p.period)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'longWindow'],
          message: `must not be longer than the SLO period ${p.period}`,
        });
      }
    });
    if (durationMs(p.evaluationInterval) < 1000) {
      ctx.addIssue({ code: 'custom', path: ['evaluationInterval'], message: 'must be at least 1s' });
    }
    const tooShort = evaluationOutpaced(p);
    if (tooShort) {
      ctx.addIssue({
        code: 'custom',
        path: ['evaluationInterval'],
        message: `${p.evaluationInterval} is longer than ${tooShort}: rules evaluated that rarely miss the window or fire later than their for: says`,
      });
    }
  });

/**
 * The shortest alert window or smallest non-zero `for:` (absentFor included) shorter than the evaluation
 * interval, described with its field, or undefined. A zero `for:` fires at the first evaluation, whatever the interval.
 */
function evaluationOutpaced(p: { evaluationInterval: string; absentFor: string; tiers: readonly BurnTier[] }): string | undefined {
  const evaluation = durationMs(p.evaluationInterval);
  const candidates = [
    ...p.tiers.map((t, i) => ({ ms: durationMs(t.shortWindow), what: `the shortest alert window, tiers[${i}].shortWindow ${t.shortWindow} ("${t.name}")` })),
    ...p.tiers.map((t, i) => ({ ms: durationMs(t.for), what: `the smallest for:, tiers[${i}].for ${t.for} ("${t.name}")` })),
    { ms: durationMs(p.absentFor), what: `the smallest for:, absentFor ${p.absentFor}` },
  ].filter((c) => c.ms > 0);
  const shortest = candidates.reduce<(typeof candidates)[number] | undefined>((min, c) => (min === undefined || c.ms < min.ms ? c : min), undefined);
  return shortest !== undefined && evaluation > shortest.ms ? shortest.what : undefined;
}
export type SloPolicy = z.infer<typeof SloPolicy>;
export type SloPolicyInput = z.input<typeof SloPolicy>;

/** Per-SLO changes to one tier of the policy. */
export const TierOverride = z.strictObject({
  enabled: z.boolean().optional(),
  severity: Severity.optional(),
  for: PromDuration.optional(),
});

/** Per-SLO alerting overrides; anything left out comes from the platform's SloPolicy. */
export const SloAlerting = z.strictObject({
  tiers: z.record(Dns1123Label, TierOverride).optional(),
  minRequests: z.number().int().min(0).optional(),
  alertOnAbsent: z.boolean().optional(),
});
export type SloAlerting = z.infer<typeof SloAlerting>;

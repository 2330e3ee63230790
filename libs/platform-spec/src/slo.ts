import { z } from 'zod';
import { Dns1123Label } from './names.js';
import { SloAlerting } from './slo-policy.js';

/**
 * An objective in percent, strictly between 0 and 100: 100% leaves no error budget,
 * so no burn-rate alert could ever be computed for it.
 */
export const ObjectivePercent = z
  .number()
  .gt(0, 'must be above 0%')
  .lt(100, 'must be below 100%: an objective of 100% leaves no error budget to alert on');

const sloCommon = {
  /** Identifies the SLO within its service; part of every series' identity, so keep it stable. */
  name: Dns1123Label,
  objective: ObjectivePercent,
  /** Free text for people; changing it never changes a series' identity. */
  description: z.string().optional(),
  /** Overrides of the platform's SLO policy for this SLO (tiers, low-traffic guard, absent-metric alert). */
  alerting: SloAlerting.optional(),
};

export const AvailabilitySlo = z.strictObject({
  ...sloCommon,
  sli: z.literal('availability'),
});

export const LatencySlo = z.strictObject({
  ...sloCommon,
  sli: z.literal('latency'),
  /** Requests slower than this count against the objective. Must match a histogram bucket boundary. */
  thresholdMs: z.number({ error: 'a latency SLO needs thresholdMs, the latency a request must beat' }).int().positive(),
});

export const Slo = z.discriminatedUnion('sli', [AvailabilitySlo, LatencySlo], {
  error: 'sli must be "availability" or "latency"',
});

export type Slo = z.infer<typeof Slo>;
export type AvailabilitySlo = z.infer<typeof AvailabilitySlo>;
export type LatencySlo = z.infer<typeof LatencySlo>;

/** Timestamps: real KBs mix `…+00:00`, `…Z` and times without a zone (read as UTC). */
import { ISO_TIMESTAMP } from './schema.js';

export function isIsoTimestamp(value: string): boolean {
  return ISO_TIMESTAMP.test(value);
}

/** Milliseconds since the epoch; times without a zone are taken as UTC. NaN if unparsable. */
export function timeOf(value: string | null | undefined): number {
  if (!value) return Number.NaN;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value) && value.includes('T');
  const normalised = value.includes('T') && !hasZone ? `${value}Z` : value;
  // JS dates keep milliseconds only: trim extra fraction digits (…58.440085 → …58.440).
  return Date.parse(normalised.replace(/(\.\d{3})\d+/, '$1'));
}

/**
 * What an approval of a plan is bound to. The saved plan file differs on every run (it embeds
 * timestamps and state serials), so the binding is a canonical digest of the changes it intends
 * (`terraform show -json`: resource_changes and output_changes), not the file's bytes.
 */
import { byCodePoint } from '@cios/platform-spec';
import { sha256, stableStringify } from './hash.js';

interface Change {
  actions?: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  replace_paths?: unknown;
}

interface PlanJson {
  resource_changes?: { address?: string; change?: Change }[];
  output_changes?: Record<string, Change>;
}

const SENSITIVE = '(sensitive)';

/** Replaces every value Terraform marks sensitive: a digest must not be a way to guess a secret. */
export function maskSensitive(value: unknown, mask: unknown): unknown {
  if (mask === true) return SENSITIVE;
  if (Array.isArray(value)) return value.map((v, i) => maskSensitive(v, Array.isArray(mask) ? mask[i] : undefined));
  if (value !== null && typeof value === 'object') {
    const m = mask !== null && typeof mask === 'object' ? (mask as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSensitive(v, m[k])]));
  }
  return value;
}

/** No-ops and data-source reads are not intended changes: refresh noise on them must not void an approval. */
function intended(actions: readonly string[]): boolean {
  return !(actions.length === 1 && (actions[0] === 'no-op' || actions[0] === 'read'));
}

function canonicalChange(c: Change): Record<string, unknown> {
  return {
    actions: c.actions ?? [],
    before: maskSensitive(c.before ?? null, c.before_sensitive),
    after: maskSensitive(c.after ?? null, c.after_sensitive),
    after_unknown: c.after_unknown ?? null,
    replace_paths: c.replace_paths ?? null,
  };
}

/** The canonical form of one stack's planned changes, sorted by address and name. */
export function canonicalPlannedChanges(json: unknown): { resources: unknown[]; outputs: unknown[] } {
  const plan = json as PlanJson;
  const resources = (plan.resource_changes ?? [])
    .filter((rc) => intended(rc.change?.actions ?? []))
    .map((rc) => ({ address: rc.address ?? '?', ...canonicalChange(rc.change ?? {}) }))
    .sort((a, b) => byCodePoint(a.address, b.address));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => intended(c.actions ?? []))
    .map(([name, c]) => ({ name, ...canonicalChange(c) }))
    .sort((a, b) => byCodePoint(a.name, b.name));
  return { resources, outputs };
}

export function plannedChangesDigest(json: unknown): string {
  return sha256(stableStringify(canonicalPlannedChanges(json)));
}

/** One stack's part of an apply, as the release digest sees it. */
export interface PlannedStack {
  readonly stack: string;
  readonly action: 'apply' | 'destroy';
  readonly changesDigest: string;
}

function digestsByStack(planned: readonly PlannedStack[], action: PlannedStack['action']): Record<string, string> {
  return Object.fromEntries(planned.filter((p) => p.action === action).map((p) => [p.stack, p.changesDigest]));
}

/**
 * One digest for everything a release's apply does: every applied stack's digest under its name
 * and every destroyed stack's in a map of its own, so a destroy and an apply of one name never
 * collide. With nothing to destroy the input is the applied map alone (its values are digest
 * strings, never maps, so the two forms cannot meet): an approval given before destroys were
 * bound, for an apply that destroys nothing, covered everything and stays valid.
 */
export function releaseChangesDigest(planned: readonly PlannedStack[]): string {
  const apply = digestsByStack(planned, 'apply');
  const destroy = digestsByStack(planned, 'destroy');
  return sha256(stableStringify(Object.keys(destroy).length === 0 ? apply : { apply, destroy }));
}

/** The plan hash an approval names when Terraform planned: the rendered files and the changes together. */
export function boundPlanHash(filesHash: string, changesDigest: string): string {
  return sha256(`files ${filesHash}\nchanges ${changesDigest}\n`);
}

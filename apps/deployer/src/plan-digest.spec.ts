import { describe, expect, it } from 'vitest';
import { sha256, stableStringify } from './hash.js';
import { boundPlanHash, canonicalPlannedChanges, maskSensitive, plannedChangesDigest, releaseChangesDigest } from './plan-digest.js';

const create = (address: string, input: string) => ({
  address,
  change: { actions: ['create'], before: null, after: { input }, after_unknown: { id: true }, before_sensitive: false, after_sensitive: {} },
});
const noop = (address: string, id: string) => ({ address, change: { actions: ['no-op'], before: { id }, after: { id } } });

describe('plannedChangesDigest', () => {
  it('ignores what differs between runs of the same plan: order, no-ops, timestamps, serials', () => {
    const a = { format_version: '1.2', timestamp: '2026-01-01T00:00:00Z', resource_changes: [create('t.a', '1'), create('t.b', '2'), noop('t.c', 'x')] };
    const b = { format_version: '1.2', timestamp: '2026-02-02T00:00:00Z', prior_state: { serial: 9 }, resource_changes: [create('t.b', '2'), noop('t.c', 'refreshed'), create('t.a', '1')] };
    expect(plannedChangesDigest(b)).toBe(plannedChangesDigest(a));
  });

  it('changes with an input, an action or an output', () => {
    const base = plannedChangesDigest({ resource_changes: [create('t.a', '1')] });
    expect(plannedChangesDigest({ resource_changes: [create('t.a', '2')] })).not.toBe(base);
    expect(plannedChangesDigest({ resource_changes: [{ ...create('t.a', '1'), change: { ...create('t.a', '1').change, actions: ['delete', 'create'] } }] })).not.toBe(base);
    expect(plannedChangesDigest({ resource_changes: [create('t.a', '1')], output_changes: { url: { actions: ['create'], after: 'x' } } })).not.toBe(base);
    expect(plannedChangesDigest({ resource_changes: [create('t.a', '1')], output_changes: { url: { actions: ['no-op'], after: 'x' } } })).toBe(base);
  });

  it('never carries a sensitive value, so it changes only with what is not secret', () => {
    const secret = (v: string) => ({ resource_changes: [{ address: 't.s', change: { actions: ['update'], before: { pw: 'old', n: 1 }, after: { pw: v, n: 2 }, before_sensitive: { pw: true }, after_sensitive: { pw: true } } }] });
    expect(JSON.stringify(canonicalPlannedChanges(secret('hunter2')))).not.toContain('hunter2');
    expect(plannedChangesDigest(secret('hunter2'))).toBe(plannedChangesDigest(secret('other')));
    expect(maskSensitive({ list: ['a', 'b'], keep: 1 }, { list: [false, true] })).toEqual({ list: ['a', '(sensitive)'], keep: 1 });
  });

  it('binds the files and the changes together, per stack', () => {
    const apply = (stack: string, changesDigest: string) => ({ stack, action: 'apply' as const, changesDigest });
    expect(releaseChangesDigest([apply('app', 'x'), apply('db', 'y')])).toBe(releaseChangesDigest([apply('db', 'y'), apply('app', 'x')]));
    expect(releaseChangesDigest([apply('app', 'x')])).not.toBe(releaseChangesDigest([apply('app', 'y')]));
    expect(boundPlanHash('f', 'c')).not.toBe(boundPlanHash('f', 'd'));
    expect(boundPlanHash('f', 'c')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('binds the stacks an apply destroys, apart from the stacks it applies', () => {
    const outcome = (stack: string, action: 'apply' | 'destroy', changesDigest: string) => ({ stack, action, changesDigest });
    const applyOnly = releaseChangesDigest([outcome('app', 'apply', 'x')]);
    expect(releaseChangesDigest([outcome('app', 'apply', 'x'), outcome('worker', 'destroy', 'w')])).not.toBe(applyOnly);
    expect(releaseChangesDigest([outcome('app', 'apply', 'x'), outcome('worker', 'destroy', 'w')])).not.toBe(releaseChangesDigest([outcome('app', 'apply', 'x'), outcome('worker', 'destroy', 'v')]));
    // The same name and digest applied or destroyed is a different apply.
    expect(releaseChangesDigest([outcome('app', 'apply', 'x'), outcome('worker', 'destroy', 'w')])).not.toBe(releaseChangesDigest([outcome('app', 'apply', 'x'), outcome('worker', 'apply', 'w')]));
    // Stacks named like the digest input's own keys cannot pass for the destroy map.
    expect(releaseChangesDigest([outcome('apply', 'apply', 'x'), outcome('destroy', 'apply', 'w')])).not.toBe(releaseChangesDigest([outcome('x', 'apply', 'x'), outcome('w', 'destroy', 'w')]));
  });

  it('keeps the digest of an apply that destroys nothing as it was before destroys were bound', () => {
    // Approvals given then covered everything such an apply does; they must stay valid.
    expect(releaseChangesDigest([{ stack: 'app', action: 'apply', changesDigest: 'x' }])).toBe(sha256(stableStringify({ app: 'x' })));
  });
});

import { describe, expect, it } from 'vitest';
import { formatStamp, parseObjectName, parseStamp, safePart } from './naming.js';

describe('object names', () => {
  it('formats a UTC stamp that sorts as time does and parses back', () => {
    const earlier = formatStamp(new Date('2026-03-09T08:05:07.999Z'));
    const later = formatStamp(new Date('2026-11-30T23:00:00.000Z'));
    expect(earlier).toBe('20260309T080507Z');
    expect([later, earlier].sort()).toEqual([earlier, later]);
    expect(parseStamp(earlier)?.toISOString()).toBe('2026-03-09T08:05:07.000Z');
  });

  it('parses only names this tool writes', () => {
    expect(parseObjectName('20260309T080507Z-postgres.app.dump')).toMatchObject({ stem: '20260309T080507Z-postgres', service: 'postgres', part: 'app.dump' });
    expect(parseObjectName('20260309T080507Z-redis.manifest.json')?.part).toBe('manifest.json');
    for (const foreign of ['notes.txt', '20260309T080507Z-mysql.dump', '20260309-postgres.dump', 'x20260309T080507Z-redis.rdb', '20261399T000000Z-redis.rdb']) {
      expect(parseObjectName(foreign), foreign).toBeUndefined();
    }
  });

  it('keeps database and collection names out of path syntax', () => {
    expect(safePart('app')).toBe('app');
    expect(safePart('../etc/x y')).toBe('%2E%2E%2Fetc%2Fx%20y');
  });
});

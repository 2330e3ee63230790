import { describe, expect, it } from 'vitest';
import { planRetention } from './retention.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const o = (name: string) => ({ name, size: 1 });

describe('planRetention', () => {
  it('deletes backups older than the retention and keeps the rest', () => {
    const plan = planRetention(
      [
        o('20261120T110000Z-redis.rdb'),
        o('20261120T110000Z-redis.manifest.json'),
        o('20261126T110000Z-redis.rdb'),
        o('20261126T110000Z-redis.manifest.json'),
        o('20261202T110000Z-redis.rdb'),
        o('20261202T110000Z-redis.manifest.json'),
      ],
      NOW,
      7,
    );
    expect(plan.delete).toEqual(['20261120T110000Z-redis.manifest.json', '20261120T110000Z-redis.rdb']);
    expect(plan.newestComplete).toBe('20261202T110000Z-redis');
  });

  it('never deletes the newest complete backup, however old, but does delete older abandoned runs', () => {
    const plan = planRetention(
      [
        o('20250101T000000Z-postgres.app.dump'),
        o('20250101T000000Z-postgres.manifest.json'),
        // A later run that failed before its manifest: not a restore point, so it does not protect itself.
        o('20250102T000000Z-postgres.app.dump'),
      ],
      NOW,
      35,
    );
    expect(plan.delete).toEqual(['20250102T000000Z-postgres.app.dump']);
    expect(plan.keep).toEqual(['20250101T000000Z-postgres.app.dump', '20250101T000000Z-postgres.manifest.json']);
  });

  it('with keepNewest false (a prefix no longer written to) deletes every expired backup, the newest too', () => {
    const objects = [o('20250101T000000Z-postgres.app.dump'), o('20250101T000000Z-postgres.manifest.json'), o('20261201T000000Z-redis.rdb'), o('20261201T000000Z-redis.manifest.json')];
    const plan = planRetention(objects, NOW, 35, { keepNewest: false });
    expect(plan.delete).toEqual(['20250101T000000Z-postgres.app.dump', '20250101T000000Z-postgres.manifest.json']);
    expect(plan.keep).toEqual(['20261201T000000Z-redis.manifest.json', '20261201T000000Z-redis.rdb']);
    expect(plan.newestComplete).toBeUndefined();
  });

  it('leaves names it did not write and nested names alone', () => {
    const plan = planRetention([o('README.txt'), o('old-dump.sql'), o('nested/20200101T000000Z-redis.rdb'), o('20200101T000000Z-redis.rdb')], NOW, 7);
    expect(plan.delete).toEqual(['20200101T000000Z-redis.rdb']);
    expect(plan.keep).toEqual(['README.txt', 'old-dump.sql']);
  });

  it('keeps a backup exactly at the boundary and deletes one a second older', () => {
    const plan = planRetention([o('20261125T120000Z-qdrant.a.snapshot'), o('20261125T115959Z-qdrant.b.snapshot')], NOW, 7);
    expect(plan.delete).toEqual(['20261125T115959Z-qdrant.b.snapshot']);
  });
});

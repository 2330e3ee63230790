import { describe, expect, it } from 'vitest';
import { groupBackups } from './backups.js';

describe('groupBackups', () => {
  it('groups objects by run, newest first, marking runs without a manifest incomplete', () => {
    const backups = groupBackups([
      { name: '20261201T010000Z-postgres.app.dump', size: 10 },
      { name: '20261201T010000Z-postgres.billing.dump', size: 5 },
      { name: '20261201T010000Z-postgres.manifest.json', size: 1 },
      { name: '20261202T010000Z-postgres.app.dump', size: 7 },
      { name: '20261201T230000Z-redis.rdb', size: 3 },
      { name: 'notes.txt', size: 3 },
    ]);
    expect(backups.map((b) => [b.stem, b.complete, b.size])).toEqual([
      ['20261202T010000Z-postgres', false, 7],
      ['20261201T230000Z-redis', false, 3],
      ['20261201T010000Z-postgres', true, 16],
    ]);
    expect(groupBackups([{ name: '20261201T230000Z-redis.rdb', size: 3 }], 'postgres')).toEqual([]);
  });
});

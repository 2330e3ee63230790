import { platform } from '@cios/catalog';
import { describe, expect, it } from 'vitest';
import { supportImages } from './support-images.js';

describe('supportImages', () => {
  it('lists the distinct backup image repositories of the catalog under their last path segment', () => {
    expect(supportImages(platform)).toEqual([
      { key: 'backup-tools', repository: 'ghcr.io/cios/backup-tools', image: 'ghcr.io/cios/backup-tools:1.4.0', reference: '1.4.0', usedBy: ['postgres', 'qdrant', 'redis'] },
    ]);
  });

  it('looks a digest-only backup image up by its digest, and ignores services without backups', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const services = platform.services.map((s) => (s.backup ? { ...s, backup: { ...s.backup, image: `registry.example:5000/ops/dump@${digest}` } } : s));
    expect(supportImages({ services })).toEqual([
      { key: 'dump', repository: 'registry.example:5000/ops/dump', image: `registry.example:5000/ops/dump@${digest}`, reference: digest, usedBy: ['postgres', 'qdrant', 'redis'] },
    ]);
    expect(supportImages({ services: services.filter((s) => !s.backup) })).toEqual([]);
  });
});

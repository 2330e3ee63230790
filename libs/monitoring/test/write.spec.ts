import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATED_MARKER, OutputDirectoryError, writeFilesAtomically } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'cios-monitoring-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const files = { 'prometheus/rules/a.rules.yml': 'groups: []\n' };

describe('writeFilesAtomically', () => {
  it('creates a missing directory with the files and a marker naming the generator', async () => {
    const out = join(tmp, 'fresh');
    await writeFilesAtomically(out, files);
    expect(readFileSync(join(out, 'prometheus/rules/a.rules.yml'), 'utf8')).toBe('groups: []\n');
    expect(readFileSync(join(out, GENERATED_MARKER), 'utf8')).toMatch(/cios-monitoring/);
  });

  it('fills an empty directory', async () => {
    const out = join(tmp, 'empty');
    mkdirSync(out);
    await writeFilesAtomically(out, files);
    expect(readdirSync(out).sort()).toEqual([GENERATED_MARKER, 'prometheus']);
  });

  it('replaces a directory it generated before, stale files included', async () => {
    const out = join(tmp, 'again');
    await writeFilesAtomically(out, { ...files, 'stale.yml': 'x' });
    await writeFilesAtomically(out, files);
    expect(existsSync(join(out, 'stale.yml'))).toBe(false);
    expect(existsSync(join(out, 'prometheus/rules/a.rules.yml'))).toBe(true);
  });

  it('refuses a directory holding anything else and touches nothing, not even a sibling', async () => {
    const out = join(tmp, 'user-data');
    mkdirSync(join(out, 'notes'), { recursive: true });
    writeFileSync(join(out, 'notes/keep.txt'), 'mine');
    const before = readdirSync(tmp).sort();
    await expect(writeFilesAtomically(out, files)).rejects.toThrow(OutputDirectoryError);
    await expect(writeFilesAtomically(out, files)).rejects.toThrow(/refusing to replace .*user-data: it is not empty \(1 entries\) and has no \.cios-monitoring file/);
    expect(readFileSync(join(out, 'notes/keep.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(out)).toEqual(['notes']);
    expect(readdirSync(tmp).sort()).toEqual(before);
  });

  it('refuses a file where the directory should be', async () => {
    const out = join(tmp, 'a-file');
    writeFileSync(out, 'mine');
    await expect(writeFilesAtomically(out, files)).rejects.toThrow(/a-file: it is a file, not a directory/);
    expect(readFileSync(out, 'utf8')).toBe('mine');
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffImages, readReleaseFile } from './release-input.js';
import { Redactor, redactUrl } from './redact.js';
import { parseTestReport } from './gates.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-rel-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('release input', () => {
  it('names the file, line and column of a JSON syntax error', () => {
    const f = path.join(dir, 'bad.json');
    fs.writeFileSync(f, '{\n  "environment": "dev",\n  "commit": oops\n}\n');
    expect(() => readReleaseFile(f, 'dev')).toThrow(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:13: invalid JSON`));
  });

  it('names each invalid field', () => {
    const f = path.join(dir, 'fields.json');
    fs.writeFileSync(f, JSON.stringify({ environment: 'dev', commit: 'xyz', createdBy: 'a', createdAt: '2026-01-01T00:00:00Z', images: { web: 'ghcr.io/cios/web' } }));
    expect(() => readReleaseFile(f, 'dev')).toThrow(/commit: must be a git commit SHA[\s\S]*images\.web: .*neither tag nor digest/);
    expect(() => readReleaseFile(f, 'prod')).toThrow();
  });

  it('diffs images per service', () => {
    expect(diffImages({ a: 'x:1', b: 'y:1' }, { a: 'x:2', c: 'z:1', b: 'y:1' }).map((d) => `${d.service}:${d.change}`)).toEqual([
      'a:changed',
      'b:unchanged',
      'c:added',
    ]);
  });
});

describe('redaction and reports', () => {
  it('masks URL credentials and registered values', () => {
    expect(redactUrl('see http://bot:t0ken@prom:9090/api')).toBe('see http://bot:***@prom:9090/api');
    const r = new Redactor().addFromUrl('http://bot:s3cr3t-value@prom:9090').add('hunter2-long');
    expect(r.redact('x s3cr3t-value y hunter2-long')).toBe('x *** y ***');
  });

  it('reads vitest JSON and JUnit XML reports', () => {
    expect(parseTestReport('{"numTotalTests":3,"numFailedTests":1}', 'r.json')).toEqual({ total: 3, failed: 1, source: 'r.json' });
    expect(parseTestReport('<testsuites tests="5" failures="0" errors="1"></testsuites>', 'r.xml')).toEqual({ total: 5, failed: 1, source: 'r.xml' });
    expect(() => parseTestReport('nope', 'r.txt')).toThrow(/not a JSON or JUnit XML/);
  });
});

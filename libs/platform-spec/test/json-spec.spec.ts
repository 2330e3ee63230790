import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, Release, SpecError, parseJsonSpec } from '../src/index.js';

const release = (images: string, extra = '') => `{
  "environment": "dev",
  "commit": "abc1234",
  "createdBy": "ci",
  "createdAt": "2026-12-01T00:00:00Z",${extra}
  "images": ${images}
}
`;

function problems(text: string): SpecError['problems'] {
  try {
    parseJsonSpec(Release, text, 'release.json');
  } catch (error) {
    if (error instanceof SpecError) return error.problems;
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('parseJsonSpec', () => {
  it('parses a valid spec', () => {
    expect(parseJsonSpec(Release, release('{ "case-service": "ghcr.io/cios/case-service:1.2.3" }'), 'release.json').images).toEqual({
      'case-service': 'ghcr.io/cios/case-service:1.2.3',
    });
  });

  it('places a bad field at its line and column', () => {
    const [problem] = problems(release('{\n    "case-service": "Not An Image"\n  }'));
    expect(problem).toMatchObject({ path: 'images.case-service', at: 'release.json:7:21' });
  });

  it('places an unknown key at the key, and names it in the message', () => {
    const text = release('{}', '\n  "approvedBy": "pm",');
    const [problem] = problems(text);
    expect(problem).toMatchObject({ path: '', at: 'release.json:6:3' });
    expect(() => parseJsonSpec(Release, text, 'release.json')).toThrow(/\(root\) \(release\.json:6:3\): Unrecognized key: "approvedBy"/);
  });

  it('keeps only the path for a field the text does not hold', () => {
    const [problem] = problems('{ "environment": "dev", "commit": "abc1234", "createdBy": "ci", "createdAt": "2026-12-01T00:00:00Z" }');
    expect(problem).toEqual({ path: 'images', message: expect.any(String) });
  });

  it('reports a syntax error at line:column', () => {
    expect(() => parseJsonSpec(Release, '{\n  "environment": dev\n}', 'release.json')).toThrow(JsonSyntaxError);
    expect(() => parseJsonSpec(Release, '{\n  "environment": dev\n}', 'release.json')).toThrow(/^release\.json:2:18: not valid JSON/);
  });
});

import { describe, expect, it } from 'vitest';
import { SpecError, type Environment } from '@cios/platform-spec';
import { RegistryError, buildRelease, manifestDigest, parseReleaseText, releaseProblems, repositoryPath } from '../src/index.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const prod = { name: 'prod', kind: 'prod', requireDigests: false } as Environment;
const dev = { name: 'dev', kind: 'dev', requireDigests: false } as Environment;

describe('repositoryPath', () => {
  it('drops the registry host and keeps the path', () => {
    expect(repositoryPath('ghcr.io/cios/case-service')).toBe('cios/case-service');
    expect(repositoryPath('docker.io/library/postgres')).toBe('library/postgres');
    expect(repositoryPath('localhost:5000/cios/x')).toBe('cios/x');
    expect(repositoryPath('cios/x')).toBe('cios/x');
  });
});

describe('buildRelease', () => {
  const input = { commit: 'abcdef1', createdBy: 'ci', createdAt: '2026-01-01T00:00:00Z' };

  it('sorts images and refuses a tag where the environment requires digests, naming the field', () => {
    const release = buildRelease({ ...input, environment: prod, images: { b: `r/b@${DIGEST}`, a: `r/a@${DIGEST}` } });
    expect(Object.keys(release.images)).toEqual(['a', 'b']);
    expect(() => buildRelease({ ...input, environment: prod, images: { a: 'r/a:1.0' } })).toThrow(SpecError);
    expect(() => buildRelease({ ...input, environment: prod, images: { a: 'r/a:1.0' } })).toThrow(
      'images.a: "r/a:1.0" is pinned by tag only; prod requires a digest',
    );
    expect(buildRelease({ ...input, environment: dev, images: { a: 'r/a:1.0' } }).images).toEqual({ a: 'r/a:1.0' });
  });

  it('parseReleaseText names the file for JSON and schema errors', () => {
    expect(() => parseReleaseText('{', 'rel.json')).toThrow('rel.json is invalid:\n  - (root): not valid JSON at line 1, column 2 (unexpected end)');
    expect(() => parseReleaseText(JSON.stringify({ ...input, environment: 'prod', images: { a: 'nope nope' } }), 'rel.json')).toThrow(/images\.a \(rel\.json:1:\d+\)/);
    expect(releaseProblems(parseReleaseText(JSON.stringify({ ...input, environment: 'dev', images: {} }), 'r'), prod)).toEqual([
      { path: 'environment', message: 'the release is for "dev", not "prod"' },
    ]);
  });
});

describe('manifestDigest', () => {
  const fakeFetch = (handler: (url: string, init?: RequestInit) => Response) =>
    (async (input: string | URL | Request, init?: RequestInit) => handler(String(input), init)) as typeof fetch;

  it('HEADs the manifest with the manifest media types and returns Docker-Content-Digest', async () => {
    const seen: { url: string; method?: string; accept?: string }[] = [];
    const digest = await manifestDigest(
      {
        registry: '127.0.0.1:5000',
        insecure: true,
        fetch: fakeFetch((url, init) => {
          seen.push({ url, method: init?.method, accept: (init?.headers as Record<string, string>)['accept'] });
          return new Response(null, { status: 200, headers: { 'docker-content-digest': DIGEST } });
        }),
      },
      'cios/x',
      'abc',
    );
    expect(digest).toBe(DIGEST);
    expect(seen[0]).toMatchObject({ url: 'http://127.0.0.1:5000/v2/cios/x/manifests/abc', method: 'HEAD' });
    expect(seen[0]?.accept).toContain('application/vnd.oci.image.index.v1+json');
  });

  it('follows the bearer-token challenge public registries send', async () => {
    const digest = await manifestDigest(
      {
        registry: 'ghcr.io',
        credentials: { username: 'u', password: 'p' },
        fetch: fakeFetch((url, init) => {
          if (url.startsWith('https://ghcr.io/token')) {
            expect(url).toBe('https://ghcr.io/token?service=ghcr.io&scope=repository%3Acios%2Fx%3Apull');
            expect((init?.headers as Record<string, string>)['authorization']).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
            return Response.json({ token: 'T' });
          }
          if ((init?.headers as Record<string, string>)['authorization'] === 'Bearer T') {
            return new Response(null, { status: 200, headers: { 'docker-content-digest': DIGEST } });
          }
          return new Response(null, {
            status: 401,
            headers: { 'www-authenticate': 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:cios/x:pull"' },
          });
        }),
      },
      'cios/x',
      'abc',
    );
    expect(digest).toBe(DIGEST);
  });

  it('says which image is missing, and when the registry is unreachable', async () => {
    const missing = manifestDigest({ registry: 'r:1', insecure: true, fetch: fakeFetch(() => new Response(null, { status: 404 })) }, 'cios/x', 't');
    await expect(missing).rejects.toThrow('r:1/cios/x:t is not in the registry (HTTP 404)');
    const down = manifestDigest(
      {
        registry: 'r:1',
        insecure: true,
        fetch: (async () => {
          throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
        }) as typeof fetch,
      },
      'cios/x',
      't',
    );
    await expect(down).rejects.toBeInstanceOf(RegistryError);
    await expect(down).rejects.toThrow('the registry r:1 is unreachable while reading r:1/cios/x:t (ECONNREFUSED)');
  });
});

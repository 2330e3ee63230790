import { describe, expect, it } from 'vitest';
import type { Service } from '@cios/platform-spec';
import { BASE_IMAGES, UnknownRuntimeError, lintDockerfile, parseDockerfile, renderImageFiles } from '../src/index.js';

const service = {
  name: 'case-service',
  runtime: 'node',
  port: 8080,
  runAsUser: 10001,
  health: { protocol: 'http', liveness: '/healthz', readiness: '/readyz', startup: '/healthz' },
} satisfies Pick<Service, 'name' | 'port' | 'runAsUser' | 'health' | 'runtime'>;

describe('renderImageFiles', () => {
  for (const runtime of ['node', 'python', 'static'] as const) {
    it(`${runtime}: lints clean under production rules, multi-stage, pinned, non-root, no HEALTHCHECK`, () => {
      const files = renderImageFiles({ ...service, runtime, runAsUser: 12345 });
      const report = lintDockerfile(files.dockerfile, { file: 'Dockerfile', prod: true, expectedUser: 12345 });
      expect(report.findings).toEqual([]);
      expect(report.suppressed).toEqual([]);
      const parsed = parseDockerfile(files.dockerfile);
      expect(parsed.instructions.filter((i) => i.keyword === 'FROM')).toHaveLength(2);
      expect(files.dockerfile).toContain(`ARG BASE_IMAGE=${BASE_IMAGES[runtime].runtime}`);
      expect(BASE_IMAGES[runtime].runtime).toMatch(/@sha256:[a-f0-9]{64}$/);
      expect(parsed.instructions.filter((i) => i.keyword === 'USER').map((i) => i.body)).toEqual(['12345']);
      expect(parsed.instructions.some((i) => i.keyword === 'HEALTHCHECK')).toBe(false);
      expect(files.dockerfile).toContain('# No HEALTHCHECK: Kubernetes probes');
      for (const label of ['source', 'revision', 'created']) expect(files.dockerfile).toContain(`org.opencontainers.image.${label}="\${`);
      expect(files.dockerignore.split('\n')[2]).toBe('*');
    });
  }

  it('node installs production dependencies only, from the lockfile when there is one', () => {
    const locked = renderImageFiles(service).dockerfile;
    expect(locked).toContain('npm ci --omit=dev');
    expect(locked).toContain('COPY package.json package-lock.json ./');
    expect(locked).toContain('ENTRYPOINT ["/nodejs/bin/node", "dist/main.js"]');
    const unlocked = renderImageFiles(service, { lockfile: false, entrypoint: 'dist/server.js' });
    expect(unlocked.dockerfile).toContain('npm install --omit=dev');
    expect(unlocked.dockerfile).not.toContain('package-lock.json');
    expect(unlocked.dockerfile).toContain('"dist/server.js"');
    expect(unlocked.dockerignore).not.toContain('package-lock.json');
  });

  it('the static runtime answers the probe paths on the service port', () => {
    const text = renderImageFiles({ ...service, runtime: 'static', port: 9090 }).dockerfile;
    expect(text).toContain("'  listen 9090;'");
    expect(text).toContain('location = /healthz');
    expect(text).toContain('location = /readyz');
  });

  it('is deterministic', () => {
    expect(renderImageFiles(service)).toEqual(renderImageFiles(structuredClone(service)));
  });

  it('an unknown runtime is refused with a sentence naming the service and the choices', () => {
    expect(() => renderImageFiles({ ...service, runtime: 'ruby' })).toThrow(UnknownRuntimeError);
    expect(() => renderImageFiles({ ...service, runtime: 'ruby' })).toThrow(
      'service "case-service" has runtime "ruby", which the image renderer does not know; use one of node, python, static',
    );
  });
});

/** Stacks hold the services that run in their environment (`environments` in a service's spec), and nothing else. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { platform as catalog } from '@cios/catalog';
import { renderStacks, synthEnvironment, type RenderedStack } from '../src/index.js';
import { api, db, digestRelease, envOf, must, smallPlatform, web } from './fixtures.js';
import { resourcesOf } from './terraform-json.js';

const tmp = mkdtempSync(join(tmpdir(), 'cios-infra-placement-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every resource of the stacks whose Kubernetes name (or text) mentions `name`, as "<type>.<address>". */
function mentions(stacks: readonly RenderedStack[], name: string): string[] {
  return stacks.flatMap((s) =>
    Object.entries(s.config.resource ?? {}).flatMap(([type, byId]) =>
      Object.entries(byId)
        .filter(([, body]) => JSON.stringify(body).includes(name))
        .map(([id]) => `${s.name}: ${type}.${id}`),
    ),
  );
}

function stack(stacks: readonly RenderedStack[], name: string): RenderedStack {
  return must(
    stacks.find((s) => s.name === name),
    `stack ${name}`,
  );
}

describe('a service kept to some environments (a small platform)', () => {
  // dev-tool: dev only, the one service of the ai tier, calling api.
  const devTool = api({ name: 'dev-tool', tier: 'ai', image: 'ghcr.io/test/dev-tool', environments: ['dev'], replicas: { dev: 1 }, dependsOn: ['api'] });
  const p = smallPlatform([web(), api(), db(), devTool]);
  const render = (env: string) => renderStacks({ platform: p, environment: envOf(p, env) });
  const admittedBy = (stacks: readonly RenderedStack[], namespace: string, service: string) => {
    const policies = Object.values(resourcesOf(stack(stacks, 'services').config, 'kubernetes_network_policy_v1'));
    const own = must(
      policies.find((n) => n.metadata.name === `${service}-ingress` && n.metadata.namespace === namespace),
      `NetworkPolicy ${service}-ingress`,
    );
    return (own.spec.ingress?.[0]?.from ?? []).map((f) => JSON.stringify(f));
  };
  const from = (namespace: string, name: string) =>
    JSON.stringify({
      namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': namespace } },
      pod_selector: { match_labels: { 'app.kubernetes.io/name': name } },
    });

  it('dev: runs it, gives its tier a namespace, and the service it calls admits it', () => {
    const stacks = render('dev');
    const deployments = Object.values(resourcesOf(stack(stacks, 'services').config, 'kubernetes_deployment_v1')).map((d) => `${d.metadata.namespace}/${d.metadata.name}`);
    expect(deployments.sort()).toEqual(['dev-ai/dev-tool', 'dev-core/api', 'dev-edge/web']);
    const namespaces = Object.values(resourcesOf(stack(stacks, 'platform').config, 'kubernetes_namespace_v1')).map((n) => n.metadata.name);
    expect(namespaces).toContain('dev-ai');
    expect(admittedBy(stacks, 'dev-core', 'api')).toEqual([from('dev-ai', 'dev-tool'), from('dev-edge', 'web')]);
  });

  it('prod, primary and standby: nothing of it, no namespace for a tier only it used, and no admit for it', () => {
    const stacks = render('prod');
    expect(stacks.map((s) => s.name)).toEqual(['platform', 'services', 'standby-prod-mtl']);
    expect(mentions(stacks, 'dev-tool')).toEqual([]);
    expect(mentions(stacks, 'prod-ai')).toEqual([]);
    expect(admittedBy(stacks, 'prod-core', 'api')).toEqual([from('prod-edge', 'web')]);
  });

  it('the summary lists it where it runs only', () => {
    const summary = (env: string) => synthEnvironment({ platform: p, environment: env, outdir: join(tmp, `small-${env}`) }).summary;
    expect(summary('dev')).toContain('| dev-tool | dev-ai |');
    expect(summary('staging')).not.toContain('dev-tool');
  });

  it('a release for an environment it does not run in may not name it', () => {
    const release = { ...digestRelease(p, 'staging'), images: { ...digestRelease(p, 'staging').images, 'dev-tool': 'ghcr.io/test/dev-tool:1.2.3' } };
    expect(() => synthEnvironment({ platform: p, environment: 'staging', release, outdir: join(tmp, 'refused') })).toThrow(
      'the release: images.dev-tool: dev-tool does not run in staging (its environments: dev); remove it from the release',
    );
    expect(() => synthEnvironment({ platform: p, environment: 'dev', release: { ...release, environment: 'dev' }, outdir: join(tmp, 'dev-release') })).not.toThrow();
  });
});

describe('the catalog: sample-api runs in dev only', () => {
  it("dev's services stack runs it in dev-core on port 8080 as UID 10001, probed on /healthz and /readyz, scraped on /metrics", () => {
    const services = stack(renderStacks({ platform: catalog, environment: envOf(catalog, 'dev') }), 'services');
    const deployment = must(
      Object.values(resourcesOf(services.config, 'kubernetes_deployment_v1')).find((d) => d.metadata.name === 'sample-api'),
      'Deployment sample-api',
    );
    expect(deployment.metadata.namespace).toBe('dev-core');
    const pod = deployment.spec.template.spec;
    expect(pod.security_context).toMatchObject({ run_as_user: '10001', run_as_non_root: true });
    const container = must(pod.container[0], 'its container');
    expect(container.image).toBe('ghcr.io/cios/sample-api:unreleased');
    expect(container.port).toEqual([{ container_port: 8080, name: 'http', protocol: 'TCP' }]);
    expect(container.liveness_probe?.http_get?.path).toBe('/healthz');
    expect(container.readiness_probe?.http_get?.path).toBe('/readyz');
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } });
    const template = deployment.spec.template as unknown as { metadata: { annotations: Record<string, string> } };
    expect(template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
  });

  it('staging and prod (its standby too) render nothing of it', () => {
    for (const env of ['staging', 'prod']) {
      expect(mentions(renderStacks({ platform: catalog, environment: envOf(catalog, env) }), 'sample-api'), env).toEqual([]);
    }
  });
});
